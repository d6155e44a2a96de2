"""Live tail: subscriptions feeding one flight-recorder buffer, with counters and rates.

The nats-py callback of every tail subscription does two things: bump that subscription's
counter and append the message to the shared `RingBuffer`. Nothing else happens per message;
rates are sampled from the counters by whoever asks (the view's timer), and slow-consumer drops
arrive through `NatsSession.add_slow_consumer_listener` and are only counted.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from natstui.core.subjects import SubjectError, validate_queue_group, validate_subscribe_subject
from natstui.core.tail_buffer import RingBuffer

# nats-py's defaults are 512k messages / 128 MiB per subscription. The tail's callback is cheap,
# so the pending queue only fills while the UI loop is busy (a render, a rescan); a larger queue
# rides out such stalls on a firehose instead of dropping. The ring buffer still bounds what is
# kept once delivered.
PENDING_MSGS_LIMIT = 1_000_000
PENDING_BYTES_LIMIT = 256 * 1024 * 1024
# asyncio reads up to 256 KiB per loop iteration; nats-py then parses all of it and runs the
# callbacks of all of it before anything else runs: ~20 ms under a firehose, several times per
# key press (a key crosses a few Textual message queues). 32 KiB reads keep a key-to-screen p50
# of ~25 ms instead of ~100 ms at the same ingest rate (tests/perf/bench_tail.py).
READ_CHUNK = 32 * 1024
RATE_HISTORY = 11.0  # seconds of counter samples kept for the 1 s and 10 s rates


def cap_read_chunk(nc: Any, size: int = READ_CHUNK) -> bool:
    """Make the connection's asyncio transport read at most `size` bytes per loop iteration.

    Reaches into nats-py's and asyncio's internals (plain: the socket transport's `max_size`;
    TLS: the SSL protocol's `max_size`); when they are not there it changes nothing and says
    so by returning False. Only the read granularity changes, never what is read.
    """
    writer = getattr(getattr(nc, "_transport", None), "_io_writer", None)
    transport = getattr(writer, "transport", None)
    ssl_protocol = getattr(transport, "_ssl_protocol", None)
    target = ssl_protocol if ssl_protocol is not None else transport
    if target is None or not isinstance(getattr(target, "max_size", None), int):
        return False
    if target.max_size != size:
        target.max_size = size
    return True


class TailError(Exception):
    """A subscription could not be made or removed; the message says why in plain words."""


@dataclass(frozen=True)
class SubscriptionInfo:
    """One tail subscription as the UI shows it."""

    id: int
    subject: str
    queue: str | None
    received: int
    slow_consumers: int

    @property
    def label(self) -> str:
        return f"{self.subject} (queue {self.queue})" if self.queue else self.subject


@dataclass(frozen=True)
class TailCounters:
    """A snapshot of the tail's counters; rates are None until two samples exist."""

    received: int
    buffered: int
    buffered_bytes: int
    evicted: int
    slow_consumers: int
    rate_1s: float | None
    rate_10s: float | None
    first_seq: int
    last_seq: int


class RateWindow:
    """Per-second rates over the last N seconds from counter samples (Δcount / Δmonotonic)."""

    def __init__(self, history: float = RATE_HISTORY) -> None:
        self.history = history
        self._samples: deque[tuple[float, int]] = deque()

    def observe(self, now: float, count: int) -> None:
        samples = self._samples
        if samples and count < samples[-1][1]:
            samples.clear()  # the counter went down (cleared): start a new baseline
        samples.append((now, count))
        while len(samples) > 2 and now - samples[1][0] >= self.history:
            samples.popleft()

    def rate(self, window: float) -> float | None:
        """Rate over roughly the last `window` seconds, or None with fewer than two samples."""
        if len(self._samples) < 2:
            return None
        now, count = self._samples[-1]
        base_t, base_count = self._samples[0]
        for t, c in reversed(self._samples):
            if now - t >= window:
                base_t, base_count = t, c
                break
        elapsed = now - base_t
        return (count - base_count) / elapsed if elapsed > 0 else None


@dataclass
class _Sub:
    id: int
    subject: str
    queue: str | None
    nats_sub: Any = None
    received: int = 0
    slow_consumers: int = 0

    def info(self) -> SubscriptionInfo:
        return SubscriptionInfo(
            self.id, self.subject, self.queue, self.received, self.slow_consumers
        )


class Tail:
    """Subscriptions on one nats-py client, all feeding `self.buffer`."""

    def __init__(self, nc: Any, buffer: RingBuffer | None = None) -> None:
        self.nc = nc
        self.buffer = buffer if buffer is not None else RingBuffer()
        self.slow_consumers = 0
        self._subs: dict[int, _Sub] = {}
        self._by_nats_sid: dict[int, _Sub] = {}
        self._next_id = 1
        self._rates = RateWindow()

    # --- subscriptions ---------------------------------------------------------------------
    async def subscribe(self, subject: str, queue: str | None = None) -> SubscriptionInfo:
        """Validate and subscribe; raises TailError with the reason (the connection stays up)."""
        subject = subject.strip()
        queue = (queue or "").strip() or None
        try:
            validate_subscribe_subject(subject)
            if queue is not None:
                validate_queue_group(queue)
            (subject + (queue or "")).encode("utf-8")
        except SubjectError as exc:
            raise TailError(str(exc)) from None
        except UnicodeEncodeError:
            raise TailError("the subject has a character with no UTF-8 form") from None
        if any(s.subject == subject and s.queue == queue for s in self._subs.values()):
            raise TailError(f"already tailing {subject}")
        if self.nc is None or self.nc.is_closed:
            raise TailError("not connected")
        sub = _Sub(self._next_id, subject, queue)
        self._next_id += 1
        try:
            sub.nats_sub = await self.nc.subscribe(
                subject,
                queue=queue or "",
                cb=self._callback(sub),
                pending_msgs_limit=PENDING_MSGS_LIMIT,
                pending_bytes_limit=PENDING_BYTES_LIMIT,
            )
        except Exception as exc:  # nats-py raises assorted types (closed, draining, bad subject)
            raise TailError(f"cannot subscribe to {subject}: {type(exc).__name__}") from None
        self._subs[sub.id] = sub
        self._by_nats_sid[sub.nats_sub._id] = sub
        cap_read_chunk(self.nc)
        # A round trip: once it returns the server has the SUB, so "subscribed" is true (and
        # a permissions error would already have arrived).
        with contextlib.suppress(Exception):
            await self.nc.flush(timeout=2)
        return sub.info()

    def _callback(self, sub: _Sub) -> Callable[[Any], Awaitable[None]]:
        append = self.buffer.append
        sub_id = sub.id

        async def on_msg(msg: Any) -> None:
            # The hot path: count and append, nothing else. (Yielding to the loop every few
            # hundred messages was tried: it cut ingest by two thirds.)
            sub.received += 1
            append(msg, sub_id)

        return on_msg

    async def unsubscribe(self, sub_id: int) -> None:
        """Remove one subscription; unknown ids raise TailError."""
        sub = self._subs.pop(sub_id, None)
        if sub is None:
            raise TailError(f"no tail subscription #{sub_id}")
        self._by_nats_sid.pop(sub.nats_sub._id, None)
        with contextlib.suppress(Exception):  # a closed connection has nothing to unsubscribe
            await sub.nats_sub.unsubscribe()

    async def close(self) -> None:
        """Unsubscribe everything; never raises."""
        for sub_id in list(self._subs):
            with contextlib.suppress(TailError):
                await self.unsubscribe(sub_id)

    def subscriptions(self) -> list[SubscriptionInfo]:
        return [s.info() for s in self._subs.values()]

    def subject_of(self, sub_id: int) -> str | None:
        sub = self._subs.get(sub_id)
        return sub.subject if sub is not None else None

    # --- counters --------------------------------------------------------------------------
    @property
    def received(self) -> int:
        """Messages delivered so far: every delivery got the next buffer seq, starting at 1."""
        return self.buffer.next_seq - 1

    def on_slow_consumer(self, nats_sid: int | None) -> None:
        """Slow-consumer listener for NatsSession: nats-py reports one call per dropped message."""
        self.slow_consumers += 1
        sub = self._by_nats_sid.get(nats_sid) if nats_sid is not None else None
        if sub is not None:
            sub.slow_consumers += 1

    def counters(self, now: float | None = None) -> TailCounters:
        """Sample the received counter for the rates and return a snapshot."""
        now = time.monotonic() if now is None else now
        self._rates.observe(now, self.received)
        if self._subs:
            cap_read_chunk(self.nc)  # a reconnect made a new transport
        buf = self.buffer
        return TailCounters(
            received=self.received,
            buffered=len(buf),
            buffered_bytes=buf.bytes,
            evicted=buf.evicted,
            slow_consumers=self.slow_consumers,
            rate_1s=self._rates.rate(1.0),
            rate_10s=self._rates.rate(10.0),
            first_seq=buf.first_seq,
            last_seq=buf.last_seq,
        )

    def clear(self) -> None:
        """Empty the buffer; counters keep counting (they describe the traffic, not the view)."""
        self.buffer.clear()
