"""Scatter-gather over NATS: one request, replies from many servers, stop as early as correct.

`nc.request()` returns only the first reply, so this subscribes to a fresh inbox, publishes the
request with that inbox as reply subject and collects. It stops:
- as soon as `expected` replies arrived (`ended_by="expected"`) — the normal case, because
  STATSZ tells how many servers are active; the refresh never waits on a timer then;
- when no reply came for an adaptive gap after the last one (`"gap"`): the fallback when the
  expected count is unknown or a server is gone. The gap is at least `min_gap` and at least
  twice the time the first reply took, so a slow (WAN) link does not cut the gather short;
- at the overall deadline (`"timeout"`), at once on a 503 status (`"no-responders"`), or
  when the connection drops (`"disconnected"`, noticed within `LINK_CHECK`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError

EndedBy = Literal["expected", "gap", "timeout", "no-responders", "disconnected"]
# How often a gather with nothing arriving checks that its connection is still up.
LINK_CHECK = 0.25
GZIP_HEADERS = {"Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class GatherResult:
    """The replies of one scatter-gather and why it stopped."""

    replies: tuple[Msg, ...]
    elapsed: float
    ended_by: EndedBy
    expected: int | None


class _Collector:
    """Subscription callback target: the hot path only appends and wakes the waiter."""

    def __init__(self, learn: Callable[[Msg], int | None] | None) -> None:
        self.replies: list[Msg] = []
        self.arrived = asyncio.Event()
        self.last_at = 0.0
        self.started = time.monotonic()
        self.first_after: float | None = None
        self.expected: int | None = None
        self.no_responders = False
        self._learn = learn

    async def on_msg(self, msg: Msg) -> None:
        if msg.headers and msg.headers.get("Status") == "503":
            self.no_responders = True
        else:
            self.replies.append(msg)
            self._raise_expected(msg)
        self.last_at = time.monotonic()
        if self.first_after is None:
            self.first_after = self.last_at - self.started
        self.arrived.set()

    def _raise_expected(self, msg: Msg) -> None:
        if self._learn is None:
            return
        try:
            count = self._learn(msg)
        except Exception:  # a malformed reply must not break the gather; it is parsed later
            count = None
        if count is not None and count > (self.expected or 0):
            self.expected = count


async def gather(
    nc: Client,
    subject: str,
    body: bytes = b"{}",
    *,
    expected: int | None = None,
    learn_expected: Callable[[Msg], int | None] | None = None,
    timeout: float = 3.0,
    min_gap: float = 0.3,
    compress: bool = True,
) -> GatherResult:
    """Publish one request and collect replies until the rules in the module doc say stop.

    `compress` asks for gzip replies: a third of the bytes, paid for with server CPU.
    """
    collector = _Collector(learn_expected)
    collector.expected = expected
    sub = await nc.subscribe(nc.new_inbox(), cb=collector.on_msg)
    start = collector.started = time.monotonic()
    try:
        headers = GZIP_HEADERS if compress else None
        await nc.publish(subject, body, reply=sub.subject, headers=headers)
        ended = await _wait(collector, start, timeout, min_gap, nc)
    finally:
        # On a dropped connection the UNSUB may fail; the subscription is gone with it.
        with contextlib.suppress(NatsError):
            await sub.unsubscribe()
    return GatherResult(
        tuple(collector.replies), time.monotonic() - start, ended, collector.expected
    )


async def _wait(c: _Collector, start: float, timeout: float, min_gap: float, nc: Client) -> EndedBy:
    deadline = start + timeout
    while True:
        if c.no_responders and not c.replies:
            return "no-responders"
        if c.expected is not None and len(c.replies) >= c.expected:
            return "expected"
        if not nc.is_connected:
            return "disconnected"  # no reply can come back: don't wait out the deadline
        now = time.monotonic()
        wait = deadline - now
        if wait <= 0:
            return "timeout"
        if c.replies and c.first_after is not None:
            gap_end = c.last_at + max(min_gap, 2 * c.first_after)
            if gap_end <= now:
                return "gap"
            wait = min(wait, gap_end - now)
        wait = min(wait, LINK_CHECK)
        c.arrived.clear()
        try:
            await asyncio.wait_for(c.arrived.wait(), wait)
        except TimeoutError:
            continue


async def request_one(nc: Client, subject: str, body: bytes, timeout: float) -> Msg:
    """A single request with gzip accepted; raises nats-py's TimeoutError/NoRespondersError."""
    return await nc.request(subject, body, timeout=timeout, headers=GZIP_HEADERS)
