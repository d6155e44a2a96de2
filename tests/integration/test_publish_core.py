"""Publishing through natstui.core.publish arrives intact (checked by a second connection);
bad input is refused with a clear message and the connection stays up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client

from natstui.core.publish import (
    PublishError,
    PublishForm,
    max_payload_of,
    prepare_publish,
    publish_many,
)
from natstui.demo.cluster import LocalNats, start_nats
from tests.helpers import collect, wait_for


@pytest.fixture(scope="module")
def server(nats_bin: Path) -> Iterator[LocalNats]:
    local = start_nats(binary=nats_bin, extra_config="max_payload: 4096")
    yield local
    local.stop()


async def _quiet(_: Exception) -> None:
    return None


@pytest.fixture
async def pair(server: LocalNats) -> AsyncIterator[tuple[Client, Client]]:
    kw = {"user": server.app_user, "password": server.app_password, "error_cb": _quiet}
    pub = await nats.connect(server.client_urls, **kw)
    sub = await nats.connect(server.client_urls, **kw)
    yield pub, sub
    await pub.close()
    await sub.close()


async def test_templates_headers_reply_count_arrive_intact(pair: tuple[Client, Client]) -> None:
    pub, sub = pair
    got = await collect(sub, "pub.t", pub)
    form = PublishForm(
        "pub.t",
        payload='{"n": {{Count}}, "id": "{{ID}}"}',
        headers="X-Seq: {{Count}}\nX-Static: yes",
        reply="answers.here",
        count=5,
        interval=0.01,
    )
    prepared = prepare_publish(form, max_payload=max_payload_of(pub))
    result = await publish_many(pub, prepared)
    assert (result.sent, result.error) == (5, None)
    await wait_for(lambda: len(got) == 5)
    assert [m.data.split(b",")[0] for m in got] == [b'{"n": %d' % i for i in range(1, 6)]
    assert len({m.data for m in got}) == 5  # {{ID}} differs per message
    assert [m.headers for m in got] == [{"X-Seq": str(i), "X-Static": "yes"} for i in range(1, 6)]
    assert {m.reply for m in got} == {"answers.here"}
    assert "published 5 in" in result.summary()


async def test_binary_payload_and_no_templates(pair: tuple[Client, Client]) -> None:
    pub, sub = pair
    got = await collect(sub, "pub.raw", pub)
    raw = bytes(range(256))
    first = await publish_many(pub, prepare_publish(PublishForm("pub.raw"), payload_bytes=raw))
    lit = prepare_publish(PublishForm("pub.raw", payload="{{Count}}", templates=False))
    second = await publish_many(pub, lit)
    assert (first.sent, first.error, second.sent, second.error) == (1, None, 1, None)
    await wait_for(lambda: len(got) == 2, message=f"got {[m.data[:10] for m in got]}")
    assert got[0].data == raw and got[1].data == b"{{Count}}"


async def test_server_max_payload_is_enforced_before_sending(pair: tuple[Client, Client]) -> None:
    pub, sub = pair
    assert max_payload_of(pub) == 4096
    with pytest.raises(PublishError, match="at most 4,096"):
        prepare_publish(PublishForm("pub.big", payload="x" * 5000), max_payload=max_payload_of(pub))
    # A template that grows past the limit mid-run stops the run, not the connection.
    form = PublishForm(
        "pub.big", payload="{{Random 4000 4000}}", headers="X-Pad: {{Random 200 200}}"
    )
    prepared = prepare_publish(form, max_payload=10_000)
    result = await publish_many(pub, prepared)
    assert result.sent == 0 and result.error and "over max_payload 4,096" in result.error
    assert pub.is_connected
    got = await collect(sub, "pub.after", pub)
    await publish_many(pub, prepare_publish(PublishForm("pub.after", payload="ok")))
    await wait_for(lambda: [m.data for m in got] == [b"ok"])


@pytest.mark.parametrize("subject", ["a.>", "a b", "a..b", "", "*"])
async def test_invalid_subjects_never_reach_the_server(
    pair: tuple[Client, Client], subject: str
) -> None:
    pub, _ = pair
    with pytest.raises(PublishError, match="subject"):
        prepare_publish(PublishForm(subject, payload="x"))
    assert pub.is_connected
    await asyncio.wait_for(pub.flush(), 2)
