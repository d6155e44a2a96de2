"""natscli context import from a temporary XDG_CONFIG_HOME."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from natstui.config import load, save_profile
from natstui.contexts import find_contexts, import_contexts
from natstui.core.profile import AuthKind


def write_context(root: Path, name: str, data: dict[str, object]) -> None:
    folder = root / "nats" / "context"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data))


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path


def test_every_key_natscli_writes(xdg: Path) -> None:
    write_context(
        xdg,
        "prod",
        {
            "description": "Production",
            "url": "tls://a:4222, tls://b:4222",
            "creds": "~/.nats/prod.creds",
            "cert": "$HOME/certs/client.pem",
            "key": "$HOME/certs/client.key",
            "ca": "~/certs/ca.pem",
            "tls_first": True,
            "inbox_prefix": "_INBOX_prod",
            "color_scheme": "red",
        },
    )
    (xdg / "nats" / "context.txt").write_text("prod\n")
    assert find_contexts().selected == "prod"
    (result,) = import_contexts()
    profile = result.profile
    assert profile is not None and result.error is None
    assert profile.servers == ("tls://a:4222", "tls://b:4222")
    assert profile.description == "Production"
    assert profile.auth.kind is AuthKind.CREDS
    assert profile.auth.creds.file == "~/.nats/prod.creds", "paths stay references"
    assert profile.tls.cert_file == "$HOME/certs/client.pem"
    assert profile.tls.ca_file == "~/certs/ca.pem" and profile.tls.handshake_first
    assert profile.inbox_prefix == "_INBOX_prod"


@pytest.mark.parametrize(
    ("data", "kind", "attr"),
    [
        ({"user": "u", "password": "p", "creds": "x.creds"}, AuthKind.USER_PASSWORD, "password"),
        ({"creds": "x.creds", "nkey": "u.nk"}, AuthKind.CREDS, "creds"),
        ({"nkey": "u.nk", "user_jwt": "e", "user_seed": "S"}, AuthKind.NKEY, "nkey_seed"),
        ({"user_jwt": "eyJ", "user_seed": "SUA"}, AuthKind.JWT, "jwt"),
        ({"token": "t0k"}, AuthKind.TOKEN, "token"),
        ({}, AuthKind.NONE, None),
    ],
)
def test_auth_precedence_like_natscli(
    xdg: Path, data: dict[str, object], kind: AuthKind, attr: str | None
) -> None:
    write_context(xdg, "c", data)
    (result,) = import_contexts(["c"])
    assert result.profile is not None and result.profile.auth.kind is kind
    if attr:
        assert result.profile.auth.__getattribute__(attr).is_set()


def test_secret_uri_references_stay_references(xdg: Path) -> None:
    write_context(xdg, "c", {"user": "u", "password": "env://PROD_PASSWORD"})
    write_context(xdg, "d", {"token": "file:///run/secrets/token"})
    c, d = import_contexts(["c", "d"])
    assert c.profile is not None and c.profile.auth.password.env == "PROD_PASSWORD"
    assert d.profile is not None and d.profile.auth.token.file == "/run/secrets/token"


def test_inline_secrets_are_hidden_and_saved_0600(xdg: Path, tmp_path: Path) -> None:
    write_context(xdg, "c", {"user": "u", "password": "s3cr3t-pw"})
    (result,) = import_contexts(["c"])
    assert result.profile is not None
    assert "s3cr3t-pw" not in repr(result.profile)
    store = tmp_path / "store" / "config.toml"
    save_profile(store, result.profile)
    assert load(store).profiles["c"].auth.password.inline is not None
    assert oct(store.stat().st_mode)[-3:] == "600"


def test_unsupported_keys_warn(xdg: Path) -> None:
    write_context(xdg, "c", {"socks_proxy": "x:1080", "user": "u", "token": "t", "cert": "c"})
    (result,) = import_contexts(["c"])
    text = " ".join(result.warnings)
    assert "socks_proxy" in text and "token ignored" in text and "cert and key" in text


@pytest.mark.parametrize(
    ("files", "name", "error"),
    [
        ({"bad": "{not json"}, "bad", "cannot read"),
        ({"arr": "[1, 2]"}, "arr", "not a JSON object"),
        ({"u": json.dumps({"url": "http://x:1"})}, "u", "scheme"),
        ({}, "missing", "no context file"),
    ],
)
def test_broken_contexts_are_reported(
    xdg: Path, files: dict[str, str], name: str, error: str
) -> None:
    folder = xdg / "nats" / "context"
    folder.mkdir(parents=True)
    for stem, text in files.items():
        (folder / f"{stem}.json").write_text(text)
    (result,) = import_contexts([name])
    assert result.profile is None and result.error is not None and error in result.error


def test_no_context_dir_means_nothing_to_import(xdg: Path) -> None:
    assert import_contexts() == []
