"""Override layers: flags > env > profile, auth replaced as a whole, results never saved."""

from __future__ import annotations

import pytest

from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.overrides import apply, flags_layer, from_env
from natstui.profile_toml import FieldError

BASE = Profile(
    name="p",
    servers=("nats://base:4222",),
    auth=Auth(kind=AuthKind.CREDS, creds=SecretRef(file="base.creds")),
    tls=TlsSettings(ca_file="base-ca.pem"),
    connect_timeout=4.0,
)


def flags(**kw: object) -> object:
    args: dict[str, object] = dict(
        servers=[],
        user=None,
        password_env=None,
        token_env=None,
        creds=None,
        nkey=None,
        tls_ca=None,
        tls_cert=None,
        tls_key=None,
        tls_first=False,
        connect_timeout=None,
    )
    args.update(kw)
    return flags_layer(**args)  # type: ignore[arg-type]


def test_empty_layers_change_nothing() -> None:
    assert apply(apply(BASE, from_env({})), flags()) == BASE  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"NATS_USER": "u", "NATS_PASSWORD": "x", "NATS_CREDS": "c"}, AuthKind.USER_PASSWORD),
        ({"NATS_CREDS": "c", "NATS_NKEY": "n"}, AuthKind.CREDS),
        ({"NATS_NKEY": "n", "NATS_TOKEN": "t"}, AuthKind.NKEY),
        ({"NATS_TOKEN": "t"}, AuthKind.TOKEN),
    ],
)
def test_env_auth_order_like_natscli(env: dict[str, str], kind: AuthKind) -> None:
    assert apply(BASE, from_env(env)).auth.kind is kind


def test_env_secret_values_are_never_copied() -> None:
    result = apply(BASE, from_env({"NATS_TOKEN": "very-secret"}))
    assert result.auth.token.env == "NATS_TOKEN" and result.auth.token.inline is None
    assert "very-secret" not in repr(result)


def test_flags_beat_env_and_keep_unrelated_fields() -> None:
    env = from_env({"NATS_URL": "nats://env:1,nats://env:2", "NATS_CA": "env-ca.pem"})
    layered = apply(apply(BASE, env), flags(servers=["nats://flag:3"], connect_timeout=1.5))  # type: ignore[arg-type]
    assert layered.servers == ("nats://flag:3",)
    assert layered.tls.ca_file == "env-ca.pem" and layered.tls.enabled
    assert layered.connect_timeout == 1.5
    assert layered.auth == BASE.auth
    assert layered.ephemeral


@pytest.mark.parametrize(
    "kw",
    [{"servers": ["ftp://x"]}, {"password_env": "not a var"}, {"connect_timeout": -1.0}],
)
def test_bad_flags_are_field_errors(kw: dict[str, object]) -> None:
    with pytest.raises(FieldError):
        flags(**kw)
