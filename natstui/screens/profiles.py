"""Profiles screen. Not built yet (issue 3): it says so and offers to quit."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from natstui.core.profile import Profile


class ProfilesScreen(Screen[Profile | None]):
    """Dismisses with the Profile to connect to, or None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back")]

    def __init__(self, config_path: Path | None = None) -> None:
        super().__init__()
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Saved profiles: not built yet (issue 3).\n"
                "Connect with `natstui --server URL` or try `natstui demo`."
            )
        yield Footer()

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
