"""The Tail tab driven with Pilot against a real nats-server: subscribe, filter, pause, detail,
copy, subject browser, export, unsubscribe."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input, Static

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.tail_list import TailList
from natstui.widgets.tail_status import TailStatus
from natstui.widgets.tail_subjects import SubjectBrowser, SubjectTable
from natstui.widgets.tail_subs import SubsTable
from natstui.widgets.tail_tab import TailTab
from tests.helpers import profile_for, wait_for

SIZE = (160, 45)


@pytest.fixture
async def pub(server: LocalNats) -> AsyncIterator[Client]:
    nc = await nats.connect(
        server.client_urls[0], user=server.app_user, password=server.app_password
    )
    yield nc
    await nc.close()


def list_lines(app: NatsTuiApp) -> list[str]:
    """The text of every visible row of the message list, as the compositor gets it."""
    lst = app.query_one(TailList)
    return [lst.render_line(y).text for y in range(lst.scrollable_content_region.height)]


def status_line(app: NatsTuiApp) -> str:
    return app.query_one(TailStatus).text.plain


def detail_lines(app: NatsTuiApp) -> list[str]:
    body = app.query_one("#tail-detail-body", Static)
    height = min(body.size.height, 400)
    return [strip.text for strip in body.render_lines(Region(0, 0, body.size.width, height))]


async def open_tail(app: NatsTuiApp, pilot: Pilot[None], subjects: int = 1) -> TailTab:
    tab = app.query_one(TailTab)
    await wait_for(lambda: tab.tail is not None, timeout=10, message="tail attached")
    await pilot.press("2")
    await wait_for(lambda: tab.tail is not None and len(tab.tail.subscriptions()) >= subjects)
    return tab


async def publish(nc: Client, items: list[tuple[str, bytes]], **kw: object) -> None:
    for subject, data in items:
        await nc.publish(subject, data, **kw)  # type: ignore[arg-type]
    await nc.flush()


async def test_profile_subscriptions_show_live_messages(server: LocalNats, pub: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui1.>", "other.*")))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot, subjects=2)
        await publish(pub, [(f"ui1.order.{i}", b'{"n": %d}' % i) for i in range(30)])
        await publish(pub, [("nottailed.x", b"no")])
        await wait_for(lambda: tab.view.row_count == 30)
        await wait_for(lambda: "ui1.order.29" in "".join(list_lines(app)))
        await wait_for(lambda: "received 30" in status_line(app))
        assert "FOLLOWING" in status_line(app)
        assert not any("nottailed" in line for line in list_lines(app))
        table = app.query_one(SubsTable)
        await wait_for(lambda: table.row_count == 2)


async def test_subscribe_from_input_and_bad_subject_keeps_connection(
    server: LocalNats, pub: Client
) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot, subjects=0)
        await pilot.press("s")
        box = app.query_one("#tail-subscribe-input", Input)
        assert box.has_focus
        box.value = "a..b"
        await pilot.press("enter")
        error = app.query_one("#tail-subscribe-error")
        await wait_for(lambda: "empty token" in str(error.render()))
        assert box.value == "a..b"  # nothing lost
        assert tab.tail is not None and tab.tail.subscriptions() == []
        box.value = "ui2.* workers"
        await pilot.press("enter")
        await wait_for(lambda: tab.tail is not None and len(tab.tail.subscriptions()) == 1)
        assert tab.tail.subscriptions()[0].queue == "workers"
        assert box.value == ""
        await publish(pub, [("ui2.x", b"hello")])
        await wait_for(lambda: any("ui2.x" in line for line in list_lines(app)))
        assert app.session is not None and app.session.nc is not None
        assert app.session.nc.is_connected


async def test_filter_live_with_counters_and_inline_error(server: LocalNats, pub: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui3.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        items = [
            (f"ui3.job.{i}", json.dumps({"status": "failed" if i % 5 == 0 else "ok"}).encode())
            for i in range(50)
        ]
        await publish(pub, items)
        await wait_for(lambda: tab.view.row_count == 50)
        await pilot.press("slash")
        await pilot.press(*'.status == "failed"')
        await wait_for(lambda: tab.view.row_count == 10 and not tab.view.scanning)
        await wait_for(lambda: "filter: 10 match / 50 scanned" in status_line(app))
        shown = [line for line in list_lines(app) if "ui3.job." in line]
        assert len(shown) == 10 and all('"failed"' in line for line in shown)
        await publish(pub, [("ui3.job.new", b'{"status": "failed"}'), ("ui3.job.n2", b"{}")])
        await wait_for(lambda: tab.view.row_count == 11)
        # A typo: the error is shown inline, the previous filter stays applied.
        await pilot.press("space", "slash", "left_parenthesis")
        error = app.query_one("#tail-filter-error")
        await wait_for(lambda: "filter not applied" in str(error.render()))
        assert tab.view.row_count == 11
        app.query_one("#tail-filter", Input).value = ""
        await wait_for(lambda: tab.view.row_count == 52)


async def test_scroll_up_pauses_new_counter_and_follow_resumes(
    server: LocalNats, pub: Client
) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui4.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        await publish(pub, [(f"ui4.m.{i}", b"x") for i in range(100)])
        await wait_for(lambda: tab.view.row_count == 100)
        tab.tail_list.focus()
        await pilot.press("up", "up", "up")
        await wait_for(lambda: not tab.view.following)
        assert tab.tail_list.cursor == 96
        await publish(pub, [(f"ui4.late.{i}", b"y") for i in range(7)])
        await wait_for(lambda: "+7 new" in status_line(app))
        assert "PAUSED" in status_line(app)
        assert tab.view.row_count == 100
        assert not any("ui4.late" in line for line in list_lines(app))
        await pilot.press("f")
        await wait_for(lambda: tab.view.following and tab.view.row_count == 107)
        await wait_for(lambda: any("ui4.late.6" in line for line in list_lines(app)))
        assert "FOLLOWING" in status_line(app)
        await pilot.press("p")
        await wait_for(lambda: "PAUSED" in status_line(app))
        await pilot.press("p")
        await wait_for(lambda: "FOLLOWING" in status_line(app))


async def test_detail_shows_headers_in_order_and_pretty_json_and_copy(
    server: LocalNats, pub: Client
) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui5.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        headers = {"Zeta": "1", "Alpha": "2", "Trace-Id": "abc"}
        await pub.publish("ui5.detail", b'{"a":{"b":[1,2]}}', reply="ui5.reply", headers=headers)
        await pub.publish("ui5.binary", b"\x00\x01\xfe\xff")
        await pub.flush()
        await wait_for(lambda: tab.view.row_count == 2)
        tab.tail_list.focus()
        await pilot.press("up", "enter")
        await wait_for(lambda: any("ui5.detail" in line for line in detail_lines(app)))
        text = "\n".join(detail_lines(app))
        assert "ui5.reply" in text
        assert text.index("Zeta: 1") < text.index("Alpha: 2") < text.index("Trace-Id: abc")
        assert '"b": [' in text and "json" in text
        await pilot.press("c")
        assert app.clipboard == '{"a":{"b":[1,2]}}'
        await pilot.press("y")
        assert app.clipboard == "ui5.detail"
        await pilot.press("down")
        await wait_for(lambda: any("ui5.binary" in line for line in detail_lines(app)))
        assert any("00 01 fe ff" in line for line in detail_lines(app))


async def test_subject_browser_counts_and_filters(server: LocalNats, pub: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui6.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        items = [("ui6.busy", b"1")] * 9 + [("ui6.quiet", b"2")] * 3
        await publish(pub, items)
        await wait_for(lambda: tab.view.row_count == 12)
        tab.tail_list.focus()
        await pilot.press("b")
        browser = app.query_one(SubjectBrowser)
        table = app.query_one(SubjectTable)
        await wait_for(lambda: browser.display and table.row_count == 2)
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "ui6.busy" and first[1] == "9"
        await pilot.press("enter")
        await wait_for(lambda: tab.view.row_count == 9 and not tab.view.scanning)
        assert app.query_one("#tail-filter", Input).value == 'subject:"ui6.busy"'


async def test_export_filtered_view_to_jsonl(
    server: LocalNats, pub: Client, tmp_path: Path
) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui7.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        await pub.publish("ui7.a", b"keep me", headers={"K": "v"})
        await pub.publish("ui7.b", b"drop")
        await pub.publish("ui7.c", b"\xff\xfe keep binary")
        await pub.flush()
        await wait_for(lambda: tab.view.row_count == 3)
        tab.set_filter("keep")
        await wait_for(lambda: tab.view.row_count == 2 and not tab.view.scanning)
        tab.tail_list.focus()
        await pilot.press("e")
        target = tmp_path / "out.jsonl"
        box = await wait_for(lambda: app.screen.query("#tail-export-path").first(Input))
        box.value = str(target)
        await pilot.press("enter")
        await wait_for(lambda: target.exists() and len(target.read_text().splitlines()) == 2)
        await wait_for(lambda: any("exported 2" in n.message for n in app._notifications))
        records = [json.loads(line) for line in target.read_text().splitlines()]
        assert [r["subject"] for r in records] == ["ui7.a", "ui7.c"]
        assert records[0]["payload"] == "keep me" and records[0]["headers"] == {"K": "v"}
        assert records[1]["encoding"] == "base64"
        # Exporting onto an existing file fails with a message and keeps the file.
        await pilot.press("e")
        box = await wait_for(lambda: app.screen.query("#tail-export-path").first(Input))
        box.value = str(target)
        await pilot.press("enter")
        await wait_for(lambda: any("already exists" in n.message for n in app._notifications))
        assert len(target.read_text().splitlines()) == 2


async def test_unsubscribe_from_table_and_palette_entries(server: LocalNats, pub: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui8.a", "ui8.b")))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot, subjects=2)
        table = app.query_one(SubsTable)
        await wait_for(lambda: table.row_count == 2)
        table.focus()
        await pilot.press("down", "delete")
        assert tab.tail is not None
        await wait_for(lambda: [s.subject for s in tab.tail.subscriptions()] == ["ui8.a"])
        await wait_for(lambda: table.row_count == 1)
        await publish(pub, [("ui8.a", b"1"), ("ui8.b", b"2")])
        await wait_for(lambda: tab.view.row_count == 1)
        names = {c.name for c in app.palette_commands()}
        assert {
            "Tail: subscribe…",
            "Tail: pause/resume",
            "Tail: export…",
            "Tail: clear filter",
        } <= names
        pause = next(c for c in app.palette_commands() if c.name == "Tail: pause/resume")
        pause.callback()
        assert not tab.view.following
        drop = next(c for c in app.palette_commands() if c.name == "Tail: unsubscribe ui8.a")
        drop.callback()
        await wait_for(lambda: tab.tail is not None and tab.tail.subscriptions() == [])
        assert not any(c.name.startswith("Tail: unsubscribe") for c in app.palette_commands())


async def test_republish_hands_message_to_publish_tab(server: LocalNats, pub: Client) -> None:
    from natstui.widgets.publish_tab import PublishTab

    app = NatsTuiApp(profile=profile_for(server, subscriptions=("ui9.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        await pub.publish("ui9.x", b"again", headers={"H": "1"})
        await pub.flush()
        await wait_for(lambda: tab.view.row_count == 1)
        got: dict[str, object] = {}
        publish_tab = app.query_one(PublishTab)
        if hasattr(publish_tab, "prefill"):
            original = publish_tab.prefill

            def spy(**kw: object) -> None:
                got.update(kw)
                original(**kw)  # type: ignore[arg-type]

            publish_tab.prefill = spy  # type: ignore[method-assign]
        tab.tail_list.focus()
        await pilot.press("r")
        if hasattr(publish_tab, "prefill"):
            await wait_for(lambda: app.query_one("#tabs").active == "publish")  # type: ignore[attr-defined]
            assert got == {
                "subject": "ui9.x",
                "payload": b"again",
                "headers": {"H": "1"},
                "reply": None,
            }
        else:
            await wait_for(lambda: any("cannot take" in n.message for n in app._notifications))


async def test_switching_profiles_resubscribes_and_lets_old_messages_go(
    server: LocalNats, pub: Client
) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("sw1.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tail(app, pilot)
        await publish(pub, [("sw1.a", b"old"), ("sw1.b", b"old")])
        await wait_for(lambda: tab.view.row_count == 2)
        tab.tail_list.focus()
        await pilot.press("up")
        await wait_for(lambda: not tab.view.following)  # paused: the view holds a snapshot
        assert tab.tail is not None
        old_buffer = tab.tail.buffer
        app.connect_profile(profile_for(server, subscriptions=("sw2.>",)))
        await wait_for(
            lambda: (
                tab.tail is not None and [s.subject for s in tab.tail.subscriptions()] == ["sw2.>"]
            ),
            timeout=10,
        )
        assert len(old_buffer) == 0 and tab.view.following
        await publish(pub, [("sw1.a", b"not tailed now"), ("sw2.b", b"new")])
        await wait_for(lambda: any("sw2.b" in line for line in list_lines(app)))
        assert tab.view.row_count == 1
