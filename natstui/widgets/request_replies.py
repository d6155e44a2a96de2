"""The Request tab's replies table, detail pane and summary text.

Rows are built from frozen `Reply` models; replies that differ from the majority are marked
(`≠` and a warning colour) and their differences are listed in the detail pane. Everything
shown came off the wire, so it is rendered through `safe_text` (never markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from natstui.core.payload import view_payload
from natstui.core.requests import GatherResult, Reply, SingleResult
from natstui.core.textsafe import preview
from natstui.widgets.safe import safe_text

MAX_ROWS = 5000  # the table shows this many; the summary counts them all
MAX_MISSING_SHOWN = 40
OUTLIER_STYLE = "bold yellow"


class ReplyTable(DataTable[object]):
    """One row per reply: index, responder, latency, size, status, differs, preview."""

    DEFAULT_CSS = """
    ReplyTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Show reply", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.replies: list[Reply] = []

    def on_mount(self) -> None:
        self.add_columns("#", "responder", "ms", "bytes", "status", "≠", "payload")

    def show(self, replies: Sequence[Reply], outliers: dict[int, list[str]]) -> None:
        """Replace all rows (at most MAX_ROWS)."""
        self.clear()
        self.replies = list(replies[:MAX_ROWS])
        for reply in self.replies:
            self.add_row(*_row(reply, reply.index in outliers), key=str(reply.index))

    def current(self) -> Reply | None:
        if not self.replies or self.cursor_row < 0 or self.cursor_row >= len(self.replies):
            return None
        return self.replies[self.cursor_row]


def _row(reply: Reply, differs: bool) -> tuple[Text | str, ...]:
    style = OUTLIER_STYLE if differs else ""
    status = reply.service_error or reply.status or "ok"
    return (
        str(reply.index + 1),
        safe_text(reply.label, style),
        f"{reply.latency * 1000:.1f}",
        f"{reply.size:,}",
        safe_text(status, "red" if status != "ok" else ""),
        Text("≠", style=style) if differs else "",
        safe_text(preview(reply.data, 80)),
    )


class ReplyDetail(VerticalScroll):
    """Headers, differences and the payload (pretty JSON / text / hex) of one reply."""

    DEFAULT_CSS = """
    ReplyDetail { height: 1fr; border: round $panel; padding: 0 1; }
    ReplyDetail > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Select a reply to see it here.", id="reply-detail-body")

    def show(self, reply: Reply | None, notes: list[str] | None = None) -> None:
        body = self.query_one("#reply-detail-body", Static)
        body.update(detail_text(reply, notes or []) if reply else Text("No reply selected."))
        self.scroll_home(animate=False)


def detail_text(reply: Reply, notes: list[str]) -> Text:
    """The detail pane's content for one reply."""
    out = Text()
    out.append("responder ", "dim")
    out.append_text(safe_text(reply.label))
    out.append(f"   latency {reply.latency * 1000:.2f} ms · {reply.size:,} bytes\n", "dim")
    out.append("subject ", "dim")
    out.append_text(safe_text(reply.subject))
    out.append("\n")
    for note in notes:
        out.append("≠ ", OUTLIER_STYLE)
        out.append_text(safe_text(note, OUTLIER_STYLE))
        out.append("\n")
    for key, value in (reply.headers or {}).items():
        out.append_text(safe_text(key, "bold"))
        out.append(": ")
        out.append_text(safe_text(value))
        out.append("\n")
    view = view_payload(reply.data)
    cut = " (cut)" if view.truncated else ""
    out.append(f"\n{view.kind} payload{cut}\n", "dim")
    out.append_text(safe_text(view.text, keep_newlines=True))
    return out


def single_summary(result: SingleResult, subject: str) -> tuple[str, str]:
    """(summary line, css class) for a single request."""
    cls = {"reply": "-ok", "no_responders": "-error", "timeout": "-warning", "error": "-error"}
    return f"request {subject}: {result.summary()}", cls[result.outcome]


def gather_summary(
    result: GatherResult, expected_count: int | None, missing: list[str], differ: int
) -> tuple[str, str]:
    """(summary line, css class) for a scatter-gather."""
    got = len(result.replies)
    text = f"gather {result.spec.subject}: {got} repl{'y' if got == 1 else 'ies'}"
    text += f" in {result.elapsed * 1000:.0f} ms — {result.stop_text()}"
    wait = result.stop_wait
    if result.stop == "gap" and wait is not None:
        text += f" (ended {wait * 1000:.0f} ms after the last reply)"
    if expected_count is not None:
        lacking = len(missing) if missing else max(0, expected_count - got)
        text += f" · expected {expected_count}, missing {lacking}"
    if differ:
        text += f" · {differ} differ from the majority (≠)"
    bad = result.stop in ("no_responders", "error") or bool(missing)
    return text, "-error" if bad else ("-warning" if differ else "-ok")


def missing_text(missing: list[str]) -> str:
    if not missing:
        return ""
    shown = ", ".join(missing[:MAX_MISSING_SHOWN])
    more = len(missing) - MAX_MISSING_SHOWN
    return f"missing: {shown}" + (f" … and {more} more" if more > 0 else "")
