"""The tail's one-line status: follow/paused, counters, rates, buffer, drops, filter matches.

A Line-level widget that repaints itself without asking for a layout pass: a `Static.update`
re-lays out the whole screen, which costs tens of milliseconds on a busy screen and would run
several times a second.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from natstui.core.tail import TailCounters
from natstui.core.tail_view import ViewStatus


def format_size(size: int) -> str:
    """Bytes as a short human size: 128B, 4.0K, 1.0M."""
    if size < 1024:
        return f"{size}B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f}K"
    return f"{size / (1024 * 1024):.1f}M"


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:,.0f}/s"


def status_text(counters: TailCounters, view: ViewStatus) -> Text:
    """The one-line summary above the list."""
    text = Text()
    if view.following:
        text.append(" ● FOLLOWING ", style="bold black on green")
    else:
        text.append(" ❚❚ PAUSED ", style="bold black on yellow")
        text.append(f" +{view.new_while_paused:,} new (f)", style="bold yellow")
    text.append(f"  received {counters.received:,}")
    text.append(f"  1s {_rate(counters.rate_1s)} 10s {_rate(counters.rate_10s)}")
    text.append(f"  buffer {counters.buffered:,}/{format_size(counters.buffered_bytes)}")
    text.append(f"  evicted {counters.evicted:,}", style="yellow" if counters.evicted else "")
    slow_style = "bold red" if counters.slow_consumers else ""
    text.append(f"  slow-consumer drops {counters.slow_consumers:,}", style=slow_style)
    if view.filtered:
        text.append(f"  filter: {view.matched:,} match / {view.scanned:,} scanned", "cyan")
        if view.scanning:
            text.append(" (scanning…)", "cyan italic")
        if view.missed:
            text.append(f" ({view.missed:,} evicted before scanned)", "yellow")
    return text


class TailStatus(Widget):
    """Shows the latest status Text; `show()` repaints without a layout pass."""

    DEFAULT_CSS = """
    TailStatus { height: 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text("not connected")

    def show(self, text: Text) -> None:
        self._text = text
        self.refresh()

    @property
    def text(self) -> Text:
        return self._text

    def render(self) -> Text:
        return self._text
