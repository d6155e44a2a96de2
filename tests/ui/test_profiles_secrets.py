"""Leak test: connect with known secrets and search everything natstui shows or writes for them.

Secrets come inline (in the profile file), from an env var and from a file. We exercise the
profiles list, the editor, a failed connect (error modal + doctor), a good connect (status bar),
the CLI (`profiles list/show --json`, `doctor --json`), logs, exceptions and reprs.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from natstui.app import NatsTuiApp
from natstui.config import load, save_profile
from natstui.core.connection import ConnectError, NatsSession
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats
from natstui.doctor_cli import run_doctor_cli
from natstui.screens.connect_error import ConnectErrorScreen
from natstui.screens.doctor import DoctorScreen
from natstui.screens.profile_editor import ProfileEditor
from natstui.screens.profiles import ProfilesScreen
from tests.helpers import MakeNats, profile_for, wait_for
from tests.helpers_screen import screen_text

TOKEN = "tok-LEAKCHECK-31415"
WRONG = "pw-LEAKCHECK-wrong-2718"
FILE_PW = "pw-LEAKCHECK-file-1618"
SIZE = (150, 45)


@pytest.fixture
def setup(
    nats_single: LocalNats, make_nats: MakeNats, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, list[str]]:
    token_node = make_nats(auth_config=f'authorization {{ token: "{TOKEN}" }}')
    env_pw = nats_single.app_password
    monkeypatch.setenv("LEAKCHECK_PW", env_pw)
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text(FILE_PW)
    path = tmp_path / "config.toml"
    base = replace(profile_for(nats_single, system_auth=None), ephemeral=False)

    def user(ref: SecretRef) -> Auth:
        return Auth(kind=AuthKind.USER_PASSWORD, user="app", password=ref)

    profiles = [
        replace(base, name="env-ok", auth=user(SecretRef(env="LEAKCHECK_PW"))),
        replace(base, name="inline-wrong", auth=user(SecretRef(inline=Secret(WRONG)))),
        replace(base, name="file-wrong", auth=user(SecretRef(file=str(pw_file)))),
        Profile(
            name="token-ok",
            servers=tuple(token_node.client_urls),
            auth=Auth(kind=AuthKind.TOKEN, token=SecretRef(inline=Secret(TOKEN))),
        ),
    ]
    for profile in profiles:
        save_profile(path, profile)
    return path, [TOKEN, WRONG, FILE_PW, env_pw]


def assert_clean(what: str, text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"secret leaked into {what}"


async def test_no_secret_reaches_screen_logs_or_output(
    setup: tuple[Path, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    path, secrets = setup
    caplog.set_level(logging.DEBUG)
    seen: dict[str, str] = {}
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for(lambda: isinstance(app.screen, ProfilesScreen) and app.screen)
        assert isinstance(screen, ProfilesScreen)
        await wait_for(lambda: screen.loaded is not None and len(screen.loaded.profiles) == 4)
        seen["profiles list"] = screen_text(app)
        for row in range(4):
            await pilot.press("e")
            await wait_for(lambda: isinstance(app.screen, ProfileEditor))
            await pilot.pause()
            seen[f"editor {row}"] = app.export_screenshot() + screen_text(app)
            await pilot.press("escape", "down")
            await wait_for(lambda: app.screen is screen)
        await pilot.press("up", "up", "enter")  # row 1: inline-wrong
        modal = await wait_for(lambda: isinstance(app.screen, ConnectErrorScreen) and app.screen)
        await wait_for(lambda: "rejected the credentials" in screen_text(app))
        seen["connect error"] = screen_text(app)
        await pilot.press("d")
        doctor = await wait_for(lambda: isinstance(app.screen, DoctorScreen) and app.screen)
        assert isinstance(doctor, DoctorScreen)
        await wait_for(lambda: doctor.ok is not None, timeout=10)
        await pilot.pause()
        seen["doctor"] = screen_text(app)
        await pilot.press("escape")
        await wait_for(lambda: app.screen is modal)
        await pilot.press("p")
        screen = await wait_for(lambda: isinstance(app.screen, ProfilesScreen) and app.screen)
        await wait_for(lambda: screen.loaded is not None)
        await pilot.press("enter")  # env-ok, the first row
        await wait_for(lambda: app.session is not None and app.session.state.status == "connected")
        await pilot.pause()
        seen["main screen"] = screen_text(app) + app.export_screenshot()
        seen["notifications"] = " ".join(str(n.message) for n in app._notifications)
    for what, text in seen.items():
        assert_clean(what, text, secrets)
    assert "rejected the credentials" in seen["connect error"]
    assert "FAIL" in seen["doctor"]
    assert_clean("logs", caplog.text, secrets)


async def test_no_secret_in_cli_output_exceptions_or_reprs(
    setup: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    from natstui.cli import main

    path, secrets = setup
    for argv in (["list"], ["list", "--json"], ["show", "token-ok"], ["show", "inline-wrong"]):
        assert main(["profiles", "--config", str(path), *argv]) == 0
    out = capsys.readouterr()
    assert_clean("profiles CLI", out.out + out.err, secrets)
    assert "******** (inline)" in out.out
    profiles = load(path).profiles
    for name in ("inline-wrong", "token-ok"):
        buffer = io.StringIO()
        # The CLI runs its own event loop: give it a thread of its own.
        await asyncio.to_thread(run_doctor_cli, profiles[name], buffer, as_json=True)
        assert_clean(f"doctor {name}", buffer.getvalue(), secrets)
    assert_clean("reprs", repr(profiles) + str(profiles), secrets)
    session = NatsSession(profiles["inline-wrong"])
    with pytest.raises(ConnectError) as info:
        await session.connect()
    error = info.value
    assert_clean("exception", f"{error} {error.cause} {error.fix} {error!r}", secrets)
    assert_clean("state", repr(session.state), secrets)
