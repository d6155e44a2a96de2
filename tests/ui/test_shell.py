"""The app shell against a real TLS server: status bar, tab keys, help, palette, clean quit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from natstui.app import NatsTuiApp
from natstui.config import save_profile
from natstui.demo import LocalNats
from natstui.screens.help import HelpScreen
from natstui.widgets.cluster_tab import ClusterTab
from natstui.widgets.status_bar import StatusBar
from natstui.widgets.tail_tab import TailTab
from tests.helpers import profile_for, wait_for


def status_text(app: NatsTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


async def test_status_bar_tabs_help_palette_and_clean_quit(nats_tls: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(nats_tls))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(lambda: app.session and app.session.state.status == "connected")
        await wait_for(lambda: "TLSv1" in status_text(app), message="TLS shown in status bar")
        await wait_for(lambda: "app@APP" in status_text(app), message="user@account shown")
        text = status_text(app)
        assert nats_tls.servers[0].name in text
        assert "app@APP" in text
        assert "PLAINTEXT" not in text

        tabs = app.query_one("#tabs")
        for key, tab in [("5", "services"), ("2", "tail"), ("1", "cluster"), ("4", "request")]:
            await pilot.press(key)
            await wait_for(lambda t=tab: tabs.active == t, message=f"tab {tab}")  # type: ignore[misc]
        # The Request tab focuses its subject input: a plain digit types into it, alt+digit
        # still switches tabs.
        await pilot.press("3")
        await pilot.pause()
        assert tabs.active == "request"
        await pilot.press("alt+3")
        await wait_for(lambda: tabs.active == "publish")
        await pilot.press("alt+5")
        await wait_for(lambda: tabs.active == "services")

        await pilot.press("f1")
        await wait_for(lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("^q", "Quit") in help_screen.rows or ("ctrl+q", "Quit") in help_screen.rows
        assert "Quit" in app.export_screenshot()
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen))

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Go to Tail")
        await pilot.press("enter")
        await wait_for(lambda: tabs.active == "tail", message="palette switched to Tail")

        session = app.session
        assert session is not None and session.nc is not None
        nc = session.nc
        await pilot.press("ctrl+q")
        await wait_for(lambda: nc.is_closed, message="connection drained and closed on quit")
    assert app.session is None


async def test_plaintext_connection_is_flagged_loudly(nats_single: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(nats_single))
    async with app.run_test(size=(160, 40)):
        await wait_for(lambda: "PLAINTEXT" in status_text(app), message="plaintext warning")
        await app.action_quit()


async def test_palette_connects_to_a_saved_profile(
    nats_single: LocalNats, make_nats: Callable[..., LocalNats], tmp_path: Path
) -> None:
    other = make_nats()
    store = tmp_path / "config.toml"
    save_profile(store, replace(profile_for(other), name="staging", ephemeral=False))
    app = NatsTuiApp(profile=profile_for(nats_single), config_path=store)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(lambda: app.session and app.session.state.status == "connected")
        first = app.session
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Connect: staging")
        await pilot.press("enter")
        await wait_for(
            lambda: (
                app.session is not first
                and app.session is not None
                and app.session.state.status == "connected"
                and app.session.state.profile == "staging"
            ),
            10,
            message="connected to the saved profile from the palette",
        )
        assert other.servers[0].name in status_text(app)
        assert first is not None and first.nc is not None and first.nc.is_closed
        await app.action_quit()


async def test_settings_file_reaches_the_tabs(nats_single: LocalNats, tmp_path: Path) -> None:
    store = tmp_path / "config.toml"
    store.write_text(
        '[settings]\ntail_max_messages = 1234\ntail_max_bytes = "2M"\ncluster_interval = 7.5\n'
    )
    app = NatsTuiApp(profile=profile_for(nats_single), config_path=store)
    async with app.run_test(size=(160, 40)):
        tail_tab = app.query_one(TailTab)
        await wait_for(lambda: tail_tab.tail is not None, 10, message="tail attached")
        assert tail_tab.tail is not None
        assert tail_tab.tail.buffer.max_messages == 1234
        assert tail_tab.tail.buffer.max_bytes == 2 * 1024 * 1024
        assert app.query_one(ClusterTab).interval == 7.5
        await app.action_quit()
