"""The Cluster status tab. Not built yet: it says so instead of pretending to work (issue #6)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from natstui.widgets.tab_base import MainTab


class ClusterTab(MainTab):
    """Placeholder until issue #6 lands."""

    def compose(self) -> ComposeResult:
        yield Static("Cluster status: not built yet (issue #6).", classes="not-built")
