"""The live message list: a Line-API ScrollView that renders only the rows on screen.

`render_line(y)` maps a screen line to a row of the `TailView`, and rendered rows are cached by
message seq (plus width), so a firehose costs one render per *visible* new row per refresh,
not one per message. Follow mode keeps the cursor on the newest row; moving the cursor up,
scrolling up with the wheel or dragging the scrollbar pauses (the view freezes on a snapshot),
and `end` / `f` resumes.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollTo, ScrollUp
from textual.strip import Strip

from natstui.core.tail_buffer import TailEntry
from natstui.core.tail_view import TailView
from natstui.core.textsafe import preview, printable
from natstui.widgets.tail_status import format_size

SUBJECT_WIDTH = 36
# A few screens' worth: under a firehose cached rows scroll away at once, and a big cache only
# keeps strips alive long enough to burden the garbage collector.
CACHE_ROWS = 300
# While following a firehose every visible row changes on every pull; 10 repaints a second
# read as live and leave the loop to ingest and to keys.
FOLLOW_REPAINT = 0.1

_TIME = Style(color="bright_black")
_SUBJECT = Style(color="cyan")
_META = Style(color="yellow")
_CURSOR = Style(bgcolor="#0f4c81", bold=True)  # one flat bar, whatever the column colours
_CURSOR_BLURRED = Style(bgcolor="grey23")


def clip(text: str, width: int) -> str:
    """Cut or pad to exactly `width` terminal cells (wide characters count twice)."""
    if len(text) > width or cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


OTHER_FIXED_CELLS = 13 + 1 + 8 + 5  # time, subject's trailing space, size, markers


def subject_width(width: int) -> int:
    """The subject column: about a third of the row, so the payload preview keeps room."""
    return max(12, min(SUBJECT_WIDTH, width // 3))


def row_strip(entry: TailEntry, width: int) -> Strip:
    """One row, exactly `width` cells: time, subject, size, reply / header markers, payload
    preview (all escaped). Built as a single Strip: strips are not cheap to make."""
    stamp = datetime.fromtimestamp(entry.received).strftime("%H:%M:%S.%f")[:-3]
    markers = ("↩ " if entry.reply else "  ") + (
        f"h{len(entry.headers):<2}" if entry.headers else "   "
    )
    subject_cells = subject_width(width)
    segments = [
        Segment(stamp + " ", _TIME),
        Segment(clip(printable(entry.subject), subject_cells) + " ", _SUBJECT),
        Segment(format_size(entry.size).rjust(7) + " ", _META),
        Segment(markers, _META),
    ]
    rest = width - OTHER_FIXED_CELLS - subject_cells
    if rest <= 0:
        return Strip(segments).crop_extend(0, width, None)
    segments.append(Segment(set_cell_size(preview(entry.data, rest), rest)))
    return Strip(segments, width)


class TailList(ScrollView, can_focus=True):
    """Virtualized list over a TailView."""

    DEFAULT_CSS = """
    TailList { height: 1fr; scrollbar-gutter: stable; }
    TailList:focus { border-left: thick $accent; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "top", "Oldest", show=False),
        Binding("end,f", "follow", "Follow"),
        Binding("enter", "open", "Detail", show=False),
    ]

    cursor = reactive(-1, always_update=True, repaint=False)

    class Paused(Message):
        """The user moved away from the newest row: the tab pauses the view."""

    class Resumed(Message):
        """The user asked to follow again."""

    class Selected(Message):
        """The cursor moved to a message (or off every message: entry None)."""

        def __init__(self, entry: TailEntry | None, opened: bool = False) -> None:
            super().__init__()
            self.entry = entry
            self.opened = opened

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TailList.Selected) and not message.opened

    def __init__(self, view: TailView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(CACHE_ROWS)
        self._selected_seq: int | None = None
        self._painted = 0.0

    # --- data -> screen ---------------------------------------------------------------------
    def sync(self) -> None:
        """Called after every pull: resize, follow, and repaint only when something changed."""
        rows = self.view.row_count
        target = rows - 1 if self.view.following else self._row_of_selected(rows)
        now = time.monotonic()
        changed = self.virtual_size.height != rows or (
            self.view.following and now - self._painted >= FOLLOW_REPAINT
        )
        self.virtual_size = Size(self.size.width, rows)
        if target != self.cursor:
            self._set_cursor(target)
        if self.view.following:
            self.scroll_to(y=max(0, rows - self.scrollable_content_region.height), animate=False)
        if changed:
            self._painted = now
            self.refresh()

    def _row_of_selected(self, rows: int) -> int:
        if self._selected_seq is None:
            return min(self.cursor, rows - 1)
        row = self.view.row_of(self._selected_seq)
        return row if row is not None else min(max(self.cursor, 0), rows - 1)

    def reset(self) -> None:
        """Forget cached rows (the filter or the buffer changed)."""
        self._cache.clear()
        self._selected_seq = None
        self.sync()

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        seq = self.view.seq_at(row)
        if seq is None:
            return Strip.blank(width)
        key = (seq, width)
        strip = self._cache.get(key)
        if strip is None:
            entry = self.view.source.get(seq)
            if entry is None:
                return Strip.blank(width)
            strip = row_strip(entry, width)
            self._cache[key] = strip
        if row == self.cursor:
            return strip.apply_style(_CURSOR if self.has_focus else _CURSOR_BLURRED)
        return strip

    # --- cursor -----------------------------------------------------------------------------
    def _set_cursor(self, row: int) -> None:
        old = self.cursor
        self.cursor = row
        seq = self.view.seq_at(row)
        if seq != self._selected_seq:
            self._selected_seq = seq
            self.post_message(self.Selected(self.view.entry_at(row)))
        for line in (old, row):
            self.refresh_line(line)

    def _move(self, row: int) -> None:
        if self.view.following and row < self.view.row_count - 1:
            self.pause()
        rows = self.view.row_count
        if rows == 0:
            return
        row = max(0, min(rows - 1, row))
        self._set_cursor(row)
        self.scroll_to_row(row)

    def pause(self) -> None:
        """Freeze the view now (not when a message arrives: the next tick would follow on)."""
        self.view.pause()
        self.post_message(self.Paused())

    def scroll_to_row(self, row: int) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    @property
    def current_row(self) -> int:
        """The row the cursor is on."""
        return self._base

    @property
    def _base(self) -> int:
        # While following, the cursor belongs on the newest row even if no tick moved it yet.
        return self.view.row_count - 1 if self.view.following else self.cursor

    def action_cursor(self, delta: int) -> None:
        self._move(self._base + delta)

    def action_page(self, direction: int) -> None:
        self._move(self._base + direction * max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self._move(0)

    def action_follow(self) -> None:
        self.post_message(self.Resumed())

    def action_open(self) -> None:
        self.post_message(self.Selected(self.view.entry_at(self.current_row), opened=True))

    # --- mouse ------------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < self.view.row_count:
            self._move(row)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.view.following:
            self.pause()

    def on_scroll_up(self, event: ScrollUp) -> None:
        if self.view.following:
            self.pause()

    def on_scroll_to(self, event: ScrollTo) -> None:
        if self.view.following and event.y is not None and event.y < self.max_scroll_y:
            self.pause()
