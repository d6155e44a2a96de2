"""The Services tab against real `nats.micro` services: listing, counters, filter, and Enter on
an endpoint opening the Request tab on its subject."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from nats import micro
from nats.aio.client import Client
from nats.micro.request import ServiceError
from textual.widgets import Input, Static, TabbedContent

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.services_tab import ServicesTab
from natstui.widgets.services_tables import EndpointTable, InstanceTable, ServiceTable
from tests.helpers import profile_for, wait_for
from tests.helpers_screen import show_tab

SIZE = (150, 50)


async def _quiet(_: Exception) -> None:
    return None


@pytest.fixture
async def services(server: LocalNats) -> AsyncIterator[Client]:
    nc = await nats.connect(
        server.client_urls, user=server.app_user, password=server.app_password, error_cb=_quiet
    )

    async def add(req: Any) -> None:
        body = json.loads(req.data or b"null")
        if not isinstance(body, list):
            raise ServiceError("400", "send a JSON list \x1b[31m")
        await req.respond(json.dumps(sum(body)).encode())

    made = []
    for version in ("1.0.0", "1.1.0"):
        svc = await micro.add_service(nc, name="calc", version=version, metadata={"zone": "a"})
        await svc.add_endpoint(name="add", subject="calc.add", handler=add)
        made.append(svc)
    echo = await micro.add_service(nc, name="echo", version="2.0.0")

    async def reply(req: Any) -> None:
        await req.respond(b"echo:" + req.data)

    await echo.add_endpoint(name="say", subject="echo.say", handler=reply)
    made.append(echo)
    for body in (b"[1,2]", b"{}", b"[3]"):
        await nc.request("calc.add", body, timeout=2)
    yield nc
    for svc in made:
        await svc.stop()
    await nc.close()


async def test_services_listed_and_endpoint_prefills_request(
    server: LocalNats, services: Client
) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ServicesTab)
        await wait_for(lambda: tab.session is not None, timeout=10)
        await show_tab(app, pilot, "services")
        table = app.query_one(ServiceTable)
        await wait_for(lambda: table.row_count == 2, timeout=10)
        await wait_for(lambda: app.focused is table)
        assert [str(table.get_row_at(i)[0]) for i in range(2)] == ["calc", "echo"]
        calc = [str(c) for c in table.get_row_at(0)]
        assert calc[1:6] == ["1.0.0, 1.1.0", "2", "1", "3", "1"]
        assert "400:send a JSON list \\x1b[31m" in calc[7]  # escape shown, not obeyed
        status = str(app.query_one("#srv-status", Static).render())
        assert "2 services, 3 instances" in status

        endpoints = app.query_one(EndpointTable)
        instances = app.query_one(InstanceTable)
        await wait_for(lambda: endpoints.row_count == 1 and instances.row_count == 2)
        ep = [str(c) for c in endpoints.get_row_at(0)]
        assert ep[:6] == ["add", "calc.add", "q", "2", "3", "1"]
        assert all("zone=a" in str(instances.get_row_at(i)[5]) for i in range(2))

        # Move to echo: its endpoint and instance follow.
        await pilot.press("down")
        await wait_for(lambda: str(endpoints.get_row_at(0)[1]) == "echo.say")
        endpoints.focus()
        await pilot.press("enter")
        await wait_for(lambda: app.query_one(TabbedContent).active == "request")
        assert app.query_one("#req-subject", Input).value == "echo.say"
        await pilot.press("ctrl+s")
        summary = app.query_one("#req-summary", Static)
        await wait_for(lambda: "reply in" in str(summary.render()))

        # Filter narrows the list.
        app.action_show_tab("services")
        await pilot.pause()
        app.query_one("#srv-filter", Input).value = "echo"
        await wait_for(lambda: table.row_count == 1)
        app.query_one("#srv-filter", Input).value = "nothing-matches"
        await wait_for(lambda: table.row_count == 0 and endpoints.row_count == 0)


async def test_refresh_picks_up_new_service(server: LocalNats, services: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ServicesTab)
        await wait_for(lambda: tab.session is not None, timeout=10)
        await show_tab(app, pilot, "services")
        table = app.query_one(ServiceTable)
        await wait_for(lambda: table.row_count == 2, timeout=10)
        names = {c.name for c in app.palette_commands()}
        wanted = {"Publish: send", "Request: send", "Request: scatter-gather", "Services: refresh"}
        assert wanted <= names
        extra = await micro.add_service(services, name="late", version="0.1.0")
        try:
            await wait_for(lambda: not tab._discovering())
            await pilot.press("ctrl+r")
            await wait_for(lambda: table.row_count == 3, timeout=10)
            await pilot.press("ctrl+t")
            assert tab.auto is False
            assert "auto-refresh off" in str(app.query_one("#srv-status", Static).render())
        finally:
            await extra.stop()
