"""The Publish tab driven by keys against a real server; a second connection checks arrivals."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from textual.pilot import Pilot
from textual.widgets import Input, Static, TabbedContent, TextArea

from natstui.app import NatsTuiApp
from natstui.core.publish_store import PublishStore
from natstui.demo.cluster import LocalNats, start_nats
from natstui.widgets.publish_lists import FormList
from natstui.widgets.publish_tab import PublishTab
from tests.helpers import collect, profile_for, wait_for
from tests.helpers_screen import show_tab

SIZE = (140, 45)


@pytest.fixture(scope="module")
def server(nats_bin: Path) -> Iterator[LocalNats]:
    local = start_nats(binary=nats_bin, extra_config="max_payload: 2048")
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NATSTUI_DATA_DIR", str(tmp_path))
    return tmp_path


async def _quiet(_: Exception) -> None:
    return None


@pytest.fixture
async def watcher(server: LocalNats) -> AsyncIterator[Client]:
    nc = await nats.connect(
        server.client_urls, user=server.app_user, password=server.app_password, error_cb=_quiet
    )
    yield nc
    await nc.close()


def app_nc(tab: PublishTab) -> Client:
    assert tab.session is not None and tab.session.nc is not None
    return tab.session.nc


async def open_publish(app: NatsTuiApp, pilot: Pilot[None]) -> PublishTab:
    tab = app.query_one(PublishTab)
    await wait_for(lambda: tab.session is not None and tab.session.nc is not None, timeout=10)
    await show_tab(app, pilot, "publish")
    return tab


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    await pilot.click(selector)
    widget = pilot.app.query_one(selector)
    if isinstance(widget, Input):
        widget.value = ""
    await pilot.press(*[c if c != "\n" else "enter" for c in text])


async def test_send_with_headers_templates_and_count(server: LocalNats, watcher: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_publish(app, pilot)
        got = await collect(watcher, "ui.pub", app_nc(tab))
        await type_into(pilot, "#pub-subject", "ui.pub")
        await type_into(pilot, "#pub-count", "3")
        app.query_one("#pub-payload", TextArea).load_text('{"n": {{Count}}}')
        app.query_one("#pub-headers", TextArea).load_text("X-Seq: {{Count}}\nX-Src: ui")
        await pilot.pause()
        shown = str(app.query_one("#pub-preview", Static).render())
        assert 'message 1: 8 bytes · JSON ok · {"n": 1}' in shown
        await pilot.press("ctrl+s")
        await wait_for(lambda: len(got) == 3)
        assert [m.data for m in got] == [b'{"n": 1}', b'{"n": 2}', b'{"n": 3}']
        assert [m.headers for m in got] == [{"X-Seq": str(i), "X-Src": "ui"} for i in (1, 2, 3)]
        await wait_for(lambda: tab.last_result is not None)
        assert "published 3 in" in str(app.query_one("#pub-result", Static).render())
        history = app.query_one("#pub-history", FormList)
        await wait_for(lambda: history.row_count == 1)


BAD_INPUT = [
    ("ui.>", "x", "", "cannot publish to a wildcard"),
    ("ui..bad", "x", "", "empty token"),
    ("ui.ok", "x" * 3000, "", "server accepts at most 2,048"),
    ("ui.ok", "x", "no colon", "header line 1"),
    ("ui.ok", "{{Nope}}", "", "unknown field 'Nope'"),
]


async def test_bad_input_is_a_clear_message_and_connection_stays_up(
    server: LocalNats, watcher: Client
) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_publish(app, pilot)
        got = await collect(watcher, "ui.after", app_nc(tab))
        result = app.query_one("#pub-result", Static)
        for subject, payload, headers, needle in BAD_INPUT:
            app.query_one("#pub-subject", Input).value = subject
            app.query_one("#pub-payload", TextArea).load_text(payload)
            app.query_one("#pub-headers", TextArea).load_text(headers)
            await pilot.click("#pub-subject")
            await pilot.press("ctrl+s")
            await wait_for(lambda n=needle: n in str(result.render()), message=needle)
            assert result.has_class("-error")
            assert any(needle in str(n.message) for n in app._notifications)
            assert tab.session is not None and tab.session.nc is not None
            assert tab.session.nc.is_connected
        # The connection still publishes.
        app.query_one("#pub-subject", Input).value = "ui.after"
        app.query_one("#pub-payload", TextArea).load_text("fine")
        app.query_one("#pub-headers", TextArea).load_text("")
        await pilot.press("ctrl+s")
        await wait_for(lambda: [m.data for m in got] == [b"fine"])
        assert watcher.is_connected


async def test_prefill_binary_and_recall_template(server: LocalNats, watcher: Client) -> None:
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_publish(app, pilot)
        got = await collect(watcher, "ui.bin", app_nc(tab))
        # As the Tail tab does it: prefill from another tab, then switch.
        app.action_show_tab("tail")
        await pilot.pause()
        raw = b"\x00\x01\x1b[31mred\xff"
        tab.prefill(subject="ui.bin", payload=raw, headers={"X-From": "tail"}, reply="r.x")
        app.action_show_tab("publish")
        await wait_for(lambda: app.query_one(TabbedContent).active == "publish")
        await pilot.pause()
        assert app.focused is not None and tab in app.focused.ancestors
        assert "binary bytes" in str(app.query_one("#pub-preview", Static).render())
        await pilot.press("ctrl+s")
        await wait_for(lambda: len(got) == 1)
        assert (got[0].data, got[0].headers, got[0].reply) == (raw, {"X-From": "tail"}, "r.x")

        history = app.query_one("#pub-history", FormList)
        assert history.row_count == 0  # a binary re-publish is a one-off, not history

        # Text with template-like braces goes out literally after a prefill (templates off).
        tab.prefill(subject="ui.bin", payload=b'{"t": "{{Count}}"}')
        await pilot.press("ctrl+s")
        await wait_for(lambda: len(got) == 2)
        assert got[1].data == b'{"t": "{{Count}}"}'

        # Save as a named template, change the form, recall it with Enter.
        await type_into(pilot, "#pub-template-name", "lit")
        await pilot.press("ctrl+t")
        saved = app.query_one("#pub-saved", FormList)
        await wait_for(lambda: saved.row_count == 1)
        app.query_one("#pub-subject", Input).value = "other.subject"
        await pilot.click("#pub-saved")
        await pilot.press("enter")
        await wait_for(lambda: app.query_one("#pub-subject", Input).value == "ui.bin")
        assert app.query_one("#pub-payload", TextArea).text == '{"t": "{{Count}}"}'


async def test_history_persists_for_saved_profiles(
    server: LocalNats, watcher: Client, data_dir: Path
) -> None:
    profile = profile_for(server, name="persisted", ephemeral=False)
    app = NatsTuiApp(profile=profile)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_publish(app, pilot)
        app.query_one("#pub-subject", Input).value = "ui.hist"
        app.query_one("#pub-payload", TextArea).load_text("h1")
        await pilot.press("ctrl+s")
        store_file = data_dir / "publish.json"
        await wait_for(lambda: store_file.exists())
        assert store_file.stat().st_mode & 0o777 == 0o600
        assert tab.last_result is not None
    store = PublishStore(store_file)
    entries = store.history("persisted").entries
    assert [(e.subject, e.payload) for e in entries] == [("ui.hist", "h1")]
    assert json.loads(store_file.read_text())["version"] == 1


async def test_payload_from_file(server: LocalNats, watcher: Client, tmp_path: Path) -> None:
    blob = bytes(range(256)) * 4
    path = tmp_path / "payload.bin"
    path.write_bytes(blob)
    app = NatsTuiApp(profile=profile_for(server))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_publish(app, pilot)
        got = await collect(watcher, "ui.file", app_nc(tab))
        app.query_one("#pub-subject", Input).value = "ui.file"
        app.query_one("#pub-file", Input).value = str(tmp_path / "missing.bin")
        await pilot.press("ctrl+s")
        result = app.query_one("#pub-result", Static)
        await wait_for(lambda: "cannot read" in str(result.render()))
        assert result.has_class("-error")
        app.query_one("#pub-file", Input).value = str(path)
        await pilot.pause()
        assert "the bytes of" in str(app.query_one("#pub-preview", Static).render())
        await pilot.press("ctrl+s")
        await wait_for(lambda: len(got) == 1)
        assert got[0].data == blob
        # History recalls the file, not the (empty) editor text.
        app.query_one("#pub-file", Input).value = ""
        await pilot.click("#pub-history")
        await pilot.press("enter")
        await wait_for(lambda: app.query_one("#pub-file", Input).value == str(path))
        assert tab.session is not None and tab.session.nc is not None
        assert tab.session.nc.is_connected
