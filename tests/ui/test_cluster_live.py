"""The Cluster tab while servers die and come back, and on the demo supercluster."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import DataTable, Static, TabbedContent

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.cluster_tab import ClusterTab
from tests.helpers import MakeNats, profile_for, wait_for

SIZE = (200, 50)


def rows_of(table: DataTable[object]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def plain(widget: Static) -> str:
    return str(widget.render())


async def test_killed_server_shown_missing_then_back(make_nats: MakeNats) -> None:
    local = make_nats(servers=3)
    # Connect to the first server only, so the app's own connection survives the kill.
    profile = replace(profile_for(local), servers=(local.client_urls[0],))
    app = NatsTuiApp(profile=profile)
    async with app.run_test(size=SIZE):
        tab = app.query_one(ClusterTab)
        tab.set_refresh_interval(0.5)
        await wait_for(lambda: tab.snapshot is not None and tab.snapshot.answered == 3, 10)
        servers = app.query_one("#cluster-servers", DataTable)
        routes = app.query_one("#cluster-routes-table", DataTable)
        start = tab.refreshes
        local.kill(2)
        victim = local.servers[2].name

        def victim_missing() -> bool:
            return any(r[0] == victim and r[2] == "MISSING" for r in rows_of(servers))

        await wait_for(victim_missing, 10)
        # Within two refreshes of the kill (the one in flight may predate it).
        assert tab.refreshes - start <= 3
        flagged = {(r[1], r[2]) for r in rows_of(routes) if r[8] == "MISSING"}
        assert flagged == {(local.servers[0].name, victim), (local.servers[1].name, victim)}
        status = plain(app.query_one("#cluster-status", Static))
        assert "1 missing" in status and "2 routes missing" in status
        summary = plain(app.query_one("#cluster-routes-summary", Static))
        a, b = local.servers[0].name, local.servers[1].name
        assert summary == f"c1 2/4 routes up · missing: {a}→{victim}, {b}→{victim}"
        await local.arestart(2)
        await wait_for(lambda: not victim_missing() and servers.row_count == 3, 20)
        await wait_for(lambda: all(r[8] == "ok" for r in rows_of(routes)), 10)
        await app.action_quit()


async def test_refresh_failure_is_shown_in_place_and_old_data_kept(make_nats: MakeNats) -> None:
    local = make_nats()
    app = NatsTuiApp(profile=profile_for(local))
    async with app.run_test(size=SIZE):
        tab = app.query_one(ClusterTab)
        tab.set_refresh_interval(0.5)
        await wait_for(lambda: tab.snapshot is not None and tab.snapshot.answered == 1, 10)
        local.kill(0)
        status = app.query_one("#cluster-status", Static)
        await wait_for(lambda: "refresh failed" in plain(status), 10)
        assert app.query_one("#cluster-servers", DataTable).row_count == 1  # kept, not wiped
        assert len(app.screen_stack) == 1  # no modal dialog
        await app.action_quit()


async def test_supercluster_gateways_and_routes_per_cluster(nats_super: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(nats_super))
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ClusterTab)
        await wait_for(lambda: tab.snapshot is not None and tab.snapshot.answered == 9, 10)
        servers = rows_of(app.query_one("#cluster-servers", DataTable))
        # Grouped by cluster, in cluster order.
        assert [r[1] for r in servers] == ["eu"] * 3 + ["us-east"] * 3 + ["us-west"] * 3
        gateway_table = app.query_one("#cluster-gateways-table", DataTable)
        assert gateway_table.row_count == 0  # hidden panels are drawn when shown, not before
        app.query_one("#cluster-servers", DataTable).focus()
        await pilot.press("v")
        panels = app.query_one("#cluster-panels", TabbedContent)
        assert panels.active == "cluster-gateways"
        await wait_for(lambda: gateway_table.row_count > 0)
        gateways = rows_of(gateway_table)
        outbound = [r for r in gateways if "out" in r[2]]
        assert len(outbound) == 18 and {r[9] for r in outbound} == {"ok"}
        per_cluster = {(r[0], r[3]) for r in outbound}
        assert per_cluster == {
            (a, b)
            for a in ("eu", "us-east", "us-west")
            for b in ("eu", "us-east", "us-west")
            if a != b
        }
        await app.action_quit()
