"""The Live tail tab. Not built yet: it says so instead of pretending to work (issue #4)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from natstui.widgets.tab_base import MainTab


class TailTab(MainTab):
    """Placeholder until issue #4 lands."""

    def compose(self) -> ComposeResult:
        yield Static("Live tail: not built yet (issue #4).", classes="not-built")
