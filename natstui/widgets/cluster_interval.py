"""A small modal asking for the Cluster tab's refresh interval in seconds."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from natstui.widgets.safe import safe_text

MIN_INTERVAL = 0.5
MAX_INTERVAL = 3600.0


def parse_interval(text: str) -> float:
    """Seconds from user text like `2`, `0.5`, `5s`; ValueError with a plain reason."""
    cleaned = text.strip().lower().removesuffix("s").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"not a number of seconds: {text.strip()!r}") from None
    if not MIN_INTERVAL <= value <= MAX_INTERVAL:
        raise ValueError(f"interval must be between {MIN_INTERVAL:g} and {MAX_INTERVAL:g} s")
    return value


class IntervalScreen(ModalScreen[float | None]):
    """Dialog for the Cluster refresh interval in seconds (None when cancelled)."""

    DEFAULT_CSS = """
    IntervalScreen { align: center middle; }
    IntervalScreen > Vertical {
        width: 50; height: auto; padding: 1 2; border: round $accent; background: $surface;
    }
    IntervalScreen #interval-error { color: $error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: float) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Cluster refresh interval (seconds)")
            yield Input(f"{self.current:g}", id="interval-input")
            yield Static("", id="interval-error")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        try:
            value = parse_interval(event.value)
        except ValueError as exc:
            self.query_one("#interval-error", Static).update(safe_text(str(exc)))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
