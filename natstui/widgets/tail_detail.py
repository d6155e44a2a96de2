"""Detail pane of the tail: subject, reply, every header in order, the payload, its size.

Everything shown came off the wire, so it is built as `rich.text.Text` from `printable()` text:
markup stays literal and escape sequences show as `\\x1b`. The payload is pretty JSON when it is
JSON, text when it is UTF-8, a hex dump otherwise; `view_payload` cuts huge payloads so a 1 MiB
or 10k-line message renders at once.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from natstui.core.payload import view_payload
from natstui.core.tail_buffer import TailEntry
from natstui.core.textsafe import printable
from natstui.widgets.tail_status import format_size


def detail_text(entry: TailEntry, subscription: str | None = None) -> Text:
    """The whole detail as one plain Text."""
    text = Text()
    stamp = datetime.fromtimestamp(entry.received).isoformat(sep=" ", timespec="milliseconds")
    _field(text, "subject", entry.subject)
    _field(text, "reply", entry.reply or "—")
    _field(text, "received", f"{stamp}   seq {entry.seq}")
    if subscription is not None:
        _field(text, "via", subscription)
    view = view_payload(entry.data)
    _field(text, "size", f"{entry.size:,} bytes ({format_size(entry.size)}), {view.kind}")
    headers = list(entry.headers.items()) if entry.headers else []
    text.append(f"headers ({len(headers)})\n", style="bold")
    for name, value in headers:
        text.append("  " + printable(name), style="yellow")
        text.append(": " + printable(value) + "\n")
    text.append("payload\n", style="bold")
    text.append(view.text)
    if view.truncated:
        text.append("\n… (cut: showing the start of the payload; export for all of it)", "italic")
    return text


def _field(text: Text, name: str, value: str) -> None:
    text.append(f"{name:<9}", style="bold")
    text.append(printable(value) + "\n")


class TailDetail(VerticalScroll, can_focus=True):
    """Scrollable detail of one message."""

    DEFAULT_CSS = """
    TailDetail { width: 38%; border-left: solid $primary-darken-2; padding: 0 1; }
    TailDetail.-hidden { display: none; }
    TailDetail > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Select a message (↑/↓, enter).", id="tail-detail-body", markup=False)

    def show(self, entry: TailEntry | None, subscription: str | None = None) -> None:
        body = self.query_one("#tail-detail-body", Static)
        if entry is None:
            body.update(Text("Select a message (↑/↓, enter)."))
        else:
            body.update(detail_text(entry, subscription))
        self.scroll_home(animate=False)
