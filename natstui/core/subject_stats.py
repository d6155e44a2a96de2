"""Seen subjects with counts and rates, bounded in memory.

The first `max_subjects` distinct subjects get their own row; every later new subject is folded
into one "other" bucket, and the snapshot says so (a `>` tail on a busy system can see millions
of distinct subjects, e.g. inboxes). Updated in batches from the view's pull, never per message
from the subscription callback. Rates are Δcount / Δmonotonic between two snapshots.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

DEFAULT_MAX_SUBJECTS = 5_000


@dataclass(frozen=True)
class SubjectRow:
    """One subject (or the "other" bucket) as the subject browser shows it."""

    subject: str
    count: int
    rate: float | None
    last_seen: float  # wall-clock seconds (of the batch it was counted in)
    other: bool = False


@dataclass(frozen=True)
class SubjectSnapshot:
    """All rows, sorted by count (highest first), plus what was folded away."""

    rows: tuple[SubjectRow, ...]
    distinct: int
    max_subjects: int
    other_messages: int

    @property
    def capped(self) -> bool:
        return self.other_messages > 0


class _Counter:
    __slots__ = ("count", "last_seen", "prev_count")

    def __init__(self) -> None:
        self.count = 0
        self.last_seen = 0.0
        self.prev_count = 0


class SubjectStats:
    """Counts per subject, capped at `max_subjects` distinct ones plus an "other" bucket."""

    def __init__(self, max_subjects: int = DEFAULT_MAX_SUBJECTS) -> None:
        if max_subjects < 1:
            raise ValueError("max_subjects must be at least 1")
        self.max_subjects = max_subjects
        self._counters: dict[str, _Counter] = {}
        self._other = _Counter()
        self._last_snapshot: float | None = None

    def add(self, subject: str, when: float, count: int = 1) -> None:
        """Count `count` messages on `subject`, the last received at wall time `when`."""
        counter = self._counters.get(subject)
        if counter is None:
            if len(self._counters) >= self.max_subjects:
                counter = self._other
            else:
                counter = self._counters[subject] = _Counter()
        counter.count += count
        counter.last_seen = when

    def add_batch(self, subjects: list[str], when: float) -> None:
        """Count a batch of messages (one subject each); Counter does the counting in C."""
        add = self.add
        for subject, count in Counter(subjects).items():
            add(subject, when, count)

    def clear(self) -> None:
        self._counters.clear()
        self._other = _Counter()
        self._last_snapshot = None

    def snapshot(self, now: float | None = None) -> SubjectSnapshot:
        """Rows sorted by count, with rates since the previous snapshot."""
        now = time.monotonic() if now is None else now
        elapsed = None if self._last_snapshot is None else now - self._last_snapshot
        self._last_snapshot = now
        rows = [_row(s, c, elapsed) for s, c in self._counters.items()]
        rows.sort(key=lambda r: (-r.count, r.subject))
        other = self._other
        if other.count:
            rows.append(_row("(other subjects)", other, elapsed, other=True))
        return SubjectSnapshot(tuple(rows), len(self._counters), self.max_subjects, other.count)


def _row(subject: str, c: _Counter, elapsed: float | None, *, other: bool = False) -> SubjectRow:
    rate = (c.count - c.prev_count) / elapsed if elapsed else None
    c.prev_count = c.count
    return SubjectRow(subject, c.count, rate, c.last_seen, other)
