"""The Publish tab's history and saved-templates lists: small tables of `PublishForm`s.

Enter recalls a row into the form; Delete removes a saved template. Everything shown comes
from the user or from other messages, so it goes through `safe_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from natstui.core.publish import PublishForm
from natstui.core.textsafe import preview
from natstui.widgets.safe import safe_text


class FormList(DataTable[object]):
    """A table of named publish forms; posts `Chosen` on Enter and `Removed` on Delete."""

    DEFAULT_CSS = """
    FormList { height: 1fr; min-height: 3; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Recall"),
        Binding("delete", "remove", "Remove", show=False),
    ]

    @dataclass
    class Chosen(Message):
        """A row was picked: load `form` into the editor."""

        table: FormList
        key: str
        form: PublishForm

    @dataclass
    class Removed(Message):
        """Delete was pressed on a row."""

        table: FormList
        key: str

    def __init__(self, *, id: str | None = None, removable: bool = False) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.removable = removable
        self._forms: dict[str, PublishForm] = {}

    def on_mount(self) -> None:
        self.add_columns("name", "subject", "n", "payload")

    def show(self, items: list[tuple[str, PublishForm]]) -> None:
        """Replace the rows with `(key, form)` pairs, keeping the cursor near where it was."""
        row = self.cursor_row
        self.clear()
        self._forms = dict(items)
        for key, form in items:
            self.add_row(
                safe_text(key),
                safe_text(form.subject),
                str(form.count),
                safe_text(preview(form.payload.encode(), 60)),
                key=key,
            )
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def _current_key(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return key if isinstance(key, str) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # A mouse click on the highlighted row: same as Enter.
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        key = self._current_key()
        if key is not None and key in self._forms:
            self.post_message(self.Chosen(self, key, self._forms[key]))

    def action_remove(self) -> None:
        key = self._current_key()
        if key is not None and self.removable:
            self.post_message(self.Removed(self, key))
