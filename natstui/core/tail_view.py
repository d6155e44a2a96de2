"""What the tail list shows: rows of the buffer that pass the filter, following or paused.

Pure logic (no UI): the widget calls `pull()` from a timer and reads rows by index.

- Following: rows come from the live buffer; evicted rows fall off the top.
- Paused: rows come from a frozen snapshot of the buffer taken at pause time, so what the
  operator reads does not move or vanish; new matching messages are counted as "+N new" and
  joined in on resume.
- A filter change rescans the buffer in time-budgeted batches (`pull` never runs longer than
  its budget), so a regex over 100k messages does not freeze the screen.
- Without a filter no per-message work is done at all: rows are a seq range.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass

from natstui.core.subject_stats import SubjectStats
from natstui.core.tail_buffer import RingBuffer, TailEntry
from natstui.core.tail_filters import TailFilter

PULL_BUDGET = 0.008  # seconds of filtering per pull; the rest of the frame is the UI's
STATS_BATCH = 200_000


@dataclass(frozen=True)
class ViewStatus:
    """What the tail's status line says about the view."""

    rows: int
    following: bool
    new_while_paused: int
    filtered: bool
    matched: int
    scanned: int
    scanning: bool
    missed: int  # evicted before the filter could look at them


@dataclass(frozen=True)
class ExportSource:
    """What to export, frozen in a few milliseconds on the UI loop (slot-list copies, no
    per-message work), so a thread can build the entries while the live buffer moves on."""

    buffer: RingBuffer  # a snapshot: never appended to again
    seqs: range | list[int]

    @classmethod
    def of_view(cls, view: TailView) -> ExportSource:
        """The rows the view shows (the filtered view, or everything when unfiltered)."""
        frozen = view.source if not view.following else view.live.snapshot()
        if view.filter.empty:
            return cls(frozen, range(frozen.first_seq, frozen.next_seq))
        return cls(frozen, list(view._matches))

    @classmethod
    def of_buffer(cls, buffer: RingBuffer) -> ExportSource:
        """Everything buffered now."""
        frozen = buffer.snapshot()
        return cls(frozen, range(frozen.first_seq, frozen.next_seq))

    def __len__(self) -> int:
        return len(self.seqs)

    def entries(self) -> list[TailEntry]:
        """The entries (safe to call from a thread: the snapshot no longer changes)."""
        found = (self.buffer.get(seq) for seq in self.seqs)
        return [e for e in found if e is not None]


