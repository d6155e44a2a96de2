"""Per-second rates from monotonically growing counters, over measured time.

Server counters (in_msgs, out_bytes, ...) only grow while a server lives. A rate is
Δcounter / Δt where Δt comes from `time.monotonic()` at the moment each sample was *taken*,
never from the nominal refresh interval: polls drift, stall and get paused.

Rules, each unit-tested:
- the first sample of a key has no rate (None): one point is not a slope;
- a counter that goes down means the server restarted: the baseline resets, no rate this time
  (a negative rate would be nonsense, and so would the restart's counter jump);
- zero (or negative) elapsed time cannot give a rate: the previous rate is kept and the baseline
  is left alone, so the next sample measures over the full interval.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass
class _Sample:
    value: float
    at: float
    rate: float | None = None


class RateTracker:
    """Keeps the last sample per key and turns each new one into a rate."""

    def __init__(self) -> None:
        self._last: dict[Hashable, _Sample] = {}

    def update(self, key: Hashable, value: float, now: float) -> float | None:
        """Record `value` for `key` taken at monotonic time `now`; return the rate or None."""
        prev = self._last.get(key)
        if prev is None or value < prev.value:
            self._last[key] = _Sample(value, now)
            return None
        elapsed = now - prev.at
        if elapsed <= 0:
            return prev.rate
        rate = (value - prev.value) / elapsed
        self._last[key] = _Sample(value, now, rate)
        return rate

    def forget_except(self, keys: Iterable[Hashable]) -> None:
        """Drop every key not in `keys`, so memory follows the servers that still exist."""
        keep = set(keys)
        for key in [k for k in self._last if k not in keep]:
            del self._last[key]

    def __len__(self) -> int:
        return len(self._last)


class HistoryBook:
    """A bounded history of values per key (sparklines): oldest values fall off the front."""

    def __init__(self, size: int = 60) -> None:
        if size < 1:
            raise ValueError("history size must be at least 1")
        self.size = size
        self._series: dict[Hashable, deque[float]] = {}

    def add(self, key: Hashable, value: float) -> tuple[float, ...]:
        """Append `value` to `key`'s history and return the history, oldest first."""
        series = self._series.setdefault(key, deque(maxlen=self.size))
        series.append(value)
        return tuple(series)

    def get(self, key: Hashable) -> tuple[float, ...]:
        return tuple(self._series.get(key, ()))

    def forget_except(self, keys: Iterable[Hashable]) -> None:
        keep = set(keys)
        for key in [k for k in self._series if k not in keep]:
            del self._series[key]

    def __len__(self) -> int:
        return len(self._series)
