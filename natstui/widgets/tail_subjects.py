"""Subject browser of the tail: seen subjects with counts and rates, busiest first.

Reads `SubjectSnapshot`s (memory-bounded in core) once a second while visible. Enter on a row
asks the tab to filter the list to that subject. Only the busiest rows are put in the table so
that a refresh stays cheap; the header line says how many there are and what was folded away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label

from natstui.core.subject_stats import SubjectSnapshot
from natstui.core.textsafe import printable

MAX_ROWS = 300


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:,.1f}/s"


class SubjectTable(DataTable[Text]):
    """Rows keyed by subject; enter filters on the selected one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "use", "Filter on subject"),
    ]

    @dataclass
    class FilterOn(Message):
        subject: str

    def action_use(self) -> None:
        if self.row_count == 0:
            return
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        if key.value is not None and not key.value.startswith("\0"):
            self.post_message(self.FilterOn(key.value))


class SubjectBrowser(Vertical):
    """Header line + table of subjects."""

    DEFAULT_CSS = """
    SubjectBrowser { width: 45%; border-left: solid $primary-darken-2; }
    SubjectBrowser.-hidden { display: none; }
    SubjectBrowser > Label { padding: 0 1; color: $text-muted; }
    SubjectBrowser SubjectTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("subjects: none yet", id="tail-subjects-header", markup=False)
        yield SubjectTable(id="tail-subjects-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(SubjectTable).add_columns("subject", "count", "rate")

    def show(self, snap: SubjectSnapshot) -> None:
        header = f"subjects: {snap.distinct:,} distinct"
        if snap.capped:
            header += (
                f" (cap {snap.max_subjects:,} reached: {snap.other_messages:,} messages on"
                " newer subjects counted under 'other')"
            )
        if len(snap.rows) > MAX_ROWS:
            header += f"; busiest {MAX_ROWS} shown"
        self.query_one("#tail-subjects-header", Label).update(Text(header))
        table = self.query_one(SubjectTable)
        cursor = table.cursor_row
        table.clear()
        rows = list(snap.rows[:MAX_ROWS])
        if snap.capped and rows[-1:] and not rows[-1].other:
            rows.append(snap.rows[-1])
        for row in rows:
            key = "\0other" if row.other else row.subject
            table.add_row(
                Text(printable(row.subject), style="italic" if row.other else ""),
                Text(f"{row.count:,}", justify="right"),
                Text(_rate(row.rate), justify="right"),
                key=key,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
