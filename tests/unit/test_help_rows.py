"""Help rows: grouped by where a key applies, one row per action, Textual's own keys left out."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.widgets import DataTable

from natstui.screens.help import help_rows
from natstui.widgets.cluster_tab import ClusterTab


class _HelpApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ClusterTab()
        yield DataTable()


async def test_groups_merge_and_filter() -> None:
    app = _HelpApp()
    async with app.run_test():
        tab, table = app.query_one(ClusterTab), app.query_one(DataTable)
        rows = help_rows(
            [
                ActiveBinding(tab, Binding("r", "refresh_now", "Refresh now"), True),
                ActiveBinding(table, Binding("up", "cursor_up", "Cursor up"), True),
                ActiveBinding(app, Binding("1", "show_tab('cluster')", "Cluster tab"), True),
                ActiveBinding(app, Binding("alt+1", "show_tab('cluster')", "Cluster tab"), True),
                ActiveBinding(app, Binding("ctrl+q", "quit", "Quit"), True),
                ActiveBinding(app, Binding("x", "noop", ""), True),
            ]
        )
    titles = [title for key, title in rows if not key]
    assert titles[0].startswith("Live status")
    assert titles[-1] == "Everywhere"
    assert ("r", "Refresh now") in rows
    assert ("1, alt+1", "Cluster tab") in rows
    assert not any(action == "Cursor up" for _, action in rows)
    assert all(action for key, action in rows if key)
