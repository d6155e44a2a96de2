"""Single requests and scatter-gather against a real nats-server with real responders.

Responders run on their own connections; silent ones subscribe but never answer, slow ones
answer after a delay. Assertions cover counts, the missing list and why gathering stopped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client

from natstui.core.requests import (
    GatherSpec,
    RequestError,
    find_outliers,
    gather,
    missing_responders,
    request_once,
)
from natstui.demo.cluster import LocalNats


async def connect(local: LocalNats) -> Client:
    return await nats.connect(
        local.client_urls, user=local.app_user, password=local.app_password, error_cb=_quiet
    )


async def _quiet(_: Exception) -> None:
    return None


@pytest.fixture
async def nc(server: LocalNats) -> AsyncIterator[Client]:
    client = await connect(server)
    yield client
    await client.close()


class Responders:
    """`n` responders named r00.. on `subject`: some silent, some slow, one odd."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self.clients: list[Client] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(
        self,
        local: LocalNats,
        names: list[str],
        *,
        silent: set[str] = frozenset(),  # type: ignore[assignment]
        slow: dict[str, float] | None = None,
        odd: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        slow = slow or {}
        # A few connections, several responders each: like services sharing hosts.
        for start in range(0, len(names), 10):
            client = await connect(local)
            self.clients.append(client)
            for name in names[start : start + 10]:
                cb = self._handler(name, name in silent, slow.get(name, 0.0), name in odd)
                await client.subscribe(self.subject, cb=cb)
            await client.flush()

    def _handler(self, name: str, silent: bool, delay: float, odd: bool):  # type: ignore[no-untyped-def]
        async def answer(msg: nats.aio.msg.Msg) -> None:
            body = {"id": name, "status": "degraded" if odd else "ok", "version": "1.0"}
            if delay:
                await asyncio.sleep(delay)
            await msg.respond(json.dumps(body).encode())

        async def cb(msg: nats.aio.msg.Msg) -> None:
            if silent:
                return
            task = asyncio.create_task(answer(msg))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        return cb

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for client in self.clients:
            await client.close()


@pytest.fixture
async def responders() -> AsyncIterator[Responders]:
    made: list[Responders] = []

    def factory(subject: str) -> Responders:
        r = Responders(subject)
        made.append(r)
        return r

    yield factory  # type: ignore[misc]
    for r in made:
        await r.stop()


async def warm(nc: Client, subject: str, answering: int) -> None:
    """Wait until `answering` responders reply to a request from `nc`.

    nats-server can drop the first message published on another connection right after a SUB
    it has already acknowledged (nats-server#5677): without this, a responder could miss the
    request under test and look "silent".
    """
    for _ in range(50):
        result = await gather(nc, GatherSpec(subject, timeout=1.0, gap=0.2))
        if len(result.replies) >= answering:
            return
    raise AssertionError(f"only {len(result.replies)} of {answering} responders on {subject}")


def names(n: int) -> list[str]:
    return [f"r{i:02d}" for i in range(n)]


async def test_single_responder_adaptive_stop(server: LocalNats, nc: Client, responders) -> None:  # type: ignore[no-untyped-def]
    await responders("g1.stats").start(server, ["only"])
    await warm(nc, "g1.stats", 1)
    result = await gather(nc, GatherSpec("g1.stats", b"{}", timeout=5.0, gap=0.3))
    assert [r.responder for r in result.replies] == ["only"]
    assert result.stop == "gap"
    assert result.stop_wait is not None and 0.28 <= result.stop_wait < 1.0
    assert result.elapsed < 2.0  # far from the 5 s deadline
    assert nc.is_connected


async def test_five_with_slow_and_silent(server: LocalNats, nc: Client, responders) -> None:  # type: ignore[no-untyped-def]
    expected = names(5)
    await responders("g5.stats").start(
        server, expected, silent={"r03"}, slow={"r01": 0.15}, odd={"r04"}
    )
    await warm(nc, "g5.stats", 4)
    result = await gather(nc, GatherSpec("g5.stats", timeout=5.0, gap=0.6))
    got = sorted(r.responder or "" for r in result.replies)
    assert got == ["r00", "r01", "r02", "r04"]
    assert missing_responders(expected, result.replies) == ["r03"]
    assert result.stop == "gap"
    slow = next(r for r in result.replies if r.responder == "r01")
    assert slow.latency >= 0.15
    outliers = find_outliers(result.replies)
    odd_index = next(r.index for r in result.replies if r.responder == "r04")
    assert list(outliers) == [odd_index]
    assert outliers[odd_index] == ['status = "degraded" (most: "ok")']


