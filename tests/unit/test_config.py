"""Profile store: file location, round trips, comments kept, modes, errors that name the field."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from natstui import config
from natstui.config import ConfigError, config_path, delete_profile, load, save_profile
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret

PROD = Profile(
    name="prod",
    servers=("tls://a.example:4222", "tls://b.example:4222"),
    description="production",
    auth=Auth(kind=AuthKind.USER_PASSWORD, user="ops", password=SecretRef(env="PROD_PW")),
    tls=TlsSettings(enabled=True, ca_file="~/certs/ca.pem", server_name="nats.example"),
    system_auth=Auth(kind=AuthKind.CREDS, creds=SecretRef(file="~/.nats/sys.creds")),
    monitor_urls=("http://a.example:8222",),
    connect_timeout=3.5,
    inbox_prefix="_INBOX_ops",
    subscriptions=("transcoder.>",),
)


def test_path_precedence_flag_env_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NATSTUI_CONFIG", str(tmp_path / "env.toml"))
    assert config_path(tmp_path / "flag.toml") == tmp_path / "flag.toml"
    assert config_path(None) == tmp_path / "env.toml"
    monkeypatch.delenv("NATSTUI_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path(None) == tmp_path / "xdg" / "natstui" / "config.toml"


def test_never_reads_the_current_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NATSTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "config.toml").write_text('[profiles.evil]\nservers = ["nats://evil:4222"]\n')
    (repo / "natstui.toml").write_text('[profiles.evil]\nservers = ["nats://evil:4222"]\n')
    monkeypatch.chdir(repo)
    assert not config_path(None).is_relative_to(repo)
    assert load(config_path(None)).profiles == {}


@pytest.mark.parametrize(
    "profile",
    [
        PROD,
        Profile(name="tok", auth=Auth(kind=AuthKind.TOKEN, token=SecretRef(inline=Secret("t")))),
        Profile(name="nk", auth=Auth(kind=AuthKind.NKEY, nkey_seed=SecretRef(file="~/u.nk"))),
        Profile(
            name="jwt",
            auth=Auth(
                kind=AuthKind.JWT, jwt=SecretRef(file="u.jwt"), seed=SecretRef(env="USER_SEED")
            ),
        ),
        Profile(name="mtls", tls=TlsSettings(cert_file="c.pem", key_file="k.pem", verify=False)),
        Profile(name="first", tls=TlsSettings(enabled=True, handshake_first=True)),
    ],
)
def test_round_trip(tmp_path: Path, profile: Profile) -> None:
    path = tmp_path / "config.toml"
    save_profile(path, profile)
    loaded = load(path)
    assert loaded.errors == ()
    assert loaded.profiles == {profile.name: profile}


def test_writes_are_0600_in_a_0700_directory(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    save_profile(path, PROD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.chmod(0o644)  # an edit with another tool loosened it: our next write tightens it
    save_profile(path, replace(PROD, description="again"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"], "no temp files left"


def test_comments_survive_edit_rename_and_delete(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "# my natstui profiles\n\n"
        "[profiles.keep]  # the one I use\n"
        "# servers of the staging cluster\n"
        'servers = ["nats://staging:4222"]  # behind the VPN\n\n'
        "[profiles.old]\n"
        'servers = ["nats://old:4222"]\n'
    )
    keep = load(path).profiles["keep"]
    save_profile(path, replace(keep, connect_timeout=9.0))
    save_profile(path, replace(load(path).profiles["old"], name="renamed"), replace_name="old")
    save_profile(path, PROD)
    delete_profile(path, "prod")
    text = path.read_text()
    for comment in (
        "# my natstui profiles",
        "# the one I use",
        "# servers of the staging",
        "# behind the VPN",
    ):
        assert comment in text
    assert set(load(path).profiles) == {"keep", "renamed"}
    assert load(path).profiles["keep"].connect_timeout == 9.0


def test_rename_onto_existing_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_profile(path, PROD)
    save_profile(path, replace(PROD, name="stage"))
    with pytest.raises(ConfigError, match="already exists"):
        save_profile(path, replace(PROD, name="stage"), replace_name="prod")


def test_ephemeral_profiles_are_not_saved(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="temporary"):
        save_profile(tmp_path / "c.toml", replace(PROD, ephemeral=True))
    assert not (tmp_path / "c.toml").exists()


@pytest.mark.parametrize(
    ("text", "profile", "field", "words"),
    [
        ('[profiles.a]\nservers = ["http://x:1"]\n', "a", "servers", "scheme"),
        ('[profiles.a]\nservers = ["nats://x:99999"]\n', "a", "servers", "port"),
        ('[profiles.a]\nservers = ["nats://u:pw@x:4222"]\n', "a", "servers", "passwords"),
        ("[profiles.a]\nconnect_timeout = -1\n", "a", "connect_timeout", "between"),
        ('[profiles.a]\nconnect_timeout = "5"\n', "a", "connect_timeout", "number"),
        ('[profiles.a.auth]\nkind = "magic"\n', "a", "auth.kind", "one of"),
        (
            '[profiles.a.auth]\nkind = "user_password"\npassword_env = "X"\n',
            "a",
            "auth.user",
            "needs a user",
        ),
        ('[profiles.a.auth]\nkind = "token"\n', "a", "auth.token", "needs token"),
        (
            '[profiles.a.auth]\nkind = "token"\ntoken = "x"\ntoken_env = "Y"\n',
            "a",
            "auth.token_env",
            "only one",
        ),
        (
            '[profiles.a.auth]\nkind = "token"\ntoken_env = "not valid"\n',
            "a",
            "auth.token_env",
            "variable name",
        ),
        ('[profiles.a.tls]\ncert_file = "c.pem"\n', "a", "tls.key_file", "both"),
        ('[profiles.a.tls]\nverify = "no"\n', "a", "tls.verify", "true or false"),
        ('[profiles.a]\nsubscriptions = ["a..b"]\n', "a", "subscriptions", "empty token"),
        ('[profiles.a]\ninbox_prefix = "_INBOX.>"\n', "a", "inbox_prefix", "wildcards"),
        ('[profiles.a]\nservr = ["nats://x"]\n', "a", "servr", "unknown key"),
        ('[profiles."bad name"]\n', "bad name", "name", "letters"),
        (
            '[profiles.a.system_auth]\nkind = "creds"\n',
            "a",
            "system_auth.creds_text",
            "needs creds_text, creds_env or creds",
        ),
    ],
)
def test_errors_name_file_profile_and_field(
    tmp_path: Path, text: str, profile: str, field: str, words: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text + '\n[profiles.good]\nservers = ["nats://ok:4222"]\n')
    loaded = load(path)
    assert set(loaded.profiles) == {"good"}, "one broken profile does not hide the others"
    (error,) = loaded.errors
    assert (error.path, error.profile, error.field) == (path, profile, field)
    assert words in error.message
    assert str(path) in str(error) and field in str(error)


def test_syntax_error_names_the_file_and_blocks_writes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    broken = '[profiles.a\nservers = ["nats://x:4222"]\n'
    path.write_text(broken)
    loaded = load(path)
    assert loaded.profiles == {} and not loaded.writable
    assert str(path) in str(loaded.errors[0]) and "TOML" in str(loaded.errors[0])
    with pytest.raises(ConfigError, match="will not overwrite"):
        save_profile(path, PROD)
    with pytest.raises(ConfigError, match="will not overwrite"):
        delete_profile(path, "a")
    assert path.read_text() == broken


def test_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    loaded = load(tmp_path / "nope.toml")
    assert loaded.profiles == {} and loaded.errors == () and loaded.writable


def test_unreadable_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()  # a directory where the file should be
    loaded = load(path)
    assert loaded.errors and str(path) in str(loaded.errors[0])


def test_readable_by_others_with_inline_secret_warns(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.a.auth]\nkind = "token"\ntoken = "hunter2"\n')
    os.chmod(path, 0o644)
    warnings = load(path).warnings
    assert warnings and "chmod 600" in warnings[0] and "hunter2" not in warnings[0]


def test_atomic_write_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    save_profile(path, PROD)
    before = path.read_text()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config.os, "replace", broken_replace)
    with pytest.raises(ConfigError, match="No space left"):
        save_profile(path, replace(PROD, description="changed"))
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_last_used_is_kept_beside_the_profiles(tmp_path: Path) -> None:
    from natstui.config import read_last_used, record_last_used

    path = tmp_path / "config.toml"
    save_profile(path, PROD)
    before = path.read_text()
    assert read_last_used(path) == {}
    record_last_used(path, "prod", 1000.0)
    record_last_used(path, "other", 2000.0)
    assert read_last_used(path) == {"prod": 1000.0, "other": 2000.0}
    assert path.read_text() == before, "connecting never rewrites the profile file"
    (tmp_path / "last_used.json").write_text("{broken")
    assert read_last_used(path) == {}


@pytest.mark.parametrize(
    ("age", "text"),
    [(None, "never"), (5, "just now"), (120, "2m ago"), (7200, "2h ago"), (3 * 86400, "3d ago")],
)
def test_last_used_wording(age: float | None, text: str) -> None:
    from natstui.config import ago

    assert ago(None if age is None else 10_000_000 - age, 10_000_000) == text
