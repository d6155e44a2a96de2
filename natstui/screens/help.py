"""The help screen: what natstui is for, and every key binding active right now."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "natstui: cluster health, live tail, publish, requests and micro services for NATS.\n"
    "Tabs: 1 Cluster · 2 Tail · 3 Publish · 4 Request · 5 Services. "
    "Ctrl+P opens the command palette. Esc closes this help."
)


def bindings_table(rows: list[tuple[str, str]]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold")
    table.add_column("key")
    table.add_column("action")
    for key, description in rows:
        table.add_row(Text(key, style="bold cyan"), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """A modal listing the bindings of the screen underneath."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close help")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-height: 80%; border: thick $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(INTRO, id="help-intro")
            yield Static(bindings_table(self.rows), id="help-bindings")
