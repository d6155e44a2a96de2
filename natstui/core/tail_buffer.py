"""The tail's flight recorder: a ring buffer capped by message count and by payload bytes.

The subscription callback is the hot path, so `append` does the least it can: it copies the
references of the message's subject, reply, payload and headers, a wall-clock time and the size
into preallocated parallel lists, and evicts the OLDEST messages when a cap is exceeded. It keeps
no `Msg` object: strings and bytes are invisible to Python's cyclic garbage collector, while 100k
live `Msg` objects were promoted to the oldest generation and made full collections run every
few seconds for up to 0.6 s each under a firehose (measured by tests/perf/bench_tail.py).
Every message gets a monotonic sequence number; the buffer always holds one contiguous run of
sequence numbers `[first_seq, next_seq)`, so looking a message up by seq is O(1). `TailEntry`
models are built only when someone reads (the view renders a row, a filter runs, an export).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Protocol

DEFAULT_MAX_MESSAGES = 100_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# The buffer preallocates its slot lists (~56 bytes a slot before any message): 10M slots is
# ~0.5 GB already, and "1G" typed for a count must not become a 56 GB allocation at connect.
MAX_MESSAGES_LIMIT = 10_000_000
# What a slot costs beyond its payload (Msg object, subject string, bookkeeping): counted so
# that a flood of empty messages still respects the byte cap.
OVERHEAD_BYTES = 200


class MsgLike(Protocol):
    """What the buffer needs from a message: nats-py's `Msg` fits."""

    subject: str
    reply: str
    data: bytes
    headers: dict[str, str] | None


class TailEntry(NamedTuple):
    """One buffered message as the UI, filters and export see it."""

    seq: int
    received: float  # wall-clock seconds (time.time())
    subject: str
    reply: str
    headers: Mapping[str, str] | None
    data: bytes
    sub_id: int  # which tail subscription delivered it

    @property
    def size(self) -> int:
        return len(self.data)


