"""Profiles screen and editor driven with Pilot: list, new, edit, duplicate, delete, connect."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from natstui.app import NatsTuiApp
from natstui.config import load, read_last_used, save_profile
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats
from natstui.screens.confirm import ConfirmScreen
from natstui.screens.connect_error import ConnectErrorScreen
from natstui.screens.doctor import DoctorScreen
from natstui.screens.profile_editor import ProfileEditor
from natstui.screens.profiles import ProfilesScreen
from tests.helpers import profile_for, wait_for
from tests.helpers_screen import screen_text

SIZE = (140, 45)


def stored(local: LocalNats, name: str = "local") -> Profile:
    return replace(profile_for(local, system_auth=None), name=name, ephemeral=False)


async def profiles_screen(app: NatsTuiApp) -> ProfilesScreen:
    screen = await wait_for(lambda: isinstance(app.screen, ProfilesScreen) and app.screen)
    assert isinstance(screen, ProfilesScreen)
    await wait_for(lambda: screen.loaded is not None)
    return screen


def table_names(screen: ProfilesScreen) -> list[str]:
    table: DataTable[str] = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_lists_profiles_and_connects(nats_single: LocalNats, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_profile(path, replace(stored(nats_single), description="the test server"))
    save_profile(path, Profile(name="other", servers=("nats://elsewhere:4222",)))
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        assert table_names(screen) == ["local", "other"]
        # Keys reach the list at once (the screen must own the focus, not the tabs below it).
        await pilot.press("down")
        await wait_for(lambda: screen.selected_name() == "other")
        await pilot.press("up")
        await wait_for(lambda: screen.selected_name() == "local")
        await pilot.press("enter")
        await wait_for(lambda: app.session is not None and app.session.state.status == "connected")
        assert app.session is not None and app.session.profile.name == "local"
        await wait_for(lambda: "local" in read_last_used(path))
        await pilot.press("ctrl+o")
        screen = await profiles_screen(app)
        table: DataTable[str] = screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][3] == "just now"
        assert [str(c) for c in table.get_row_at(1)][3] == "never"


async def test_new_profile_validates_as_you_type_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        assert table_names(screen) == []
        await pilot.press("n")
        editor = await wait_for(lambda: isinstance(app.screen, ProfileEditor) and app.screen)
        assert isinstance(editor, ProfileEditor)
        status = editor.query_one("#form-error", Static)
        await pilot.press(*"staging")
        servers = editor.query_one("#servers", Input)
        servers.focus()
        await pilot.press(*"http://x:1")
        await wait_for(lambda: "scheme" in str(status.render()))
        assert servers.has_class("invalid")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ProfileEditor), "an invalid form is not saved"
        servers.value = "nats://stage-1:4222, nats://stage-2:4222"
        await wait_for(lambda: "valid" in str(status.render()) and not servers.has_class("invalid"))
        await pilot.press("ctrl+s")
        await wait_for(lambda: table_names(screen) == ["staging"])
    profile = load(path).profiles["staging"]
    assert profile.servers == ("nats://stage-1:4222", "nats://stage-2:4222")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


async def test_edit_keeps_comments_duplicate_and_delete(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my profiles\n[profiles.prod]  # careful\nservers = ["nats://p:4222"]\n')
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        await pilot.press("e")
        editor = await wait_for(lambda: isinstance(app.screen, ProfileEditor) and app.screen)
        assert isinstance(editor, ProfileEditor)
        editor.query_one("#description", Input).value = "production"
        await pilot.press("ctrl+s")
        await wait_for(lambda: load(path).profiles["prod"].description == "production")
        await pilot.press("c")
        copy = await wait_for(lambda: isinstance(app.screen, ProfileEditor) and app.screen)
        assert isinstance(copy, ProfileEditor)
        assert copy.query_one("#name", Input).value == "prod-copy"
        await pilot.press("ctrl+s")
        await wait_for(lambda: table_names(screen) == ["prod", "prod-copy"])
        await pilot.press("x")
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, ProfilesScreen))
        assert "prod" in load(path).profiles
        await pilot.press("down", "x")
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(lambda: len(table_names(screen)) == 1)
    text = path.read_text()
    assert "# my profiles" in text and "# careful" in text
    assert list(load(path).profiles) == ["prod"]


async def test_broken_file_is_shown_and_never_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    broken = (
        '[profiles.good]\nservers = ["nats://g:4222"]\n\n'
        '[profiles.bad]\nservers = ["nats://b:4222"]\nconnect_timeout = "soon"\n'
    )
    path.write_text(broken)
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        errors = str(screen.query_one("#profiles-errors", Static).render())
        assert str(path) in errors and "'bad'" in errors and "connect_timeout" in errors
        assert table_names(screen) == ["good"], "the good profile still loads"
        for key in ("n", "e", "c", "x", "i"):
            await pilot.press(key)
            assert isinstance(app.screen, ProfilesScreen)
    assert path.read_text() == broken


async def test_inline_secret_masked_until_revealed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    secret = "Zq9-inline-password-7Kx"
    auth = Auth(kind=AuthKind.USER_PASSWORD, user="ops", password=SecretRef(inline=Secret(secret)))
    save_profile(path, Profile(name="masked", auth=auth))
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        assert secret not in app.export_screenshot()
        await pilot.press("e")
        editor = await wait_for(lambda: isinstance(app.screen, ProfileEditor) and app.screen)
        assert isinstance(editor, ProfileEditor)
        await pilot.pause()
        assert secret not in app.export_screenshot()
        await pilot.press("ctrl+r")
        await wait_for(lambda: not editor.query_one("#auth-password", Input).password)
        await pilot.pause()
        assert secret in app.export_screenshot(), "reveal shows it: the check above can fail"
        await pilot.press("ctrl+r")
        await pilot.press("escape")
        await wait_for(lambda: app.screen is screen)


async def test_connect_error_then_doctor_one_key_away(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = Profile(name="dead", servers=(f"nats://127.0.0.1:{port}",), connect_timeout=2.0)
    app = NatsTuiApp(profile=profile, config_path=tmp_path / "c.toml")
    async with app.run_test(size=SIZE) as pilot:
        modal = await wait_for(lambda: isinstance(app.screen, ConnectErrorScreen) and app.screen)
        assert isinstance(modal, ConnectErrorScreen)
        await wait_for(lambda: "connection refused" in screen_text(app))
        assert "nats-server is running" in screen_text(app)
        await pilot.press("d")
        doctor = await wait_for(lambda: isinstance(app.screen, DoctorScreen) and app.screen)
        assert isinstance(doctor, DoctorScreen)
        await wait_for(lambda: doctor.ok is not None, timeout=10)
        assert doctor.ok is False
        assert [(s.name, s.ok) for s in doctor.steps][:2] == [("DNS", True), ("TCP", False)]
        await wait_for(lambda: "FAIL" in screen_text(app) and "refused" in screen_text(app))
        await pilot.press("escape")
        await wait_for(lambda: app.screen is modal)
        await pilot.press("p")
        await profiles_screen(app)


async def test_editor_auth_kind_switch_and_secret_references(tmp_path: Path) -> None:
    from textual.widgets import Select

    path = tmp_path / "config.toml"
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        await pilot.press("n")
        editor = await wait_for(lambda: isinstance(app.screen, ProfileEditor) and app.screen)
        assert isinstance(editor, ProfileEditor)
        editor.query_one("#name", Input).value = "tokened"
        editor.query_one("#servers", Input).value = "nats://t:4222"
        assert editor.query_one("#auth-token-row").has_class("hidden")
        editor.query_one("#auth-kind", Select).value = "token"
        await wait_for(lambda: not editor.query_one("#auth-token-row").has_class("hidden"))
        assert editor.query_one("#auth-password-row").has_class("hidden")
        status = editor.query_one("#form-error", Static)
        await wait_for(lambda: "auth.token" in str(status.render()))
        token = editor.query_one("#auth-token", Input)
        token.value = "env://TOKEN_VAR"
        await wait_for(lambda: "valid" in str(status.render()) and "✗" not in str(status.render()))
        assert token.password is False, "a reference is not a secret: shown in clear"
        token.value = "inline-value"
        await wait_for(lambda: token.password is True)
        token.value = "env://TOKEN_VAR"
        await pilot.press("ctrl+s")
        await wait_for(lambda: table_names(screen) == ["tokened"])
    auth = load(path).profiles["tokened"].auth
    assert auth.kind is AuthKind.TOKEN and auth.token.env == "TOKEN_VAR"
    assert 'token_env = "TOKEN_VAR"' in path.read_text()


async def test_import_natscli_contexts_from_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    xdg = tmp_path / "xdg"
    folder = xdg / "nats" / "context"
    folder.mkdir(parents=True)
    (folder / "ngs.json").write_text(
        json.dumps({"url": "tls://connect.ngs.example:4222", "creds": "~/.nats/ngs.creds"})
    )
    (folder / "broken.json").write_text("{")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    path = tmp_path / "config.toml"
    app = NatsTuiApp(config_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await profiles_screen(app)
        await pilot.press("i")
        await wait_for(lambda: table_names(screen) == ["ngs"])
        note = " ".join(str(n.message) for n in app._notifications)
        assert "imported ngs" in note and "could not read broken" in note
    assert load(path).profiles["ngs"].auth.creds.file == "~/.nats/ngs.creds"
