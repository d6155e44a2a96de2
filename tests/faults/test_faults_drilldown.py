"""The Cluster drill-down (a server's varz and connections) through a whole-cluster outage.

The screen stays open: reloading while every server is down shows why nothing can be fetched
without blaming the profile (it has system credentials; the connection is just down), and once
the servers are back a reload shows the server's details again, although the restarted
nats-server came back with a new server_id.
"""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import DataTable, Static

from natstui.app import NatsTuiApp
from natstui.widgets.cluster_detail import ServerDetailScreen
from natstui.widgets.cluster_tab import ClusterTab
from tests.helpers import MakeNats, profile_for, wait_for
from tests.helpers_screen import screen_text

SIZE = (160, 45)
RECOVERY = 20.0


def varz_text(app: NatsTuiApp) -> str:
    return str(app.screen.query_one("#detail-varz", Static).render())


@pytest.mark.timeout(90)
async def test_drilldown_through_its_servers_outage(make_nats: MakeNats) -> None:
    local = make_nats(servers=3)
    app = NatsTuiApp(profile=profile_for(local))
    async with app.run_test(size=SIZE) as pilot:
        cluster = app.query_one(ClusterTab)
        await wait_for(lambda: cluster.snapshot is not None and cluster.snapshot.answered == 3, 10)
        table = app.query_one("#cluster-servers", DataTable)
        table.focus()
        name = local.servers[0].name
        table.move_cursor(row=[str(table.get_row_at(i)[0]) for i in range(3)].index(name))
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, ServerDetailScreen))
        await wait_for(lambda: "uptime" in varz_text(app).lower(), RECOVERY, message="varz shown")
        for i in range(3):
            local.kill(i)
        await wait_for(
            lambda: app.session is not None and app.session.state.status == "reconnecting", 10
        )
        await pilot.press("r")
        await wait_for(lambda: "unavailable" in varz_text(app), RECOVERY, message="error shown")
        text = varz_text(app) + screen_text(app)
        assert "Traceback" not in text
        assert "needs system-account credentials" not in text, (
            "the profile has system credentials: the error must say the connection is down"
        )
        for i in range(3):
            await local.arestart(i)
        await wait_for(
            lambda: app.session is not None and app.session.state.status == "connected", RECOVERY
        )
        # Once polling has seen the restarted server (it has a new server_id), a reload from the
        # screen that was opened before the restart must reach it.
        await wait_for(
            lambda: (
                cluster.snapshot is not None
                and any(r.name == name and not r.missing for r in cluster.snapshot.servers)
            ),
            RECOVERY,
            message=f"{name} polled again",
        )

        async def reload_shows_varz() -> bool:
            # Like an operator: press r, look, and press again while the links come back.
            await pilot.press("r")
            with contextlib.suppress(AssertionError):
                await wait_for(lambda: "uptime" in varz_text(app).lower(), 2.0)
            return "uptime" in varz_text(app).lower()

        await wait_for(reload_shows_varz, RECOVERY, message="varz back after a reload")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, ServerDetailScreen))
    assert app._exception is None