class TailView:
    """Rows of a RingBuffer under a filter, with follow / pause."""

    def __init__(self, buffer: RingBuffer, stats: SubjectStats | None = None) -> None:
        self.live = buffer
        self.source = buffer
        self.stats = stats
        self.filter = TailFilter()
        self.following = True
        self._matches: list[int] = []
        self._scan_seq = buffer.last_seq  # last seq the filter looked at (in `source`)
        self._pending: list[int] = []  # matches among live messages while paused
        self._live_scan_seq = buffer.last_seq
        self._stats_seq = buffer.last_seq
        self.scanned = 0
        self.matched = 0
        self.missed = 0

    # --- reading rows -----------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        if self.filter.empty:
            return len(self.source)
        return len(self._matches)

    def seq_at(self, row: int) -> int | None:
        if row < 0 or row >= self.row_count:
            return None
        if self.filter.empty:
            return self.source.first_seq + row
        return self._matches[row]

    def entry_at(self, row: int) -> TailEntry | None:
        seq = self.seq_at(row)
        return None if seq is None else self.source.get(seq)

    def row_of(self, seq: int) -> int | None:
        """The row showing `seq`, if it is still shown."""
        if self.filter.empty:
            row = seq - self.source.first_seq
            return row if 0 <= row < len(self.source) else None
        i = bisect.bisect_left(self._matches, seq)
        return i if i < len(self._matches) and self._matches[i] == seq else None

    def entries(self) -> list[TailEntry]:
        """Every row's entry."""
        return ExportSource.of_view(self).entries()

    @property
    def new_while_paused(self) -> int:
        if self.following:
            return 0
        if self.filter.empty:
            return max(0, self.live.next_seq - self.source.next_seq)
        return len(self._pending)

    def status(self) -> ViewStatus:
        return ViewStatus(
            rows=self.row_count,
            following=self.following,
            new_while_paused=self.new_while_paused,
            filtered=not self.filter.empty,
            matched=self.matched,
            scanned=self.scanned,
            scanning=self.scanning,
            missed=self.missed,
        )

    @property
    def scanning(self) -> bool:
        return not self.filter.empty and self._scan_seq < self.source.last_seq

    # --- changing what is shown ---------------------------------------------------------------
    def set_filter(self, new_filter: TailFilter) -> None:
        """Apply a filter to everything buffered (rescanned by later pulls) and to new messages."""
        self.filter = new_filter
        self._matches = []
        self._pending = []
        self._scan_seq = self.source.first_seq - 1
        self._live_scan_seq = self.source.last_seq if not self.following else self._scan_seq
        self.scanned = self.matched = self.missed = 0

    def pause(self) -> None:
        if self.following:
            self.following = False
            self.source = self.live.snapshot()
            self._live_scan_seq = self.source.last_seq
            self._pending = []

    def resume(self) -> None:
        if self.following:
            return
        self.following = True
        self._pull_live(time.perf_counter() + PULL_BUDGET)
        first = self.live.first_seq
        keep = self._matches[bisect.bisect_left(self._matches, first) :]
        if self._scan_seq >= self.source.last_seq:
            # The snapshot was fully scanned: continue from where the live scan got to.
            self._matches = keep + self._pending
            self._scan_seq = self._live_scan_seq
        else:
            self._matches = keep  # the rescan carries on over the live buffer
        self._pending = []
        self.source = self.live

    def clear(self) -> None:
        """Forget the rows (after the buffer was cleared)."""
        self.source = self.live
        self.following = True
        self.set_filter(self.filter)

    # --- the timer's work -------------------------------------------------------------------
    def pull(self, budget: float = PULL_BUDGET) -> None:
        """Bring rows, counters and subject stats up to date, within about `budget` seconds."""
        deadline = time.perf_counter() + budget
        self._feed_stats()
        if self.filter.empty:
            return
        if self.scanning or self.following:
            self._scan_source(deadline)
        if not self.following:
            self._pull_live(deadline)
        if self.following:
            self._trim_evicted()

    def _feed_stats(self) -> None:
        stats = self.stats
        if stats is None:
            return
        live = self.live
        start = max(self._stats_seq + 1, live.first_seq)
        stop = min(live.next_seq, start + STATS_BATCH)
        stats.add_batch(live.subjects(start, stop), time.time())
        self._stats_seq = stop - 1

    def _scan_source(self, deadline: float) -> None:
        self._scan_seq = self._scan(self.source, self._scan_seq, self._matches, deadline)

    def _pull_live(self, deadline: float) -> None:
        if self.filter.empty:
            return
        self._live_scan_seq = self._scan(self.live, self._live_scan_seq, self._pending, deadline)
        first = self.live.first_seq
        if self._pending and self._pending[0] < first:
            del self._pending[: bisect.bisect_left(self._pending, first)]

    def _scan(self, buf: RingBuffer, after: int, out: list[int], deadline: float) -> int:
        """Filter seqs after `after` into `out` until done or past the deadline; new cursor."""
        if after < buf.first_seq - 1:
            self.missed += buf.first_seq - 1 - after
            after = buf.first_seq - 1
        matches = self.filter.matches
        seq = after
        last = buf.last_seq
        while seq < last:
            stop = min(last, seq + 512)
            for entry in buf.since(seq, stop - seq):
                self.scanned += 1
                if matches(entry):
                    out.append(entry.seq)
                    self.matched += 1
            seq = stop
            if time.perf_counter() > deadline:
                break
        return seq

    def _trim_evicted(self) -> None:
        first = self.live.first_seq
        if self._matches and self._matches[0] < first:
            del self._matches[: bisect.bisect_left(self._matches, first)]
