"""App-wide secret-leak test: known secrets in every form, every screen exercised, all output
scanned.

Secrets: an inline password and an inline token in the profile file, a system password from an
env var (`password_env`), a `.creds` file (operator-mode JWT + seed), an nkey seed from an env
var, and a wrong inline password. With them the real app connects to real servers (one per auth
mode) and is driven through every screen: the profiles list and editor (saved unchanged:
references must stay references), the connect-error dialog and the doctor, Cluster (refresh,
drill-down), Tail (live messages, JSONL export), Publish, Request (single and scatter-gather),
Services (refresh), help, the command palette, the profiles screen from the main screen, and a
switch to each of the other profiles.

Then everything natstui showed or wrote is searched for every secret: a capture of every
screen (text and SVG), all notifications, the exported file, every file natstui wrote in its
config and data dirs (the profile file may hold only the secrets the user put in it inline),
stdout/stderr, log records, exception texts and reprs, and the output of
`natstui profiles list/list --json/show/import-nats-contexts` and `natstui doctor [--json]`.

(tests/ui/test_profiles_secrets.py covers the profile screens alone; this one is app-wide.)
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nats
import nkeys
import pytest
from nats import micro
from nats.aio.client import Client
from nats.aio.msg import Msg
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from natstui.app import NatsTuiApp
from natstui.cli import main as cli_main
from natstui.config import load, save_profile
from natstui.core.connection import ConnectError, NatsSession
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats, start_nats
from natstui.demo.config import Credentials
from natstui.demo.operator import operator_mode
from natstui.doctor_cli import run_doctor_cli
from natstui.screens.connect_error import ConnectErrorScreen
from natstui.screens.doctor import DoctorScreen
from natstui.screens.help import HelpScreen
from natstui.screens.profile_editor import ProfileEditor
from natstui.screens.profiles import ProfilesScreen
from natstui.widgets.cluster_detail import ServerDetailScreen
from natstui.widgets.cluster_tab import ClusterTab
from natstui.widgets.request_tab import RequestTab
from natstui.widgets.services_tab import ServicesTab
from natstui.widgets.tail_tab import TailTab
from tests.helpers import password_auth, tls_settings_for, wait_for
from tests.helpers_screen import screen_text

SIZE = (160, 48)
INLINE_PW = "pw-INLINE-leakcheck-4711"
SYS_PW = "pw-SYSENV-leakcheck-0815"
WRONG_PW = "pw-WRONG-leakcheck-1234"
TOKEN = "tok-INLINE-leakcheck-9999"
SYS_ENV, NKEY_ENV = "NATSTUI_LEAK_SYS_PW", "NATSTUI_LEAK_NKEY_SEED"
TIMEOUT = 15.0


@dataclass
class Setup:
    """The profile file, where natstui may write, and every secret value in play."""

    config: Path
    data_dir: Path
    export: Path
    main: LocalNats
    secrets: dict[str, str]  # what -> value
    inline: set[str]  # values the user wrote into the profile file themselves
    env: dict[str, str] = field(default_factory=dict)  # env vars the profiles refer to

    def assert_clean(self, what: str, text: str, allowed: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        for name, value in self.secrets.items():
            if value in allowed:
                continue
            assert value not in text, f"the {name} leaked into {what}"


def user_auth(user: str, ref: SecretRef) -> Auth:
    return Auth(kind=AuthKind.USER_PASSWORD, user=user, password=ref)


@pytest.fixture(scope="module")
def servers(nats_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """One server per auth mode and the profile file, shared by the module's tests."""
    tmp = tmp_path_factory.mktemp("secrets")
    started: list[LocalNats] = []

    def start(**options: Any) -> LocalNats:
        started.append(start_nats(binary=nats_bin, **options))
        return started[-1]

    try:
        yield make_setup(tmp, start)
    finally:
        for local in started:
            local.stop()


