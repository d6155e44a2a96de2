"""The tail core against real nats-server: wildcards, queue groups, validation, unsubscribe,
slow-consumer counting and subscriptions surviving a server restart."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client

import natstui.core.tail as tail_module
from natstui.core.connection import NatsSession
from natstui.core.tail import Tail, TailError
from natstui.demo.cluster import LocalNats
from tests.helpers import MakeNats, profile_for, wait_for


@pytest.fixture
async def session(server: LocalNats) -> AsyncIterator[NatsSession]:
    s = NatsSession(profile_for(server, system_auth=None))
    await s.connect()
    yield s
    await s.close()


@pytest.fixture
async def pub(server: LocalNats) -> AsyncIterator[Client]:
    nc = await nats.connect(
        server.client_urls[0], user=server.app_user, password=server.app_password
    )
    yield nc
    await nc.close()


def make_tail(session: NatsSession) -> Tail:
    tail = Tail(session.nc)
    session.add_slow_consumer_listener(tail.on_slow_consumer)
    return tail


async def test_wildcards_and_per_subscription_counters(session: NatsSession, pub: Client) -> None:
    tail = make_tail(session)
    star = await tail.subscribe("it1.*.created")
    full = await tail.subscribe("it1.>")
    for subject in ["it1.eu.created", "it1.us.created", "it1.eu.deleted", "it1.a.b.created"]:
        await pub.publish(subject, b"x")
    await pub.flush()
    # Overlapping subscriptions each deliver their copy, as NATS does.
    await wait_for(lambda: tail.received == 6)
    counts = {s.id: s.received for s in tail.subscriptions()}
    assert counts == {star.id: 2, full.id: 4}
    entries = list(tail.buffer.since(0))
    assert sorted(e.subject for e in entries if e.sub_id == star.id) == [
        "it1.eu.created",
        "it1.us.created",
    ]
    await tail.close()


async def test_queue_group_shares_messages(server: LocalNats, pub: Client) -> None:
    sessions = [NatsSession(profile_for(server, system_auth=None)) for _ in range(2)]
    for s in sessions:
        await s.connect()
    tails = [make_tail(s) for s in sessions]
    for tail in tails:
        info = await tail.subscribe("it2.jobs", "workers")
        assert info.queue == "workers" and info.label == "it2.jobs (queue workers)"
    for i in range(200):
        await pub.publish("it2.jobs", str(i).encode())
    await pub.flush()
    await wait_for(lambda: sum(t.received for t in tails) == 200)
    assert all(0 < t.received < 200 for t in tails)
    for s in sessions:
        await s.close()


@pytest.mark.parametrize(
    ("subject", "queue", "reason"),
    [
        ("", None, "empty"),
        ("a..b", None, "empty token"),
        ("a.>.b", None, "last token"),
        ("a b", None, "white space"),
        ("a.b*", None, "whole tokens"),
        ("ok", "bad queue", "white space"),
    ],
)
async def test_invalid_subscriptions_never_reach_the_server(
    session: NatsSession, subject: str, queue: str | None, reason: str
) -> None:
    tail = make_tail(session)
    with pytest.raises(TailError, match=reason):
        await tail.subscribe(subject, queue)
    assert session.nc is not None and session.nc.is_connected
    assert tail.subscriptions() == []


async def test_duplicate_and_unknown(session: NatsSession) -> None:
    tail = make_tail(session)
    await tail.subscribe("it3.x")
    with pytest.raises(TailError, match="already tailing"):
        await tail.subscribe("it3.x")
    with pytest.raises(TailError, match="no tail subscription"):
        await tail.unsubscribe(99)
    await tail.close()


async def test_unsubscribe_stops_delivery(session: NatsSession, pub: Client) -> None:
    tail = make_tail(session)
    a = await tail.subscribe("it4.a")
    await tail.subscribe("it4.b")
    await tail.unsubscribe(a.id)
    await pub.publish("it4.a", b"1")
    await pub.publish("it4.b", b"2")
    await pub.flush()
    await wait_for(lambda: tail.received == 1)
    assert session.nc is not None
    await session.nc.flush()
    entry = tail.buffer.get(1)
    assert entry is not None and entry.subject == "it4.b"
    await tail.close()


async def test_slow_consumer_drops_are_counted(
    session: NatsSession, pub: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tiny pending limit: nats-py parses a whole socket read before the callback task runs,
    # so a burst overflows it and nats-py reports one SlowConsumerError per dropped message.
    monkeypatch.setattr(tail_module, "PENDING_MSGS_LIMIT", 1)
    tail = make_tail(session)
    sub = await tail.subscribe("it5.burst")
    for _ in range(2000):
        await pub.publish("it5.burst", b"y" * 64)
    await pub.flush()
    await wait_for(lambda: tail.received + tail.slow_consumers == 2000, timeout=10)
    assert tail.slow_consumers > 0
    assert tail.subscriptions()[0].slow_consumers == tail.slow_consumers
    counters = tail.counters()
    assert counters.slow_consumers == tail.slow_consumers and counters.received == tail.received
    assert sub.id == tail.subscriptions()[0].id
    await tail.close()


async def test_subscriptions_survive_server_restart(make_nats: MakeNats) -> None:
    local = make_nats()
    session = NatsSession(profile_for(local, system_auth=None))
    await session.connect()
    tail = make_tail(session)
    await tail.subscribe("it6.>")
    await local.arestart(0)
    await wait_for(lambda: session.state.reconnects >= 1, timeout=15)
    pub = await nats.connect(local.client_urls[0], user=local.app_user, password=local.app_password)
    await pub.publish("it6.after", b"still here")
    await pub.flush()
    await wait_for(lambda: tail.received == 1, timeout=10)
    await pub.close()
    await session.close()


async def test_read_chunk_cap_applies_to_plain_and_tls(
    session: NatsSession, make_nats: MakeNats
) -> None:
    from natstui.core.tail import READ_CHUNK, cap_read_chunk

    assert cap_read_chunk(session.nc)
    transport = session.nc._transport._io_writer.transport  # type: ignore[union-attr]
    assert transport.max_size == READ_CHUNK
    local = make_nats(tls=True)
    tls_session = NatsSession(profile_for(local, system_auth=None))
    await tls_session.connect()
    assert cap_read_chunk(tls_session.nc)
    ssl_transport = tls_session.nc._transport._io_writer.transport  # type: ignore[union-attr]
    assert ssl_transport._ssl_protocol.max_size == READ_CHUNK
    # Still delivers after the change.
    tail = make_tail(tls_session)
    await tail.subscribe("it7.x")
    pub = await nats.connect(
        local.client_urls[0],
        user=local.app_user,
        password=local.app_password,
        tls=__import__("ssl").create_default_context(cafile=str(local.ca_file)),
    )
    for _ in range(500):
        await pub.publish("it7.x", b"z" * 1000)
    await pub.flush()
    await wait_for(lambda: tail.received == 500)
    await pub.close()
    await tls_session.close()
    assert not cap_read_chunk(object())
