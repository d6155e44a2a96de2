"""The "Export to JSONL" dialog: a file name and, when a filter is on, what to export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

Scope = Literal["view", "buffer"]


@dataclass(frozen=True)
class ExportRequest:
    path: str
    scope: Scope


class TailExportScreen(ModalScreen[ExportRequest | None]):
    """Asks where to write; the tab writes the file in a thread worker."""

    DEFAULT_CSS = """
    TailExportScreen { align: center middle; }
    TailExportScreen > Vertical {
        width: 70; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    TailExportScreen Horizontal { height: auto; margin-top: 1; }
    TailExportScreen RadioSet { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: str, filtered: bool, view_rows: int, buffered: int) -> None:
        super().__init__()
        self.default_path = default_path
        self.filtered = filtered
        self.view_rows = view_rows
        self.buffered = buffered

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export messages to JSON Lines", markup=False)
            yield Input(self.default_path, id="tail-export-path")
            if self.filtered:
                with RadioSet(id="tail-export-scope"):
                    yield RadioButton(f"filtered view ({self.view_rows:,})", value=True)
                    yield RadioButton(f"whole buffer ({self.buffered:,})")
            with Horizontal():
                yield Button("Export", variant="primary", id="tail-export-ok")
                yield Button("Cancel", id="tail-export-cancel")

    def _scope(self) -> Scope:
        if not self.filtered:
            return "view"
        radios = self.query_one("#tail-export-scope", RadioSet)
        return "buffer" if radios.pressed_index == 1 else "view"

    def _submit(self) -> None:
        path = self.query_one("#tail-export-path", Input).value
        self.dismiss(ExportRequest(path, self._scope()))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "tail-export-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
