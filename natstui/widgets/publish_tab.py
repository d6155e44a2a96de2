"""The Publish tab. Not built yet: it says so instead of pretending to work (issue #5)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from natstui.widgets.tab_base import MainTab


class PublishTab(MainTab):
    """Placeholder until issue #5 lands."""

    def compose(self) -> ComposeResult:
        yield Static("Publish: not built yet (issue #5).", classes="not-built")
