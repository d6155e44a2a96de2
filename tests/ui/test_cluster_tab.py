"""The Cluster tab driven by keys against a real 3-node cluster (one cluster for the module)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from natstui.app import NatsTuiApp
from natstui.core.monitor import LIMITED_NOTICE
from natstui.demo.cluster import LocalNats, start_nats
from natstui.widgets.cluster_detail import ServerDetailScreen
from natstui.widgets.cluster_interval import IntervalScreen
from natstui.widgets.cluster_tab import ClusterTab
from tests.helpers import profile_for, wait_for

SIZE = (180, 50)


@pytest.fixture(scope="module")
def cluster(nats_bin: Path) -> Iterator[LocalNats]:
    local = start_nats(binary=nats_bin, servers=3)
    yield local
    local.stop()


def tab_of(app: NatsTuiApp) -> ClusterTab:
    return app.query_one(ClusterTab)


def cell_texts(table: DataTable[object], column: int) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


def plain(widget: Static) -> str:
    return str(widget.render())


async def test_servers_and_routes_shown_live(cluster: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(cluster))
    async with app.run_test(size=SIZE):
        tab = tab_of(app)
        await wait_for(lambda: tab.snapshot is not None and tab.snapshot.answered == 3, 10)
        servers = app.query_one("#cluster-servers", DataTable)
        assert sorted(cell_texts(servers, 0)) == ["c1-1", "c1-2", "c1-3"]
        routes = app.query_one("#cluster-routes-table", DataTable)
        assert routes.row_count == 6
        assert set(cell_texts(routes, 8)) == {"ok"}
        status = plain(app.query_one("#cluster-status", Static))
        assert "system · 3/3 servers" in status
        assert "every 2s" in status
        # Live: a second refresh arrives on its own, and the sparkline history grows.
        first = tab.refreshes
        await wait_for(lambda: tab.refreshes >= first + 1, 8)
        await wait_for(
            lambda: (
                tab.snapshot is not None and all(len(s.history) >= 1 for s in tab.snapshot.servers)
            ),
            8,
        )
        await app.action_quit()


async def test_pause_refresh_now_and_interval(cluster: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(cluster))
    async with app.run_test(size=SIZE) as pilot:
        tab = tab_of(app)
        await wait_for(lambda: tab.refreshes >= 1, 10)
        app.query_one("#cluster-servers", DataTable).focus()
        await pilot.press("p")
        assert tab.paused
        await wait_for(lambda: "paused" in plain(app.query_one("#cluster-status", Static)))
        count = tab.refreshes
        await pilot.press("r")  # refresh now works while paused: exactly one refresh
        await wait_for(lambda: tab.refreshes == count + 1, 5)
        assert tab.paused
        await pilot.press("i")
        await wait_for(lambda: isinstance(app.screen, IntervalScreen))
        box = app.screen.query_one(Input)
        box.value = "abc"
        await pilot.press("enter")
        error = app.screen.query_one("#interval-error", Static)
        await wait_for(lambda: "not a number" in plain(error))
        box.value = "0.5"
        await pilot.press("enter")
        await wait_for(lambda: not isinstance(app.screen, IntervalScreen))
        assert tab.interval == 0.5
        await pilot.press("p")
        assert not tab.paused
        count = tab.refreshes
        await wait_for(lambda: tab.refreshes >= count + 3, 5)
        await app.action_quit()


async def test_sort_by_column_keeps_clusters_grouped(cluster: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(cluster))
    async with app.run_test(size=SIZE) as pilot:
        tab = tab_of(app)
        await wait_for(lambda: tab.refreshes >= 1, 10)
        servers = app.query_one("#cluster-servers", DataTable)
        servers.focus()
        await pilot.press("S")
        assert cell_texts(servers, 0) == ["c1-3", "c1-2", "c1-1"]
        await pilot.press("S")
        assert cell_texts(servers, 0) == ["c1-1", "c1-2", "c1-3"]
        await pilot.press("s")
        assert tab.sort_key == "cluster"
        await app.action_quit()


async def test_clicking_a_header_sorts_by_that_column(cluster: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(cluster))
    async with app.run_test(size=SIZE) as pilot:
        tab = tab_of(app)
        await wait_for(lambda: tab.refreshes >= 1, 10)
        servers = app.query_one("#cluster-servers", DataTable)
        x = 0
        for key, column in servers.columns.items():
            if key.value == "mem":
                break
            x += column.get_render_width(servers)
        assert await pilot.click("#cluster-servers", offset=(x + 2, 0))
        await wait_for(lambda: tab.sort_key == "mem")
        mems = [s.mem or 0 for s in tab.shown_servers]
        assert mems == sorted(mems)
        assert await pilot.click("#cluster-servers", offset=(x + 2, 0))
        await wait_for(lambda: tab.sort_reverse)
        await app.action_quit()


async def test_drill_down_connections_filter_and_back(cluster: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(cluster))
    async with app.run_test(size=SIZE) as pilot:
        tab = tab_of(app)
        await wait_for(lambda: tab.refreshes >= 1, 10)
        servers = app.query_one("#cluster-servers", DataTable)
        servers.focus()
        assert app.session is not None
        connected = app.session.state.server_name
        assert connected is not None
        names = cell_texts(servers, 0)
        servers.move_cursor(row=names.index(connected))
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, ServerDetailScreen))
        screen = app.screen
        assert isinstance(screen, ServerDetailScreen)
        await wait_for(lambda: screen.page is not None and screen.detail is not None, 5)
        conns = screen.query_one("#detail-conns", DataTable)
        assert conns.has_focus  # keys go to the screen's bindings, not the hidden filter box
        shown = {b.binding.description for b in app.active_bindings.values()}
        assert {"Next page", "Sort", "Filter"} <= shown  # what the footer shows
        # Our own app connection (account APP, user app) is on this server.
        assert "APP" in cell_texts(conns, 2)
        varz = plain(screen.query_one("#detail-varz", Static))
        assert connected in varz and "connections" in varz
        await pilot.press("slash")
        screen.query_one("#detail-filter", Input).value = "subj:foo"
        await pilot.press("enter")
        await wait_for(
            lambda: "needs an account" in plain(screen.query_one("#detail-error", Static))
        )
        screen.query_one("#detail-filter", Input).value = "acc:NOPE"
        await pilot.press("enter")
        await wait_for(lambda: screen.page is not None and screen.page.query.account == "NOPE", 5)
        assert conns.row_count == 0
        await pilot.press("s")
        await wait_for(lambda: screen.page is not None and screen.page.query.sort == "msgs_to", 5)
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, ServerDetailScreen))
        await app.action_quit()


async def test_plain_user_sees_what_credentials_would_show_more(cluster: LocalNats) -> None:
    profile = replace(profile_for(cluster), system_auth=None, monitor_urls=())
    app = NatsTuiApp(profile=profile)
    async with app.run_test(size=SIZE):
        tab = tab_of(app)
        await wait_for(lambda: tab.snapshot is not None, 10)
        assert tab.snapshot is not None and tab.snapshot.source == "limited"
        notice = plain(app.query_one("#cluster-notice", Static))
        assert notice.startswith(LIMITED_NOTICE[:40])
        assert "system_auth" in notice
        await app.action_quit()


async def test_palette_commands_pause_and_set_interval(cluster: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(cluster))
    async with app.run_test(size=SIZE) as pilot:
        tab = tab_of(app)
        await wait_for(lambda: tab.refreshes >= 1, 10)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Cluster: pause")
        await pilot.press("enter")
        await wait_for(lambda: tab.paused, message="palette paused the refresh")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Cluster: set interval")
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, IntervalScreen))
        app.screen.query_one(Input).value = "7"
        await pilot.press("enter")
        await wait_for(lambda: tab.interval == 7.0)
        await app.action_quit()


def test_palette_offers_cluster_commands() -> None:
    names = [c.name for c in ClusterTab().palette_commands()]
    assert names == [
        "Cluster: refresh now",
        "Cluster: pause/resume refresh",
        "Cluster: set interval…",
    ]
