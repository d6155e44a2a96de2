"""A modal that explains a failed connection: the cause in plain words, the likely fix, and the
doctor one key away (`d`) for a step-by-step diagnosis."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from natstui.core.profile import Profile
from natstui.widgets.safe import safe_text


class ConnectErrorScreen(ModalScreen[str]):
    """Dismisses with "retry", "profiles" or "quit"."""

    BINDINGS = [
        Binding("r", "choose('retry')", "Retry"),
        Binding("d", "doctor", "Doctor"),
        Binding("p", "choose('profiles')", "Profiles"),
        Binding("escape,q", "choose('quit')", "Quit"),
    ]

    DEFAULT_CSS = """
    ConnectErrorScreen { align: center middle; }
    ConnectErrorScreen > Vertical {
        width: 80; height: auto; border: thick $error; background: $surface; padding: 1 2;
    }
    ConnectErrorScreen #cause { margin-bottom: 1; }
    ConnectErrorScreen Horizontal { height: auto; margin-top: 1; }
    ConnectErrorScreen Button { margin-right: 2; }
    """

    def __init__(self, profile: str, cause: str, fix: str) -> None:
        super().__init__()
        self._profile, self._cause, self._fix = profile, cause, fix

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(f"Cannot connect with profile {self._profile!r}", "bold"))
            yield Static(safe_text(self._cause), id="cause")
            if self._fix:
                yield Static(safe_text(f"Fix: {self._fix}"), id="fix")
            with Horizontal():
                yield Button("Retry (r)", id="retry", variant="primary")
                yield Button("Doctor (d)", id="doctor")
                yield Button("Profiles (p)", id="profiles")
                yield Button("Quit (q)", id="quit", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "doctor":
            self.action_doctor()
            return
        self.dismiss(event.button.id or "quit")

    def action_doctor(self) -> None:
        """Run the doctor on the profile that failed; closing it comes back here."""
        from natstui.screens.doctor import DoctorScreen

        profile = getattr(self.app, "profile", None)
        if isinstance(profile, Profile) and profile.name == self._profile:
            self.app.push_screen(DoctorScreen(profile))
        else:
            self.notify("No profile to diagnose.", severity="warning", markup=False)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
