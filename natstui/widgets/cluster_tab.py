"""The Cluster tab: every server, route, gateway, leafnode and the JetStream meta group, live.

One polling worker per session runs `ClusterMonitor.refresh()`, posts the snapshot, then sleeps
`interval - elapsed` (or until "refresh now"): polls never overlap. Rendering happens in the
message handler on the UI side; a failed refresh shows in the status line, never as a dialog,
so a flapping cluster cannot cause a storm of pop-ups.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from natstui.commands import PaletteCommand
from natstui.core.cluster_models import ClusterSnapshot, ServerRow
from natstui.core.connection import NatsSession, describe_error
from natstui.core.monitor import ClusterMonitor
from natstui.core.textsafe import printable
from natstui.widgets import cluster_rows as rows
from natstui.widgets.cluster_detail import ServerDetailScreen
from natstui.widgets.cluster_interval import IntervalScreen
from natstui.widgets.cluster_status import PollState, status_line
from natstui.widgets.safe import safe_text
from natstui.widgets.tab_base import MainTab

DEFAULT_INTERVAL = 2.0
PANELS = ("cluster-routes", "cluster-gateways", "cluster-leafs", "cluster-js")


class ClusterTab(MainTab):
    """Live status of the whole cluster or supercluster."""

    DEFAULT_FOCUS = "#cluster-servers"

    DEFAULT_CSS = """
    ClusterTab #cluster-status { height: 1; padding: 0 1; background: $boost; }
    ClusterTab #cluster-notice { height: auto; max-height: 4; padding: 0 1; color: $warning; }
    ClusterTab #cluster-notice.-empty { display: none; }
    ClusterTab #cluster-servers { height: 1fr; }
    ClusterTab #cluster-panels { height: 1fr; }
    ClusterTab #cluster-js-summary { height: auto; padding: 0 1; }
    ClusterTab #cluster-routes-summary { height: auto; max-height: 6; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_now", "Refresh now"),
        Binding("p", "toggle_pause", "Pause/resume"),
        Binding("i", "set_interval", "Interval…"),
        Binding("s", "cycle_sort", "Sort column"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("enter,d", "drill_down", "Connections"),
        Binding("v", "next_panel", "Next panel"),
        Binding("x", "forget_missing", "Forget missing", show=False),
    ]

    class SnapshotReady(Message):
        """A refresh finished."""

        def __init__(self, snapshot: ClusterSnapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    class RefreshFailed(Message):
        """A refresh raised; shown in the status line until the next good one."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ClusterTab.RefreshFailed)

    def __init__(self, *, id: str | None = None, interval: float | None = None) -> None:
        super().__init__(id=id)
        # None: take the settings' interval on mount (the app sets `settings` after __init__).
        self._interval_from_settings = interval is None
        self.interval = DEFAULT_INTERVAL if interval is None else interval
        self.paused = False
        self.monitor: ClusterMonitor | None = None
        self.snapshot: ClusterSnapshot | None = None
        self.refreshes = 0
        self.last_error = ""
        self.render_s = 0.0
        self.sort_key = "name"
        self.sort_reverse = False
        self._wake = asyncio.Event()
        self._once = False  # "refresh now" while paused: one refresh, then stay paused
        self.shown_servers: list[ServerRow] = []
        self._dirty_panels: set[str] = set()
        self._render_pending = False

    # --- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Cluster: waiting for a connection…", id="cluster-status")
        yield Static("", id="cluster-notice", classes="-empty")
        yield DataTable(id="cluster-servers", cursor_type="row", zebra_stripes=True)
        with TabbedContent(id="cluster-panels"):
            with TabPane("Routes", id="cluster-routes"):
                yield Static("", id="cluster-routes-summary")
                yield DataTable(id="cluster-routes-table", cursor_type="row")
            with TabPane("Gateways", id="cluster-gateways"):
                yield DataTable(id="cluster-gateways-table", cursor_type="row")
            with TabPane("Leafnodes", id="cluster-leafs"):
                yield DataTable(id="cluster-leafs-table", cursor_type="row")
            with TabPane("JetStream", id="cluster-js"):
                yield Static("", id="cluster-js-summary")
                yield DataTable(id="cluster-js-table", cursor_type="row")

    def on_mount(self) -> None:
        if self._interval_from_settings:
            self.interval = self.settings.cluster_interval
        servers = self.query_one("#cluster-servers", DataTable)
        for column in rows.SERVER_COLUMNS:
            servers.add_column(column.label, key=column.key)
        self._columns("#cluster-routes-table", rows.ROUTE_HEADERS)
        self._columns("#cluster-gateways-table", rows.GATEWAY_HEADERS)
        self._columns("#cluster-leafs-table", rows.LEAF_HEADERS)
        self._columns("#cluster-js-table", rows.REPLICA_HEADERS)
        self.set_interval(1.0, self._show_status)
        # The app focuses the servers table whenever this tab is shown (app.DEFAULT_FOCUS).

    def _columns(self, selector: str, headers: tuple[str, ...]) -> None:
        self.query_one(selector, DataTable).add_columns(*headers)

    # --- session -----------------------------------------------------------------------------
    async def attach(self, session: NatsSession) -> None:
        await super().attach(session)
        self.monitor = ClusterMonitor(session)
        self.snapshot = None
        self.last_error = ""
        self._poll(self.monitor)

    async def detach(self) -> None:
        self.workers.cancel_group(self, "cluster-poll")
        self.monitor = None
        await super().detach()

    @work(exclusive=True, group="cluster-poll", exit_on_error=False)
    async def _poll(self, monitor: ClusterMonitor) -> None:
        """Refresh, post, sleep the rest of the interval; one loop, so polls never overlap."""
        while True:
            if self.paused and not self._once:
                await self._sleep(None)
                continue
            self._once = False
            started = time.monotonic()
            try:
                self.post_message(self.SnapshotReady(await monitor.refresh()))
            except Exception as exc:  # shown in place; the loop must survive any failure
                self.post_message(self.RefreshFailed(describe_error(exc)))
            await self._sleep(self.interval - (time.monotonic() - started))

    async def _sleep(self, seconds: float | None) -> None:
        """Wait `seconds` (forever when None) or until woken by refresh-now/resume."""
        # Cleared after waking, not before sleeping: a "refresh now" pressed while a refresh
        # was running is kept and served at once.
        if seconds is None or seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    # --- messages ----------------------------------------------------------------------------
    @on(SnapshotReady)
    def _on_snapshot(self, event: SnapshotReady) -> None:
        if self.monitor is None or not self.is_attached:
            return  # posted just before detach/quit: the widgets may be going away
        started = time.perf_counter()
        self.snapshot = event.snapshot
        self.refreshes += 1
        self.last_error = ""
        if not self.is_shown:
            self._render_pending = True  # drawn when the tab is shown (see shown())
            return
        self.render_snapshot(event.snapshot)
        self.render_s = time.perf_counter() - started

    def shown(self) -> None:
        """Catch up on a snapshot that arrived while another tab was visible."""
        if self._render_pending and self.snapshot is not None:
            self._render_pending = False
            self.render_snapshot(self.snapshot)
        else:
            self._show_status()

    @on(RefreshFailed)
    def _on_failed(self, event: RefreshFailed) -> None:
        self.last_error = event.error
        self._show_status()

    def render_snapshot(self, snap: ClusterSnapshot) -> None:
        """Redraw the servers table and the visible panel; other panels when they are shown.

        On a 30-server supercluster the route and gateway tables have hundreds of rows:
        redrawing hidden ones every refresh would only cost UI time.
        """
        self._render_servers(snap)
        self._dirty_panels = set(PANELS)
        self._render_panel(self.query_one("#cluster-panels", TabbedContent).active)
        self._render_labels(snap)
        self._show_notice(snap)
        self._show_status()

    def _render_panel(self, panel: str) -> None:
        snap = self.snapshot
        if snap is None or panel not in self._dirty_panels:
            return
        self._dirty_panels.discard(panel)
        if panel == "cluster-routes":
            summary = self.query_one("#cluster-routes-summary", Static)
            summary.update(rows.route_summary(snap))
            self._fill("#cluster-routes-table", [rows.route_cells(r) for r in snap.routes])
        elif panel == "cluster-gateways":
            self._fill("#cluster-gateways-table", [rows.gateway_cells(g) for g in snap.gateways])
        elif panel == "cluster-leafs":
            self._fill("#cluster-leafs-table", [rows.leaf_cells(leaf) for leaf in snap.leafs])
        elif panel == "cluster-js":
            self._render_jetstream(snap)

    @on(TabbedContent.TabActivated, "#cluster-panels")
    def _panel_shown(self, event: TabbedContent.TabActivated) -> None:
        event.stop()  # the app's own TabbedContent must not see our inner tabs
        if event.pane.id is not None:
            self._render_panel(event.pane.id)

    def _render_servers(self, snap: ClusterSnapshot) -> None:
        table = self.query_one("#cluster-servers", DataTable)
        selected = self.selected_server()
        self.shown_servers = rows.sort_servers(snap.servers, self.sort_key, self.sort_reverse)
        table.clear()
        for server in self.shown_servers:
            table.add_row(*rows.server_cells(server), key=server.name)
        if selected is not None and selected.name in {s.name for s in self.shown_servers}:
            table.move_cursor(row=table.get_row_index(selected.name), animate=False)

    def _fill(self, selector: str, cells: list[list[rows.Cell]]) -> None:
        table = self.query_one(selector, DataTable)
        cursor = table.cursor_row
        table.clear()
        table.add_rows(cells)
        if cells:
            table.move_cursor(row=min(cursor, len(cells) - 1), animate=False)

    def _render_jetstream(self, snap: ClusterSnapshot) -> None:
        meta = snap.jetstream
        self.query_one("#cluster-js-summary", Static).update(rows.meta_summary(meta))
        cells = (
            []
            if meta is None
            else [rows.replica_cells(meta, None)]
            + [rows.replica_cells(meta, r) for r in meta.replicas]
        )
        self._fill("#cluster-js-table", cells)

    def _render_labels(self, snap: ClusterSnapshot) -> None:
        panels = self.query_one("#cluster-panels", TabbedContent)
        labels = {
            "cluster-routes": _count_label("Routes", len(snap.routes), len(snap.missing_routes)),
            "cluster-gateways": _count_label(
                "Gateways", len(snap.gateways), sum(g.missing for g in snap.gateways)
            ),
            "cluster-leafs": f"Leafnodes ({len(snap.leafs)})",
            "cluster-js": "JetStream" + (" ✓" if snap.jetstream else ""),
        }
        for pane_id, label in labels.items():
            panels.get_tab(pane_id).label = Text(label)

    def _show_notice(self, snap: ClusterSnapshot) -> None:
        notice = self.query_one("#cluster-notice", Static)
        lines = [snap.notice] if snap.notice else []
        lines += [f"⚠ {e}" for e in snap.errors[:3]]
        if len(snap.errors) > 3:
            lines.append(f"… and {len(snap.errors) - 3} more errors")
        notice.update(safe_text("\n".join(lines), keep_newlines=True))
        notice.set_class(not lines, "-empty")

    # --- status line -------------------------------------------------------------------------
    def status_text(self) -> Text:
        """Source, servers answered, missing, data age, interval, pause, last error."""
        poll = PollState(self.monitor is not None, self.interval, self.paused, self.last_error)
        return status_line(self.snapshot, poll, time.monotonic())

    def _show_status(self) -> None:
        if not self.is_shown:
            return  # the age ticks only matter on screen; shown() brings it up to date
        with contextlib.suppress(Exception):  # not mounted yet / being removed
            self.query_one("#cluster-status", Static).update(self.status_text())

    # --- selection and drill-down ------------------------------------------------------------
    def selected_server(self) -> ServerRow | None:
        table = self.query_one("#cluster-servers", DataTable)
        if not self.shown_servers or table.row_count == 0:
            return None
        index = min(table.cursor_row, len(self.shown_servers) - 1)
        return self.shown_servers[index] if index >= 0 else None

    @on(DataTable.RowSelected, "#cluster-servers")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill_down()

    @on(DataTable.HeaderSelected, "#cluster-servers")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        self.sort_reverse = not self.sort_reverse if key == self.sort_key else False
        self.sort_key = key
        self._resort()

    # --- actions -----------------------------------------------------------------------------
    def action_refresh_now(self) -> None:
        self._once = True
        self._wake.set()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self._wake.set()
        self._show_status()

    def action_set_interval(self) -> None:
        def chosen(value: float | None) -> None:
            if value is not None:
                self.set_refresh_interval(value)

        self.app.push_screen(IntervalScreen(self.interval), chosen)

    def set_refresh_interval(self, seconds: float) -> None:
        """Use a new interval from the next sleep on (wakes the poller to apply it now)."""
        self.interval = seconds
        self._wake.set()
        self._show_status()

    def action_cycle_sort(self) -> None:
        keys = rows.COLUMN_KEYS
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.sort_reverse = False
        self._resort()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort()

    def _resort(self) -> None:
        if self.snapshot is not None:
            self._render_servers(self.snapshot)
        label = next(c.label for c in rows.SERVER_COLUMNS if c.key == self.sort_key)
        self.notify(
            f"Servers sorted by {label}{' (reversed)' if self.sort_reverse else ''}", timeout=2
        )

    def action_drill_down(self) -> None:
        server = self.selected_server()
        if server is None or self.monitor is None:
            self.notify("No server selected", severity="warning", timeout=3)
            return
        if server.missing:
            text = f"{printable(server.name)} is missing: nothing to show"
            self.notify(text, severity="warning", timeout=3, markup=False)
            return
        self.app.push_screen(ServerDetailScreen(self.monitor, server))

    def action_next_panel(self) -> None:
        panels = self.query_one("#cluster-panels", TabbedContent)
        current = PANELS.index(panels.active) if panels.active in PANELS else -1
        panels.active = PANELS[(current + 1) % len(PANELS)]

    def action_forget_missing(self) -> None:
        if self.monitor is not None:
            self.monitor.forget_missing()
            self._wake.set()

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand("Cluster: refresh now", self.action_refresh_now, "poll every server"),
            PaletteCommand(
                "Cluster: pause/resume refresh", self.action_toggle_pause, "freeze the cluster view"
            ),
            PaletteCommand(
                "Cluster: set interval…", self.action_set_interval, f"now {self.interval:g}s"
            ),
        ]


def _count_label(name: str, total: int, missing: int) -> str:
    return f"{name} ({total}, {missing} MISSING)" if missing else f"{name} ({total})"
