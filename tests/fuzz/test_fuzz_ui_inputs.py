"""Every text field of the running app (and of the profile editor) against hostile inputs.

The unit-level fuzzers prove each parser; this proves the screens use them safely: for every
input box of every tab (and the Cluster interval dialog and drill-down filter), each hostile value
is put in the field and submitted with the keys a user would press (Enter, ctrl+s, ctrl+g). The
app must stay up, show no traceback, and keep its connection. One app against one real server.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats, start_nats
from natstui.screens.profile_editor import ProfileEditor
from natstui.screens.profiles import ProfilesScreen
from natstui.widgets.cluster_tab import ClusterTab
from natstui.widgets.publish_tab import PublishTab
from natstui.widgets.request_tab import RequestTab
from natstui.widgets.tail_tab import TailTab
from tests.helpers import profile_for, wait_for
from tests.helpers_screen import screen_text

SIZE = (160, 48)
HOSTILE = (
    "",
    " ",
    "a..b",
    ">.a",
    "*",
    "\x1b[31mred\x1b]52;c;aGk=\x07",
    "[bold]markup[/]",
    "{{",
    "{{Random 9 1}}",
    "²",
    "٣",
    "/(unclosed/",
    "1e999",
    "nan",
    "-1",
    "0",
    "x" * 5000,
    "日本\u202e",
    "a b c",
    "Nats-Msg-Id: 1\nnats-msg-id: 2",
    "/a{99999999999}/",
    '"\\ud800"',
)


@pytest.fixture(scope="module")
def server(nats_bin: Path) -> Iterator[LocalNats]:
    local = start_nats(binary=nats_bin)
    yield local
    local.stop()


Action = Callable[[], object]


class Monkey:
    def __init__(self, app: NatsTuiApp, pilot: Pilot[None]) -> None:
        self.app, self.pilot = app, pilot
        self.tried = 0

    async def tab(self, key: str, tab_id: str) -> None:
        await self.pilot.press(key)
        await wait_for(lambda: self.app.query_one("#tabs", TabbedContent).active == tab_id)

    async def each(
        self,
        selector: str,
        *actions: Action,
        root: Widget | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        """Put every hostile value into the field and run what its keys run; the app must stay
        up. Actions are called directly (what Enter / ctrl+s / ctrl+g invoke): a `pilot.press`
        per value costs ~0.3 s here, and the bindings themselves are tested by the tab tests."""
        widget = (root or self.app.screen).query_one(selector)
        for value in HOSTILE + extra:
            if isinstance(widget, TextArea):
                widget.load_text(value)
            else:
                assert isinstance(widget, Input)
                widget.value = value
            for action in actions:
                try:
                    result = action()
                    if inspect.isawaitable(result):
                        await result
                except Exception as exc:  # in the app this would end it with a traceback
                    raise AssertionError(f"{selector} = {value!r}: {exc!r}") from exc
                await asyncio.sleep(0)  # let the worker start before the next value
            self.tried += 1
            assert self.app._exception is None, f"{selector} = {value!r} crashed the app"
        # One pause per field (one per value would cost ~0.1 s each): every queued message is
        # handled, and a handler that raised has ended the app by now.
        await self.pilot.pause()
        assert self.app._exception is None, f"a value in {selector} crashed the app"
        assert self.app.is_running, f"a value in {selector} ended the app"
        assert "Traceback" not in screen_text(self.app), selector
        if isinstance(widget, Input):
            widget.value = ""
        else:
            assert isinstance(widget, TextArea)
            widget.load_text("")


async def test_hostile_values_in_every_field(server: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=("monkey.>",)))
    async with app.run_test(size=SIZE) as pilot:
        m = Monkey(app, pilot)
        tail = app.query_one(TailTab)
        await wait_for(lambda: tail.tail is not None and tail.tail.subscriptions(), 10)
        await m.tab("2", "tail")
        await m.each("#tail-subscribe-input", submit("#tail-subscribe-input", app))
        await m.each("#tail-filter", submit("#tail-filter", app))
        publish = app.query_one(PublishTab)
        await m.tab("alt+3", "publish")
        for field in ("#pub-payload", "#pub-headers"):
            app.query_one("#pub-subject", Input).value = "monkey.x"
            await m.each(field, publish.action_send)
        for field in ("#pub-subject", "#pub-reply", "#pub-count", "#pub-interval", "#pub-file"):
            await m.each(field, publish.action_send)
        await m.each("#pub-template-name", publish.action_save_template)
        requests = app.query_one(RequestTab)
        await m.tab("alt+4", "request")
        app.query_one("#req-timeout", Input).value = "0.05"
        for field in ("#req-subject", "#req-max", "#req-gap", "#req-expect", "#req-payload"):
            app.query_one("#req-subject", Input).value = "monkey.req"
            await m.each(field, requests.action_send, requests.action_gather)
        await m.each("#req-headers", requests.action_send)
        await m.each("#req-timeout", requests.action_send, requests.action_escape)
        await m.tab("alt+5", "services")
        await m.each("#srv-filter", submit("#srv-filter", app))
        # Cluster: the interval dialog and the drill-down filter.
        cluster = app.query_one(ClusterTab)
        await m.tab("alt+1", "cluster")
        await wait_for(lambda: cluster.snapshot is not None, 10)
        app.query_one("#cluster-servers", DataTable).focus()
        await pilot.press("i")
        dialog = await wait_for(lambda: app.screen.query("#interval-input") and app.screen)
        await m.each("#interval-input", submit("#interval-input", dialog), root=dialog)
        await pilot.press("escape")
        await wait_for(lambda: not app.screen.query("#interval-input"))
        app.query_one("#cluster-servers", DataTable).focus()
        await pilot.press("enter")
        detail = await wait_for(lambda: app.screen.query("#detail-filter") and app.screen)
        await m.each("#detail-filter", submit("#detail-filter", detail), root=detail)
        await pilot.press("escape")
        assert m.tried >= 20 * len(HOSTILE)
        assert app.session is not None and app.session.nc is not None
        assert app.session.nc.is_connected, "bad input closed the connection"


def submit(selector: str, root: NatsTuiApp | Widget) -> Action:
    """What Enter in an Input does: post `Input.Submitted`."""
    box = root.query_one(selector, Input) if isinstance(root, Widget) else None

    async def run() -> None:
        target = box if box is not None else root.screen.query_one(selector, Input)
        await target.action_submit()

    return run


EDITOR_FIELDS = (
    "#name",
    "#description",
    "#servers",
    "#connect_timeout",
    "#inbox_prefix",
    "#subscriptions",
    "#monitor_urls",
    "#auth-user",
    "#tls-ca_file",
    "#tls-server_name",
)


async def test_hostile_values_in_the_profile_editor(tmp_path: Path) -> None:
    app = NatsTuiApp(config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        m = Monkey(app, pilot)
        await wait_for(lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("n")
        editor = await wait_for(lambda: isinstance(app.screen, ProfileEditor) and app.screen)
        await wait_for(lambda: getattr(editor, "_ready", False), message="editor ready")
        for field in EDITOR_FIELDS:
            # Validation runs on every change (Input.Changed): that is the path under test.
            editor.query_one("#name", Input).value = "fuzz"  # so later fields get validated
            await m.each(field, root=editor, extra=("nats://[", "http://[::1"))
        editor.query_one("#servers", Input).value = "nats://h:99999"
        await pilot.press("ctrl+s")  # invalid: refused with a message, the editor stays
        await pilot.pause()
        assert app.screen is editor
        await pilot.press("escape")
        assert m.tried >= len(EDITOR_FIELDS) * len(HOSTILE)
        assert not (tmp_path / "config.toml").exists(), "an invalid profile was saved"
