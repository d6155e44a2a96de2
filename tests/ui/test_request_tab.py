"""The Request tab against a real server: single request outcomes, scatter-gather with a silent
and an odd responder, re-fire, bad input, and wire bytes shown safely."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent, TextArea

from natstui.app import NatsTuiApp
from natstui.core.requests import GatherSpec, gather, request_once
from natstui.demo.cluster import LocalNats
from natstui.widgets.request_replies import ReplyTable
from natstui.widgets.request_tab import RequestTab
from tests.helpers import profile_for, wait_for
from tests.helpers_screen import show_tab

SIZE = (150, 50)


async def _quiet(_: Exception) -> None:
    return None


@pytest.fixture
async def responders(server: LocalNats) -> AsyncIterator[Client]:
    """r00..r04 answer `ui.stats` (r03 stays silent, r04 is degraded); plus echo and silent."""
    nc = await nats.connect(
        server.client_urls, user=server.app_user, password=server.app_password, error_cb=_quiet
    )

    def answer(name: str):  # type: ignore[no-untyped-def]
        async def cb(msg: Msg) -> None:
            if name == "r03":
                return
            status = "degraded" if name == "r04" else "ok"
            await nc.publish(msg.reply, json.dumps({"id": name, "status": status}).encode())

        return cb

    for i in range(5):
        await nc.subscribe("ui.stats", cb=answer(f"r{i:02d}"))

    async def echo(msg: Msg) -> None:
        await nc.publish(
            msg.reply,
            b"\x1b[31mred alert in the eu region\x1b[0m " + msg.data,
            headers={"X-Who": "echo"},
        )

    async def silent(_: Msg) -> None:
        return None

    await nc.subscribe("ui.echo", cb=echo)
    await nc.subscribe("ui.silent", cb=silent)
    await nc.flush()
    yield nc
    await nc.close()


async def warm(nc: Client) -> None:
    """Until every responder answers this connection: a just-made subscription can miss the
    first request published on another connection (nats-server#5677)."""
    for _ in range(50):
        stats = await gather(nc, GatherSpec("ui.stats", timeout=1.0, gap=0.2))
        echo = await request_once(nc, "ui.echo", b"", timeout=1.0)
        if len(stats.replies) == 4 and echo.outcome == "reply":
            return
    raise AssertionError("responders never all answered")


async def open_request(app: NatsTuiApp, pilot: Pilot[None]) -> RequestTab:
    tab = app.query_one(RequestTab)
    await wait_for(lambda: tab.session is not None and tab.session.nc is not None, timeout=10)
    assert tab.session is not None and tab.session.nc is not None
    await warm(tab.session.nc)
    await show_tab(app, pilot, "request")
    await wait_for(
        lambda: app.focused is app.query_one("#req-subject"), message=f"focus {app.focused}"
    )
    return tab


def summary(app: NatsTuiApp) -> str:
    return str(app.query_one("#req-summary", Static).render())


def set_fields(app: NatsTuiApp, **values: str) -> None:
    for key, value in values.items():
        app.query_one(f"#req-{key}", Input).value = value


async def test_single_reply_no_responders_timeout(server: LocalNats, responders: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_request(app, pilot)
        set_fields(app, subject="ui.echo")
        app.query_one("#req-payload", TextArea).load_text("hi")
        await pilot.press("ctrl+s")
        await wait_for(lambda: "reply in" in summary(app))
        assert app.query_one("#req-summary").has_class("-ok")
        table = app.query_one("#req-replies", ReplyTable)
        assert table.row_count == 1
        detail = str(app.query_one("#reply-detail-body", Static).render())
        assert "\\x1b[31mred alert in the eu region\\x1b[0m hi" in detail  # shown, not obeyed
        assert "\x1b" not in detail
        assert "X-Who: echo" in detail

        set_fields(app, subject="ui.nobody")
        await pilot.press("ctrl+s")
        await wait_for(lambda: "no responders" in summary(app))
        assert app.query_one("#req-summary").has_class("-error")
        assert table.row_count == 0

        set_fields(app, subject="ui.silent", timeout="0.3")
        await pilot.press("ctrl+s")
        await wait_for(lambda: "timeout: no reply within" in summary(app))
        assert app.query_one("#req-summary").has_class("-warning")
        history = app.query_one("#req-history", DataTable)
        assert history.row_count == 3

        # $SYS requests go over the system connection; STATSZ says how many should answer.
        set_fields(app, subject="$SYS.REQ.SERVER.PING", timeout="3")
        app.query_one("#req-payload", TextArea).load_text("")  # "hi" is not a valid filter
        await pilot.press("ctrl+g")
        await wait_for(lambda: "gather $SYS.REQ.SERVER.PING: 1 reply" in summary(app))
        assert "expected 1, missing 0" in summary(app)
        assert str(table.get_row_at(0)[1]) == server.servers[0].name
        assert tab.session is not None and tab.session.nc is not None
        assert tab.session.nc.is_connected


async def test_gather_missing_outlier_refire(server: LocalNats, responders: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_request(app, pilot)
        # A 1 s gap: a loaded CI machine can delay one reply by more than the default 0.3 s.
        set_fields(app, subject="ui.stats", expect="r00 r01 r02 r03 r04", gap="1")
        await pilot.press("ctrl+g")
        await wait_for(lambda: "gather ui.stats: 4 replies" in summary(app))
        text = summary(app)
        assert "no reply for 1 s after the last one" in text
        assert "expected 5, missing 1" in text and "1 differ from the majority" in text
        assert str(app.query_one("#req-missing", Static).render()) == "missing: r03"
        table = app.query_one("#req-replies", ReplyTable)
        assert table.row_count == 4
        odd = next(i for i, r in enumerate(table.replies) if r.responder == "r04")
        assert str(table.get_row_at(odd)[5]) == "≠"
        # Select the odd reply: the detail pane says what differs.
        table.focus()
        table.move_cursor(row=odd)
        await pilot.pause()
        detail = str(app.query_one("#reply-detail-body", Static).render())
        assert 'status = "degraded" (most: "ok")' in detail

        # An empty "expect" means: everyone who answered this subject before.
        set_fields(app, expect="")
        await pilot.press("ctrl+g")
        await wait_for(lambda: len(tab.records) == 2)
        assert "expected 4, missing 0" in summary(app)
        # ctrl+r fires the last request again, whatever the fields hold now.
        set_fields(app, subject="ui.elsewhere")
        await pilot.press("ctrl+r")
        await wait_for(lambda: len(tab.records) == 3)
        assert app.query_one("#req-subject", Input).value == "ui.stats"
        assert "gather ui.stats: 4 replies" in summary(app)
        assert app.query_one("#req-history", DataTable).row_count == 3

        # Switching away before the deferred focus lands must not bounce back to this tab.
        tabs = app.query_one(TabbedContent)
        await pilot.press("alt+2", "alt+4", "alt+2")
        for _ in range(5):
            await pilot.pause()
        assert tabs.active == "tail"
        await pilot.press("alt+4")
        await wait_for(lambda: app.focused is app.query_one("#req-subject"))

        # Stop at N replies, with the Gap field left empty (no adaptive stop).
        set_fields(app, max="2", gap="")
        await pilot.press("ctrl+g")
        await wait_for(lambda: "got the 2 replies asked for" in summary(app))
        assert table.row_count == 2


BAD_INPUT: list[tuple[dict[str, str], str, str]] = [
    ({"subject": "ui.*"}, "", "cannot publish to a wildcard"),
    ({"subject": "bad subject"}, "", "white space"),
    ({"subject": "ui.echo", "timeout": "soon"}, "", "timeout must be a number"),
    ({"subject": "ui.echo", "gap": "-1"}, "", "gap must be between"),
    ({"subject": "ui.echo"}, "Bad Header: x", "header line 1"),
    ({"subject": "ui.echo", "expect": "0"}, "", "expected count must be at least 1"),
]
GOOD = {"subject": "ui.echo", "timeout": "2", "gap": "0.3", "expect": ""}


async def test_bad_input_clear_message_connection_up(server: LocalNats, responders: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_request(app, pilot)
        for fields, headers, needle in BAD_INPUT:
            set_fields(app, **{**GOOD, **fields})
            app.query_one("#req-headers", TextArea).load_text(headers)
            await pilot.press("ctrl+g")
            await wait_for(lambda n=needle: n in summary(app), message=needle)
            assert app.query_one("#req-summary").has_class("-error")
            assert any(needle in str(n.message) for n in app._notifications)
        set_fields(app, **GOOD)
        app.query_one("#req-headers", TextArea).load_text("")
        await pilot.press("ctrl+s")
        await wait_for(lambda: "reply in" in summary(app))
        assert tab.session is not None and tab.session.nc is not None
        assert tab.session.nc.is_connected