async def test_fifty_adaptive_deadline_and_count(server: LocalNats, nc: Client, responders) -> None:  # type: ignore[no-untyped-def]
    expected = names(50)
    silent = {"r07", "r21", "r33", "r40", "r49"}
    slow = {
        "r02": 2.0,
        "r15": 2.0,
        "r30": 2.0,
    }  # far slower than the gap: the adaptive stop skips them
    await responders("g50.stats").start(server, expected, silent=silent, slow=slow)
    await warm(nc, "g50.stats", 42)

    adaptive = await gather(nc, GatherSpec("g50.stats", timeout=5.0, gap=0.5))
    assert adaptive.stop == "gap"
    assert len(adaptive.replies) == 42
    assert set(missing_responders(expected, adaptive.replies)) == silent | set(slow)
    assert adaptive.stop_wait is not None and adaptive.stop_wait >= 0.5
    assert adaptive.elapsed < 2.0  # stopped before the slow ones, long before the deadline

    full = await gather(nc, GatherSpec("g50.stats", timeout=3.0, gap=None))
    assert full.stop == "deadline"
    assert len(full.replies) == 45
    assert sorted(missing_responders(expected, full.replies)) == sorted(silent)
    assert 2.95 <= full.elapsed < 4.0

    counted = await gather(nc, GatherSpec("g50.stats", timeout=5.0, gap=None, max_replies=10))
    assert counted.stop == "count"
    assert len(counted.replies) == 10
    assert counted.elapsed < 1.0
    assert nc.is_connected


async def test_first_reply_may_take_most_of_the_timeout(
    server: LocalNats, nc: Client, responders
) -> None:  # type: ignore[no-untyped-def]
    await responders("gslow.stats").start(server, ["late"], slow={"late": 0.8})
    await warm(nc, "gslow.stats", 1)
    result = await gather(nc, GatherSpec("gslow.stats", timeout=3.0, gap=0.3))
    assert [r.responder for r in result.replies] == ["late"]
    assert result.replies[0].latency >= 0.8
    assert result.stop == "gap"


async def test_gather_no_responders(nc: Client) -> None:
    result = await gather(nc, GatherSpec("nobody.home", timeout=3.0))
    assert result.stop == "no_responders"
    assert result.replies == ()
    assert result.elapsed < 1.0


async def test_single_request_reply_no_responders_timeout(server: LocalNats, nc: Client) -> None:
    helper = await connect(server)

    async def echo(msg: nats.aio.msg.Msg) -> None:
        body = b'{"echo": ' + msg.data + b"}"
        await helper.publish(msg.reply, body, headers={"X-Who": "echo-1", **(msg.headers or {})})

    try:
        await helper.subscribe("svc.echo", cb=echo)
        await helper.subscribe("svc.silent", cb=_silent)
        await helper.flush()
        await warm(nc, "svc.echo", 1)
        ok = await request_once(nc, "svc.echo", b"42", headers={"X-Req": "1"}, timeout=2.0)
        assert ok.outcome == "reply" and ok.reply is not None
        assert ok.reply.data == b'{"echo": 42}'
        assert ok.reply.headers == {"X-Who": "echo-1", "X-Req": "1"}
        assert 0 < ok.elapsed < 1.0

        none = await request_once(nc, "svc.nobody", b"", timeout=2.0)
        assert none.outcome == "no_responders"
        assert none.elapsed < 1.0

        late = await request_once(nc, "svc.silent", b"", timeout=0.3)
        assert late.outcome == "timeout"
        assert late.elapsed >= 0.3
        assert "timeout" in late.summary() and "no responders" in none.summary()
    finally:
        await helper.close()


async def _silent(_: nats.aio.msg.Msg) -> None:
    return None


@pytest.mark.parametrize("subject", ["bad subject", "a.*", "a..b", ""])
async def test_invalid_subject_is_refused_before_sending(nc: Client, subject: str) -> None:
    with pytest.raises(RequestError):
        await request_once(nc, subject)
    with pytest.raises(RequestError):
        await gather(nc, GatherSpec(subject))
    assert nc.is_connected
    assert (await request_once(nc, "still.alive", timeout=0.5)).outcome == "no_responders"
