"""Command line: precedence flags > env > profile, no plain secrets, profiles subcommands."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from natstui.cli import UsageError, build_parser, main, resolve_profile
from natstui.config import load, save_profile
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret

STORED = Profile(
    name="prod",
    servers=("nats://profile-host:4222",),
    auth=Auth(kind=AuthKind.TOKEN, token=SecretRef(inline=Secret("stored-token-123"))),
    tls=TlsSettings(ca_file="/etc/ca.pem"),
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    save_profile(path, STORED)
    monkeypatch.setenv("NATSTUI_CONFIG", str(path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    # NATS_* variables are cleared for every test by tests/conftest.py.
    return path


def resolve(argv: list[str], env: dict[str, str] | None = None) -> Profile | None:
    return resolve_profile(build_parser().parse_args(argv), env or {})


def test_profile_alone(store: Path) -> None:
    assert resolve(["prod"]) == STORED


def test_nothing_named_means_ask(store: Path) -> None:
    assert resolve([]) is None


def test_env_overrides_profile_and_flags_override_env(store: Path) -> None:
    env = {"NATS_URL": "nats://env-host:1", "NATS_CREDS": "/env.creds"}
    from_env = resolve(["prod"], env)
    assert from_env is not None
    assert from_env.servers == ("nats://env-host:1",)
    assert from_env.auth.kind is AuthKind.CREDS and from_env.auth.creds.file == "/env.creds"
    assert from_env.ephemeral and "NATS_URL" in from_env.description
    both = resolve(["prod", "--server", "nats://flag-host:2", "--nkey", "/f.nk"], env)
    assert both is not None
    assert both.servers == ("nats://flag-host:2",)
    assert both.auth.kind is AuthKind.NKEY and both.auth.nkey_seed.file == "/f.nk"
    assert both.tls.ca_file == "/etc/ca.pem", "what no layer mentions comes from the profile"


def test_passwords_and_tokens_are_references_to_env(store: Path) -> None:
    env = {"NATS_USER": "alice", "NATS_PASSWORD": "pw-from-env"}
    profile = resolve([], env)
    assert profile is not None and profile.auth.kind is AuthKind.USER_PASSWORD
    assert profile.auth.password.env == "NATS_PASSWORD" and profile.auth.password.inline is None
    flags = resolve(["--server", "nats://h:1", "--token-env", "MY_TOKEN"])
    assert flags is not None and flags.auth.token.env == "MY_TOKEN"


def test_user_flag_takes_password_from_nats_password(store: Path) -> None:
    profile = resolve(["--user", "bob"], {"NATS_PASSWORD": "x"})
    assert profile is not None and profile.auth.password.env == "NATS_PASSWORD"


def test_tls_flags_enable_tls(store: Path) -> None:
    profile = resolve(["--server", "nats://h:1", "--tls-ca", "ca.pem", "--tls-first"])
    assert profile is not None and profile.tls.enabled and profile.tls.handshake_first


@pytest.mark.parametrize(
    "argv",
    [
        ["--password", "hunter2"],
        ["--token=hunter2"],
        ["doctor", "--seed", "hunter2"],
        ["--jwt", "hunter2"],
    ],
)
def test_no_secret_is_accepted_as_an_argument(
    argv: list[str], store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "visible in `ps`" in err and "--password-env" in err and "hunter2" not in err


def test_abbreviations_do_not_turn_secrets_into_env_names() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--password-e", "X"])


def test_password_in_server_url_is_refused(store: Path) -> None:
    with pytest.raises(UsageError, match="passwords"):
        resolve(["--server", "nats://u:hunter2@h:1"])


def test_unknown_profile_names_the_file(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope"]) == 2
    err = capsys.readouterr().err
    assert "no profile named 'nope'" in err and str(store) in err


def test_nats_context_env_is_a_base(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "nats" / "context"
    folder.mkdir(parents=True)
    (folder / "ngs.json").write_text(json.dumps({"url": "tls://connect.example:4222"}))
    profile = resolve([], {"NATS_CONTEXT": "ngs", "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert profile is not None and profile.servers == ("tls://connect.example:4222",)


def test_profiles_list_and_json(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    assert "prod" in out and "profile-host" in out and "stored-token-123" not in out
    assert main(["profiles", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["name"] == "prod" and data[0]["auth"]["token"] == "******** (inline)"


def test_profiles_show_masks_secrets(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "show", "prod"]) == 0
    out = capsys.readouterr().out
    assert "token=******** (inline)" in out and "stored-token-123" not in out
    assert main(["profiles", "show", "missing"]) == 1


def test_profiles_list_reports_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[profiles.x\n")
    assert main(["profiles", "--config", str(path), "list"]) == 1
    assert str(path) in capsys.readouterr().err


def test_import_nats_contexts(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "xdg" / "nats" / "context"
    folder.mkdir(parents=True)
    (folder / "dev.json").write_text(json.dumps({"url": "nats://dev:4222", "token": "dev-tok"}))
    (folder / "prod.json").write_text(json.dumps({"url": "nats://other:4222"}))
    assert main(["profiles", "import-nats-contexts"]) == 0
    out = capsys.readouterr().out
    assert "dev: imported (token)" in out and "prod: skipped" in out and "dev-tok" not in out
    assert load(store).profiles["dev"].servers == ("nats://dev:4222",)
    assert load(store).profiles["prod"] == STORED
    assert main(["profiles", "import-nats-contexts", "prod", "--replace"]) == 0
    assert load(store).profiles["prod"].servers == ("nats://other:4222",)


def test_config_flag_before_or_after_the_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "elsewhere.toml"
    save_profile(path, replace(STORED, name="elsewhere"))
    assert main(["profiles", "--config", str(path), "list"]) == 0
    assert main(["profiles", "list", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("elsewhere") == 2