def make_setup(tmp: Path, start: Callable[..., LocalNats]) -> Setup:
    main = start(credentials=Credentials(app_password=INLINE_PW, sys_password=SYS_PW))
    token_node = start(auth_config=f'authorization {{ token: "{TOKEN}" }}')
    op = operator_mode()
    operator_node = start(auth_config=op.auth_config)
    seed = nkeys.encode_seed(bytes(range(32)), nkeys.PREFIX_BYTE_USER)
    nkey_public = nkeys.from_seed(seed).public_key.decode()
    nkey_node = start(auth_config=f"accounts {{ APP: {{ users: [{{nkey: {nkey_public}}}] }} }}")
    creds = tmp / "keys" / "app.creds"
    creds.parent.mkdir()
    creds.write_text(op.app_user.creds_text())
    config = tmp / "config" / "config.toml"
    base = Profile(name="x", servers=tuple(main.client_urls), monitor_urls=tuple(main.http_urls))
    profiles = [
        replace(
            base,
            name="inline",
            auth=user_auth(main.app_user, SecretRef(inline=Secret(INLINE_PW))),
            system_auth=user_auth(main.sys_user, SecretRef(env=SYS_ENV)),
            subscriptions=("leak.>",),
        ),
        replace(
            base, name="wrong", auth=user_auth(main.app_user, SecretRef(inline=Secret(WRONG_PW)))
        ),
        Profile(
            name="token",
            servers=tuple(token_node.client_urls),
            auth=Auth(kind=AuthKind.TOKEN, token=SecretRef(inline=Secret(TOKEN))),
        ),
        Profile(
            name="creds",
            servers=tuple(operator_node.client_urls),
            auth=Auth(kind=AuthKind.CREDS, creds=SecretRef(file=str(creds))),
            tls=tls_settings_for(operator_node),
        ),
        Profile(
            name="nkey",
            servers=tuple(nkey_node.client_urls),
            auth=Auth(kind=AuthKind.NKEY, nkey_seed=SecretRef(env=NKEY_ENV)),
        ),
    ]
    for profile in profiles:
        save_profile(config, profile)
    secrets = {
        "inline password": INLINE_PW,
        "system password (env)": SYS_PW,
        "wrong password": WRONG_PW,
        "inline token": TOKEN,
        "creds seed": op.app_user.seed,
        "creds JWT": op.app_user.jwt,
        "nkey seed (env)": seed.decode(),
    }
    env = {SYS_ENV: SYS_PW, NKEY_ENV: seed.decode(), "NATSTUI_DATA_DIR": str(tmp / "data")}
    inline = {INLINE_PW, WRONG_PW, TOKEN}
    return Setup(config, tmp / "data", tmp / "export.jsonl", main, secrets, inline, env)


@pytest.fixture
async def setup(servers: Setup, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Setup]:
    """The shared servers plus this test's env (secrets in env vars) and responders."""
    for name, value in servers.env.items():
        monkeypatch.setenv(name, value)
    servers.export.unlink(missing_ok=True)
    extra = await responders(servers.main)
    yield servers
    for nc in extra:
        await nc.close()


async def responders(main: LocalNats) -> list[Client]:
    """An echo responder on `leak.echo` and a micro service, so Request and Services have data."""
    nc = await nats.connect(main.client_urls, user=main.app_user, password=INLINE_PW)

    async def echo(msg: Msg) -> None:
        await msg.respond(
            b'{"id": "echo-1", "got": ' + json.dumps(msg.data.decode()).encode() + b"}"
        )

    await nc.subscribe("leak.echo", cb=echo)
    service = await micro.add_service(nc, name="leaksvc", version="1.0.0")

    async def handle(request: Any) -> None:
        await request.respond(b"ok")

    await service.add_endpoint(name="ping", subject="leak.svc", handler=handle)
    await nc.flush()
    return [nc]


