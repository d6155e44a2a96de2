"""Human formats for monitoring numbers: sizes, rates, durations, sparklines. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

DASH = "—"
_BYTES = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_COUNT = ("", "k", "M", "G", "T")
_SPARKS = "▁▂▃▄▅▆▇█"


def size(value: float | None) -> str:
    """1536 → `1.5 KiB`; None → a dash."""
    if value is None:
        return DASH
    amount = float(value)
    for unit in _BYTES:
        if abs(amount) < 1024 or unit == _BYTES[-1]:
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return DASH  # unreachable: the loop returns on the last unit


def count(value: float | None) -> str:
    """12345 → `12.3k`; small values stay exact."""
    if value is None:
        return DASH
    amount = float(value)
    if abs(amount) < 1000:
        return f"{amount:.0f}" if amount == int(amount) else f"{amount:.1f}"
    for unit in _COUNT[1:]:
        amount /= 1000
        if abs(amount) < 1000 or unit == _COUNT[-1]:
            return f"{amount:.1f}{unit}"
    return DASH


def rate(value: float | None) -> str:
    """Messages per second: `12.3k/s`."""
    return DASH if value is None else f"{count(value)}/s"


def byte_rate(value: float | None) -> str:
    return DASH if value is None else f"{size(value)}/s"


def duration(seconds: float | None) -> str:
    """93784 → `1d2h3m`; the two largest units only, as operators read uptimes."""
    if seconds is None:
        return DASH
    s = int(seconds)
    parts: list[str] = []
    for unit, span in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if s >= span or (unit == "s" and not parts):
            parts.append(f"{s // span}{unit}")
            s %= span
    return "".join(parts[:2])


def millis(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value * 1000:.0f}µs" if value < 1 else f"{value:.1f}ms"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f}%"


def sparkline(values: Sequence[float], width: int = 12) -> str:
    """The last `width` values as block characters scaled to their own maximum."""
    tail = list(values)[-width:]
    if not tail:
        return ""
    top = max(tail)
    if top <= 0:
        return _SPARKS[0] * len(tail)
    last = len(_SPARKS) - 1
    return "".join(_SPARKS[min(last, max(0, round(v / top * last)))] for v in tail)
