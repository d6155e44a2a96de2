"""The help screen: what natstui is for, and every key binding active right now."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "natstui: cluster health, live tail, publish, requests and micro services for NATS.\n"
    "Tabs: 1 Cluster · 2 Tail · 3 Publish · 4 Request · 5 Services. "
    "Ctrl+P opens the command palette. Esc closes this help."
)


def help_rows(active: Iterable[ActiveBinding]) -> list[tuple[str, str]]:
    """(keys, action) rows for the help screen, grouped by where they apply.

    A group starts with a ("", title) row; keys with the same action share one row. Bindings of
    Textual's own widgets (cursor keys of tables and inputs) are left out: they are what every
    terminal list does, and listed first they pushed natstui's own keys off the screen.
    """
    groups: dict[str, dict[str, list[str]]] = {}
    for item in active:
        binding, node = item.binding, item.node
        if not binding.description or type(node).__module__.startswith("textual."):
            continue
        title = "Everywhere" if isinstance(node, App) else _title(node)
        keys = groups.setdefault(title, {}).setdefault(binding.description, [])
        key = node.app.get_key_display(binding)
        if key not in keys:
            keys.append(key)
    rows: list[tuple[str, str]] = []
    for title in sorted(groups, key=lambda t: t == "Everywhere"):
        rows.append(("", title))
        rows.extend((", ".join(keys), action) for action, keys in groups[title].items())
    return rows


def _title(node: DOMNode) -> str:
    doc = (type(node).__doc__ or type(node).__name__).strip().splitlines()[0]
    return doc.rstrip(".")


def bindings_view(rows: list[tuple[str, str]]) -> Group:
    """Each group as a title over a two-column table."""
    parts: list[Text | Table] = []
    table: Table | None = None
    for key, description in rows:
        if not key:
            parts.append(Text("\n" + description, style="bold underline"))
            table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
            table.add_column("key", min_width=14, style="bold cyan")
            table.add_column("action")
            parts.append(table)
        elif table is not None:
            table.add_row(Text(key), Text(description))
    return Group(*parts)


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
            yield Static(bindings_view(self.rows), id="help-bindings")