# --- driving the app ---------------------------------------------------------------------------
class Driver:
    """Keeps every capture and notification while the test walks through the app."""

    def __init__(self, app: NatsTuiApp, pilot: Pilot[None], config: Path) -> None:
        self.app, self.pilot, self.config = app, pilot, config
        self.seen: dict[str, str] = {}
        self.notes: list[str] = []
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.notes.append(f"{kwargs.get('title', '')}: {message}")
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    async def capture(self, what: str) -> str:
        await self.pilot.pause()
        text = screen_text(self.app)
        self.seen[what] = text + "\n" + self.app.export_screenshot()
        assert "Traceback" not in text, f"traceback on screen: {what}"
        return text

    async def profiles_screen(self) -> ProfilesScreen:
        screen = await wait_for(
            lambda: isinstance(self.app.screen, ProfilesScreen) and self.app.screen
        )
        assert isinstance(screen, ProfilesScreen)
        await wait_for(lambda: screen.loaded is not None and len(screen.loaded.profiles) == 5)
        return screen

    async def pick(self, name: str) -> ProfilesScreen:
        screen = await self.profiles_screen()
        assert screen.loaded is not None
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=list(screen.loaded.profiles).index(name))
        await wait_for(lambda: screen.selected_name() == name)
        return screen

    async def connect(self, name: str) -> None:
        await self.pick(name)
        await self.pilot.press("enter")
        await wait_for(
            lambda: (
                self.app.session is not None
                and self.app.session.profile.name == name
                and self.app.session.state.status == "connected"
            ),
            TIMEOUT,
            message=f"connected with {name}",
        )

    async def tab(self, key: str, tab_id: str) -> None:
        """Switch tabs by key; wait until focus is inside it, so the tab's own keys work."""
        await self.pilot.press(key)
        await wait_for(lambda: self.app.query_one("#tabs", TabbedContent).active == tab_id)
        pane = self.app.query_one(f"#{tab_id}")
        await wait_for(
            lambda: self.app.focused is not None and pane in self.app.focused.ancestors,
            message=f"focus inside the {tab_id} tab",
        )


async def walk_profiles_and_errors(d: Driver) -> None:
    await d.profiles_screen()
    await d.capture("profiles list")
    for name in ("inline", "wrong", "token", "creds", "nkey"):
        await d.pick(name)
        await d.pilot.press("e")
        await wait_for(lambda: isinstance(d.app.screen, ProfileEditor))
        await d.capture(f"editor {name}")
        # Saving unchanged must keep references as references (no resolved secret written).
        before = d.config.stat().st_mtime_ns
        await d.pilot.press("ctrl+s" if name in ("inline", "nkey") else "escape")
        await d.profiles_screen()
        if name in ("inline", "nkey"):
            await wait_for(lambda b=before: d.config.stat().st_mtime_ns != b, message="saved")
    await d.pick("wrong")
    await d.pilot.press("enter")
    modal = await wait_for(lambda: isinstance(d.app.screen, ConnectErrorScreen) and d.app.screen)
    await wait_for(lambda: "rejected the credentials" in screen_text(d.app), TIMEOUT)
    await d.capture("connect error")
    await d.pilot.press("d")
    doctor = await wait_for(lambda: isinstance(d.app.screen, DoctorScreen) and d.app.screen)
    assert isinstance(doctor, DoctorScreen)
    await wait_for(lambda: doctor.ok is not None, TIMEOUT)
    assert "FAIL" in await d.capture("doctor")
    await d.pilot.press("escape")
    await wait_for(lambda: d.app.screen is modal)
    await d.pilot.press("p")


