"""The Request and scatter-gather tab. Not built yet: it says so plainly (issue #5)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from natstui.widgets.tab_base import MainTab


class RequestTab(MainTab):
    """Placeholder until issue #5 lands."""

    def compose(self) -> ComposeResult:
        yield Static("Request and scatter-gather: not built yet (issue #5).", classes="not-built")