class RingBuffer:
    """Bounded, seq-addressed message store; evicts oldest first and counts what it evicted."""

    def __init__(
        self, max_messages: int = DEFAULT_MAX_MESSAGES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        if not 1 <= max_messages <= MAX_MESSAGES_LIMIT:
            raise ValueError(f"max_messages must be between 1 and {MAX_MESSAGES_LIMIT:,}")
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self._subjects: list[str] = [""] * max_messages
        self._replies: list[str] = [""] * max_messages
        self._data: list[bytes] = [b""] * max_messages
        self._headers: list[Any] = [None] * max_messages
        self._times: list[float] = [0.0] * max_messages
        self._sizes: list[int] = [0] * max_messages
        self._subs: list[int] = [0] * max_messages
        self.first_seq = 1
        self.next_seq = 1
        self.bytes = 0
        self.evicted = 0

    def __len__(self) -> int:
        return self.next_seq - self.first_seq

    @property
    def last_seq(self) -> int:
        """The newest seq (first_seq - 1 when empty)."""
        return self.next_seq - 1

    def append(self, msg: MsgLike, sub_id: int = 0) -> None:
        """Hot path: store `msg`, evicting the oldest messages when a cap is exceeded."""
        seq = self.next_seq
        i = seq % self.max_messages
        data = msg.data
        size = len(data) + OVERHEAD_BYTES
        if seq - self.first_seq >= self.max_messages:
            # Full by count: slot i holds the oldest message; overwriting it evicts it.
            self.bytes += size - self._sizes[i]
            self.first_seq += 1
            self.evicted += 1
        else:
            self.bytes += size
        self._subjects[i] = msg.subject
        self._replies[i] = msg.reply
        self._data[i] = data
        self._headers[i] = msg.headers
        self._times[i] = time.time()
        self._sizes[i] = size
        self._subs[i] = sub_id
        self.next_seq = seq + 1
        if self.bytes > self.max_bytes:
            self._evict_for_bytes()

    def _drop_oldest(self) -> None:
        i = self.first_seq % self.max_messages
        self.bytes -= self._sizes[i]
        self._data[i] = b""
        self._headers[i] = None
        self.first_seq += 1
        self.evicted += 1

    def _evict_for_bytes(self) -> None:
        # Keep at least the newest message, even when it alone is over the byte cap.
        while self.bytes > self.max_bytes and self.next_seq - self.first_seq > 1:
            self._drop_oldest()

    def get(self, seq: int) -> TailEntry | None:
        """The entry with sequence number `seq`, or None when evicted or not yet received."""
        if not self.first_seq <= seq < self.next_seq:
            return None
        i = seq % self.max_messages
        return TailEntry(
            seq,
            self._times[i],
            self._subjects[i],
            self._replies[i] or "",
            self._headers[i],
            self._data[i],
            self._subs[i],
        )

    def since(self, after_seq: int, limit: int | None = None) -> Iterator[TailEntry]:
        """Entries with seq > after_seq that are still buffered, oldest first."""
        start = max(after_seq + 1, self.first_seq)
        stop = self.next_seq if limit is None else min(self.next_seq, start + limit)
        for seq in range(start, stop):
            entry = self.get(seq)
            if entry is not None:
                yield entry

    def clear(self) -> None:
        """Forget every buffered message (not counted as evicted); seqs keep increasing."""
        for seq in range(self.first_seq, self.next_seq):
            self._data[seq % self.max_messages] = b""
            self._headers[seq % self.max_messages] = None
        self.first_seq = self.next_seq
        self.bytes = 0

    def snapshot(self) -> RingBuffer:
        """A frozen copy for a paused view: copying the slot lists is cheap (pointer copies),
        and the copy keeps showing messages that the live buffer evicts meanwhile."""
        copy = RingBuffer.__new__(RingBuffer)
        copy.__dict__.update(self.__dict__)
        copy._subjects = self._subjects[:]
        copy._replies = self._replies[:]
        copy._data = self._data[:]
        copy._headers = self._headers[:]
        copy._times = self._times[:]
        copy._sizes = self._sizes[:]
        copy._subs = self._subs[:]
        return copy

    def subjects(self, start_seq: int, stop_seq: int) -> list[str]:
        """Subjects of the buffered seqs in [start_seq, stop_seq), oldest first: the subject
        browser's batch feed, as list slices (no per-message Python work)."""
        start = max(start_seq, self.first_seq)
        stop = min(stop_seq, self.next_seq)
        if stop <= start:
            return []
        cap = self.max_messages
        i, j = start % cap, stop % cap
        if i < j:
            return self._subjects[i:j]
        return self._subjects[i:] + self._subjects[:j]


ENV_MAX_MESSAGES = "NATSTUI_TAIL_MAX_MESSAGES"
ENV_MAX_BYTES = "NATSTUI_TAIL_MAX_BYTES"


def parse_size(text: str, base: int = 1024) -> int:
    """`65536`, `512k`, `64M`, `1G` -> an int (k = `base`, so bytes use 1024 and counts 1000);
    raises ValueError with the reason."""
    raw = text.strip().lower().removesuffix("ib").removesuffix("b")
    unit = raw[-1:] if raw[-1:] in ("k", "m", "g") else ""
    number = raw[: len(raw) - len(unit)].strip()
    try:
        value = int(float(number) * base ** ("", "k", "m", "g").index(unit))
    except (ValueError, OverflowError):  # "nan", "inf", "1e999"
        raise ValueError(f"{text!r} is not a size like 65536, 512k, 64M or 1G") from None
    if value < 1:
        raise ValueError(f"{text!r} must be positive")
    return value


def parse_message_cap(text: str) -> int:
    """A message-count cap like `100k` or `2M`, at most MAX_MESSAGES_LIMIT."""
    count = parse_size(text, base=1000)
    if count > MAX_MESSAGES_LIMIT:
        raise ValueError(f"{text!r} is more than the {MAX_MESSAGES_LIMIT:,} messages allowed")
    return count


def limits_from_env(
    environ: Mapping[str, str],
    default_messages: int = DEFAULT_MAX_MESSAGES,
    default_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[int, int, list[str]]:
    """Buffer caps from NATSTUI_TAIL_MAX_MESSAGES / NATSTUI_TAIL_MAX_BYTES, else the defaults
    (the built-in ones, or those of the settings file).

    Returns (max_messages, max_bytes, problems): a bad value falls back to the default and is
    described in `problems` so the UI can say so.
    """
    problems: list[str] = []
    count, size = default_messages, default_bytes
    if environ.get(ENV_MAX_MESSAGES):
        try:
            count = parse_message_cap(environ[ENV_MAX_MESSAGES])
        except ValueError as exc:
            problems.append(f"{ENV_MAX_MESSAGES}: {exc}; using {count:,}")
    if environ.get(ENV_MAX_BYTES):
        try:
            size = parse_size(environ[ENV_MAX_BYTES])
        except ValueError as exc:
            problems.append(f"{ENV_MAX_BYTES}: {exc}; using {size:,} bytes")
    return count, size, problems