async def walk_main_tabs(d: Driver, s: Setup) -> None:
    app, pilot = d.app, d.pilot
    await d.connect("inline")
    await wait_for(lambda: "SYS" in screen_text(app), TIMEOUT, message="system connection shown")
    # Cluster: live data, refresh now, drill-down into a server's connections.
    cluster = app.query_one(ClusterTab)
    await wait_for(lambda: cluster.snapshot is not None and cluster.snapshot.answered == 1, TIMEOUT)
    app.query_one("#cluster-servers", DataTable).focus()  # the Cluster tab is the first one
    await pilot.press("r")
    await d.capture("cluster")
    await pilot.press("enter")
    await wait_for(lambda: isinstance(app.screen, ServerDetailScreen), TIMEOUT)
    await wait_for(lambda: "natstui (inline)" in screen_text(app), TIMEOUT, message="connz rows")
    await d.capture("cluster drill-down")
    await pilot.press("escape")
    # Publish three messages onto the tailed subject.
    await d.tab("alt+3", "publish")
    app.query_one("#pub-subject", Input).value = "leak.test"
    app.query_one("#pub-payload", TextArea).load_text('{"n": {{Count}}}')
    app.query_one("#pub-count", Input).value = "3"
    await pilot.press("ctrl+s")
    tail = app.query_one(TailTab)
    await wait_for(lambda: tail.view.row_count >= 3, TIMEOUT, message="tail got the messages")
    await d.capture("publish")
    # Tail: the live list, then the JSONL export.
    await d.tab("alt+2", "tail")
    await d.capture("tail")
    tail.tail_list.focus()
    await pilot.press("e")
    box = await wait_for(lambda: app.screen.query("#tail-export-path").first(Input))
    box.value = str(s.export)
    await d.capture("export dialog")
    await pilot.press("enter")
    await wait_for(lambda: s.export.exists() and s.export.read_text().count("\n") >= 3, TIMEOUT)
    # Request: single and scatter-gather.
    requests = app.query_one(RequestTab)
    await d.tab("alt+4", "request")
    app.query_one("#req-subject", Input).value = "leak.echo"
    app.query_one("#req-timeout", Input).value = "1"
    await pilot.press("ctrl+s")
    await wait_for(lambda: len(requests.records) == 1, TIMEOUT)
    await d.capture("request")
    await pilot.press("ctrl+g")
    await wait_for(lambda: len(requests.records) == 2, TIMEOUT)
    await d.capture("scatter-gather")
    # Services: refresh and show the micro service.
    services = app.query_one(ServicesTab)
    await d.tab("alt+5", "services")
    await pilot.press("ctrl+r")
    await wait_for(
        lambda: (
            services.snapshot is not None
            and any(g.name == "leaksvc" for g in services.snapshot.services)
        ),
        TIMEOUT,
    )
    await d.capture("services")
    # Help, palette, and the profiles screen from the main screen.
    await pilot.press("f1")
    await wait_for(lambda: isinstance(app.screen, HelpScreen))
    await d.capture("help")
    await pilot.press("escape")
    await pilot.press("ctrl+p")
    await wait_for(lambda: app.screen.__class__.__name__ == "CommandPalette")
    await pilot.press(*"Reconn")
    await d.capture("palette")
    await pilot.press("escape")
    await wait_for(lambda: app.screen.__class__.__name__ != "CommandPalette")
    await pilot.press("ctrl+o")
    await d.capture("profiles from the main screen")


async def walk_other_auth_modes(d: Driver) -> None:
    for name in ("token", "creds", "nkey"):
        await d.connect(name)
        await d.pilot.pause()
        await d.capture(f"main screen ({name})")
        await d.pilot.press("ctrl+o")


