"""The contract every main-screen tab follows.

The app calls `attach(session)` once a connection is up and `detach()` before it closes the
session (quit, or connecting to another profile). A tab starts its own workers and timers in
`attach` and stops them in `detach`.
"""

from __future__ import annotations

from typing import ClassVar

from textual.containers import Vertical
from textual.widget import Widget

from natstui.commands import PaletteCommand
from natstui.core.connection import NatsSession
from natstui.settings import Settings
from natstui.widgets.worker_errors import ReportsWorkerErrors


class MainTab(ReportsWorkerErrors, Vertical):
    """Base class of the Cluster / Tail / Publish / Request / Services tabs."""

    DEFAULT_CSS = """
    MainTab { height: 1fr; }
    """

    # Where the keyboard goes whenever the tab is shown, so its own keys work at once
    # (bindings only apply along the focus chain).
    DEFAULT_FOCUS: ClassVar[str | None] = None

    session: NatsSession | None = None
    # App-wide settings ([settings] of the profile file); the app sets them before mounting.
    settings: Settings = Settings()

    async def attach(self, session: NatsSession) -> None:
        self.session = session

    async def detach(self) -> None:
        self.session = None

    @property
    def is_shown(self) -> bool:
        """True while this tab's pane is the visible one (hidden tabs should skip repaints:
        every widget update costs a layout pass of the whole screen)."""
        return all(node.display for node in self.ancestors_with_self if isinstance(node, Widget))

    def shown(self) -> None:
        """Called by the app each time this tab becomes the visible one."""

    def palette_commands(self) -> list[PaletteCommand]:
        """Entries this tab adds to the command palette (e.g. "Tail: subscribe…")."""
        return []
