"""The natstui App: the tabbed main screen, global bindings, palette, connect and clean quit."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTabs
from textual.worker import Worker

from natstui.commands import NatsCommands, PaletteCommand
from natstui.config import config_path as config_file_path
from natstui.config import load as load_config
from natstui.core.connection import ConnectError, ConnectionState, NatsSession
from natstui.core.profile import Profile
from natstui.core.textsafe import printable
from natstui.screens.connect_error import ConnectErrorScreen
from natstui.screens.help import HelpScreen, help_rows
from natstui.screens.profiles import ProfilesScreen
from natstui.settings import Settings
from natstui.widgets.cluster_tab import ClusterTab
from natstui.widgets.publish_tab import PublishTab
from natstui.widgets.request_tab import RequestTab
from natstui.widgets.services_tab import ServicesTab
from natstui.widgets.status_bar import StatusBar
from natstui.widgets.tab_base import MainTab
from natstui.widgets.tail_tab import TailTab
from natstui.widgets.worker_errors import report_worker_error

TABS: tuple[tuple[str, str, type[MainTab]], ...] = (
    ("cluster", "Cluster", ClusterTab),
    ("tail", "Tail", TailTab),
    ("publish", "Publish", PublishTab),
    ("request", "Request", RequestTab),
    ("services", "Services", ServicesTab),
)


class StateChanged(Message):
    """The connection state changed (posted from nats-py callbacks)."""

    def __init__(self, state: ConnectionState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StateChanged)


class NatsTuiApp(App[None]):
    """natstui's main application."""

    CSS_PATH = "app.tcss"
    TITLE = "natstui"
    COMMANDS = App.COMMANDS | {NatsCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(i), f"show_tab('{tab_id}')", f"{label} tab", show=False)
            for i, (tab_id, label, _) in enumerate(TABS, start=1)
        ),
        # alt+digit works even while an input has focus (a plain digit types into it).
        *(
            Binding(f"alt+{i}", f"show_tab('{tab_id}')", f"{label} tab", show=False, priority=True)
            for i, (tab_id, label, _) in enumerate(TABS, start=1)
        ),
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+o", "profiles", "Profiles"),
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
    ]
    RTT_INTERVAL = 5.0

    def __init__(
        self,
        profile: Profile | None = None,
        *,
        config_path: Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.config_path = config_path
        self.session: NatsSession | None = None
        self.status_bar = StatusBar(id="status")
        self._profiles_cache: tuple[int, list[Profile]] | None = None
        # A broken file gives default settings here; the profiles screen reports the error.
        self.settings = (
            settings
            if settings is not None
            else load_config(config_path or config_file_path()).settings
        )

    # --- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield self.status_bar
        with TabbedContent(id="tabs"):
            for tab_id, label, cls in TABS:
                with TabPane(f"{label}", id=tab_id):
                    tab = cls(id=f"{tab_id}-tab")
                    tab.settings = self.settings
                    yield tab
        yield Footer()

    def on_mount(self) -> None:
        self.status_bar.show(ConnectionState(profile="(none)"))
        self._focus_tab(TABS[0][0])
        self.set_interval(self.RTT_INTERVAL, self._measure_rtt)
        if self.profile is not None:
            self.connect_profile(self.profile)
        else:
            self.action_profiles()

    def tabs(self) -> list[MainTab]:
        return list(self.query(MainTab))

    # --- connection ----------------------------------------------------------------------
    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect_profile(self, profile: Profile) -> None:
        """Close any current session, connect to `profile` and hand it to every tab."""
        await self._close_session()
        self.profile = profile
        session = NatsSession(profile)
        session.add_listener(self._post_state)
        self.session = session
        try:
            await session.connect()
        except ConnectError as exc:
            self.push_screen(
                ConnectErrorScreen(profile.name, exc.cause, exc.fix), self._after_connect_error
            )
            return
        for tab in self.tabs():
            await tab.attach(session)
        await session.measure_rtt()

    def _post_state(self, state: ConnectionState) -> None:
        self.post_message(StateChanged(state))

    def _after_connect_error(self, choice: str | None) -> None:
        if choice == "retry" and self.profile is not None:
            self.connect_profile(self.profile)
        elif choice == "profiles":
            self.action_profiles()
        else:
            self.exit()

    async def _close_session(self) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        for tab in self.tabs():
            await tab.detach()
        await session.close()

    async def _measure_rtt(self) -> None:
        if self.session is not None:
            await self.session.measure_rtt()

    @on(StateChanged)
    def _show_state(self, event: StateChanged) -> None:
        # A reference, not a query: a modal screen on top must not hide the bar from us.
        self.status_bar.show(event.state)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_worker_error(self, event)

    # --- actions -------------------------------------------------------------------------
    def action_show_tab(self, tab_id: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        tabs.active = tab_id
        self._focus_tab(tab_id)

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id is not None:
            self._focus_tab(event.pane.id)
            for tab in event.pane.query(MainTab):
                tab.shown()

    def _focus_tab(self, tab_id: str) -> None:
        """Put focus on the tab's main widget unless it is already inside that tab.

        Focus is set synchronously: `Widget.focus()` is deferred, and a deferred focus that
        lands in a pane the user has just left makes TabbedContent switch straight back to it.
        """
        tabs = self.query_one("#tabs", TabbedContent)
        pane = tabs.get_pane(tab_id)
        focused = tabs.screen.focused
        if focused is not None and pane in focused.ancestors:
            return
        tab = pane.query(MainTab).first() if pane.query(MainTab) else None
        selector = tab.DEFAULT_FOCUS if tab is not None else None
        target = pane.query(selector).first() if selector and pane.query(selector) else None
        if target is None or not target.focusable:
            target = tabs.query_one(ContentTabs)
        tabs.screen.set_focus(target)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_rows(self.active_bindings.values())))

    def action_profiles(self) -> None:
        def chosen(profile: Profile | None) -> None:
            if profile is not None:
                self.connect_profile(profile)

        self.push_screen(ProfilesScreen(self.config_path), chosen)

    def action_request_quit(self) -> None:
        """Quit from a key: drain in a worker so the key handler returns at once and the UI
        keeps painting while the connections drain."""
        self._quit_worker()

    @work(exclusive=True, group="quit", exit_on_error=False)
    async def _quit_worker(self) -> None:
        await self.action_quit()

    async def action_quit(self) -> None:
        """Drain the connections, then exit."""
        await self._close_session()
        self.exit()

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [
            PaletteCommand(f"Go to {label}", partial(self.action_show_tab, tab_id), "tab")
            for tab_id, label, _ in TABS
        ]
        commands.append(PaletteCommand("Profiles", self.action_profiles, "saved profiles"))
        commands.append(PaletteCommand("Help", self.action_help, "key bindings"))
        if self.profile is not None:
            profile = self.profile
            commands.append(
                PaletteCommand("Reconnect", lambda: self.connect_profile(profile), "reconnect")
            )
        for profile in self._saved_profiles():
            commands.append(
                PaletteCommand(
                    f"Connect: {printable(profile.name)}",
                    partial(self.connect_profile, profile),
                    printable(profile.description or ", ".join(profile.servers)),
                )
            )
        for tab in self.tabs():
            commands.extend(tab.palette_commands())
        return commands

    def _saved_profiles(self) -> list[Profile]:
        """Profiles of the store for the palette, re-read only when the file changed."""
        path = self.config_path or config_file_path()
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return []
        if self._profiles_cache is None or self._profiles_cache[0] != stamp:
            self._profiles_cache = (stamp, list(load_config(path).profiles.values()))
        return self._profiles_cache[1]