async def test_no_secret_anywhere_the_app_shows_or_writes(
    setup: Setup, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    s = setup
    app = NatsTuiApp(config_path=s.config)
    async with app.run_test(size=SIZE) as pilot:
        d = Driver(app, pilot, s.config)
        await walk_profiles_and_errors(d)
        await walk_main_tabs(d, s)
        await walk_other_auth_modes(d)
        await pilot.press("escape")
        await pilot.press("ctrl+q")
    assert app._exception is None
    # The walk really happened: the places a leak would show hold the expected content.
    assert "rejected the credentials" in d.seen["connect error"]
    assert "leaksvc" in d.seen["services"] and "leak.test" in d.seen["tail"]
    assert "app@APP" in d.seen["cluster"]
    assert len(d.seen) >= 20
    for what, text in d.seen.items():
        s.assert_clean(f"the {what} screen", text)
    s.assert_clean("notifications", "\n".join(d.notes))
    s.assert_clean("the JSONL export", s.export.read_text())
    check_written_files(s)
    out = capfd.readouterr()
    s.assert_clean("stdout/stderr", out.out + out.err)
    s.assert_clean("log records", caplog.text)


def check_written_files(s: Setup) -> None:
    """Every file natstui wrote; the profile file may hold only what the user put inline."""
    written = [p for p in (*s.config.parent.rglob("*"), *s.data_dir.rglob("*")) if p.is_file()]
    assert s.config in written and any(p.parent == s.data_dir for p in written)
    config = s.config.read_text()
    assert SYS_ENV in config and NKEY_ENV in config, "a saved profile lost its env reference"
    for path in written:
        allowed = s.inline if path == s.config else set()
        s.assert_clean(f"file {path.name}", path.read_text(errors="replace"), allowed)


async def test_no_secret_in_cli_output_doctor_or_exceptions(
    setup: Setup,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = setup
    for argv in (["list"], ["list", "--json"], *(["show", n] for n in load(s.config).profiles)):
        assert cli_main(["profiles", "--config", str(s.config), *argv]) == 0
    for name in ("inline", "wrong", "creds", "nkey", "token"):
        for extra in ([], ["--json"]):
            argv = ["doctor", "--config", str(s.config), name, *extra]
            # The CLI runs its own event loop: give it a thread of its own.
            await asyncio.to_thread(cli_main, argv)
    imported = import_contexts_with_secrets(s, tmp_path, monkeypatch)
    out = capsys.readouterr()
    s.assert_clean("the profiles/doctor CLI output", out.out + out.err)
    assert "imported" in out.out
    s.assert_clean("profiles imported from natscli", imported, s.inline)
    assert "inline" in out.out and "FAIL" in out.out  # the wrong password failed, visibly
    profiles = load(s.config).profiles
    s.assert_clean("profile reprs", repr(profiles) + str(profiles))
    buffer = io.StringIO()
    await asyncio.to_thread(run_doctor_cli, profiles["wrong"], buffer, as_json=True)
    s.assert_clean("doctor JSON", buffer.getvalue())
    session = NatsSession(profiles["wrong"])
    with pytest.raises(ConnectError) as info:
        await session.connect()
    error = info.value
    s.assert_clean("the connect error", f"{error} {error.cause} {error.fix} {error!r}")
    s.assert_clean("the session state", repr(session.state))
    # A working session's state and a wrong password against the system connection too.
    good = NatsSession(
        replace(profiles["inline"], system_auth=password_auth("sys", "pw-not-" + WRONG_PW))
    )
    await good.connect()
    try:
        s.assert_clean("a connected session's state", repr(good.state) + repr(good))
    finally:
        await good.close()


def import_contexts_with_secrets(s: Setup, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`natstui profiles import-nats-contexts` from natscli contexts holding the same secrets
    inline; returns the profile file it wrote (inline secrets may be there: the user had them
    inline in natscli)."""
    folder = tmp / "xdg" / "nats" / "context"
    folder.mkdir(parents=True)
    contexts = {
        "ctx-pw": {"url": s.main.client_urls[0], "user": "app", "password": INLINE_PW},
        "ctx-token": {"url": s.main.client_urls[0], "token": TOKEN},
        "ctx-env": {"url": s.main.client_urls[0], "user": "sys", "password": f"env://{SYS_ENV}"},
    }
    for name, data in contexts.items():
        (folder / f"{name}.json").write_text(json.dumps(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp / "xdg"))
    target = tmp / "imported.toml"
    assert cli_main(["profiles", "--config", str(target), "import-nats-contexts"]) == 0
    for argv in (["list", "--json"], ["show", "ctx-pw"], ["show", "ctx-env"]):
        assert cli_main(["profiles", "--config", str(target), *argv]) == 0
    return target.read_text()
