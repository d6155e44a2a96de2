"""The connection doctor in the UI: the same steps as `natstui doctor`, shown as they finish."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from natstui.core.doctor import Step, passed, run_doctor
from natstui.core.profile import Profile
from natstui.widgets.safe import safe_text
from natstui.widgets.worker_errors import ReportsWorkerErrors

MARKS = {True: ("✓ PASS", "bold green"), False: ("✗ FAIL", "bold red"), None: ("- skip", "dim")}


def render_step(step: Step) -> Text:
    """One step as safe text: mark, name, target, detail, and the fix when it failed."""
    mark, style = MARKS[step.ok]
    text = Text()
    text.append(f"{mark} ", style=style)  # Text(style=...) would colour the whole line
    text.append_text(safe_text(f"{step.name:<14} {step.target}  ", "bold"))
    text.append_text(safe_text(step.detail))
    if step.ok is False and step.fix:
        text.append("\n       fix: ", style="bold yellow")
        text.append_text(safe_text(step.fix))
    return text


class DoctorScreen(ReportsWorkerErrors, ModalScreen[None]):
    """Runs the doctor for a profile; escape closes, `r` runs it again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("r", "rerun", "Run again"),
    ]
    DEFAULT_CSS = """
    DoctorScreen { align: center middle; }
    DoctorScreen > Vertical {
        width: 100; height: 80%; border: thick $primary; background: $surface; padding: 1 2;
    }
    DoctorScreen #doctor-steps { height: 1fr; }
    DoctorScreen #doctor-summary { height: auto; margin-top: 1; }
    """

    class StepDone(Message):
        def __init__(self, step: Step) -> None:
            super().__init__()
            self.step = step

    class Finished(Message):
        def __init__(self, ok: bool) -> None:
            super().__init__()
            self.ok = ok

    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile
        self.steps: list[Step] = []
        self.ok: bool | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(f"Doctor: {self.profile.name}", "bold"))
            yield VerticalScroll(id="doctor-steps")
            yield Static("running…", id="doctor-summary")
            yield Static("r run again · esc close", id="doctor-keys")

    def on_mount(self) -> None:
        self.diagnose()

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def diagnose(self) -> None:
        def report(step: Step) -> None:
            self.post_message(self.StepDone(step))

        steps = await run_doctor(self.profile, report)
        self.post_message(self.Finished(passed(steps)))

    def on_doctor_screen_step_done(self, event: StepDone) -> None:
        self.steps.append(event.step)
        self.query_one("#doctor-steps").mount(Static(render_step(event.step)))

    def on_doctor_screen_finished(self, event: Finished) -> None:
        self.ok = event.ok
        summary = self.query_one("#doctor-summary", Static)
        if event.ok:
            summary.update(Text("All checks passed.", style="bold green"))
        else:
            summary.update(Text("Some checks failed: see the fixes above.", style="bold red"))

    def action_rerun(self) -> None:
        self.steps.clear()
        self.ok = None
        self.query_one("#doctor-steps").remove_children()
        self.query_one("#doctor-summary", Static).update("running…")
        self.diagnose()

    def action_close(self) -> None:
        self.dismiss(None)
