"""The editor's form <-> Profile mapping: round trips, secret field syntax, error -> widget."""

from __future__ import annotations

import pytest

from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.profile_form import (
    form_to_profile,
    is_inline,
    parse_secret,
    profile_to_form,
    validate,
    widget_for_field,
)

PROFILES = [
    Profile(name="plain"),
    Profile(
        name="full",
        servers=("tls://a:4222", "tls://b:4222"),
        description="d",
        auth=Auth(kind=AuthKind.USER_PASSWORD, user="u", password=SecretRef(inline=Secret("p"))),
        tls=TlsSettings(
            enabled=True,
            ca_file="ca",
            cert_file="c",
            key_file="k",
            verify=False,
            handshake_first=True,
            server_name="sn",
        ),
        system_auth=Auth(kind=AuthKind.CREDS, creds=SecretRef(file="~/sys.creds")),
        monitor_urls=("http://a:8222",),
        connect_timeout=2.5,
        inbox_prefix="_I",
        subscriptions=("a.>", "b.*"),
    ),
    Profile(
        name="jwt",
        auth=Auth(kind=AuthKind.JWT, jwt=SecretRef(file="u.jwt"), seed=SecretRef(env="SEED")),
    ),
    Profile(name="nkey", auth=Auth(kind=AuthKind.NKEY, nkey_seed=SecretRef(env="NK"))),
    Profile(name="tok", auth=Auth(kind=AuthKind.TOKEN, token=SecretRef(file="/run/t"))),
]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_round_trip(profile: Profile) -> None:
    assert form_to_profile(profile_to_form(profile)) == profile


@pytest.mark.parametrize(
    ("attr", "text", "expected", "inline"),
    [
        ("password", "hunter2", ("inline", "hunter2"), True),
        ("password", "env://PW", ("env", "PW"), False),
        ("password", "file://~/pw", ("file", "~/pw"), False),
        ("creds", "~/x.creds", ("file", "~/x.creds"), False),
        ("creds", "env://CREDS", ("env", "CREDS"), False),
        ("nkey_seed", "/k/u.nk", ("file", "/k/u.nk"), False),
        ("token", " spaced ", ("inline", " spaced "), True),
    ],
)
def test_secret_field_syntax(attr: str, text: str, expected: tuple[str, str], inline: bool) -> None:
    assert parse_secret(attr, text) == expected
    assert is_inline(attr, text) is inline


@pytest.mark.parametrize(
    ("changes", "field", "widget"),
    [
        ({"name": ""}, "name", "name"),
        ({"servers": "http://x"}, "servers", "servers"),
        ({"connect_timeout": "soon"}, "connect_timeout", "connect_timeout"),
        ({"auth-kind": "token"}, "auth.token", "auth-token"),
        ({"auth-kind": "user_password", "auth-password": "env://PW"}, "auth.user", "auth-user"),
        ({"auth-kind": "token", "auth-token": "env://not valid"}, "auth.token_env", "auth-token"),
        ({"sys-kind": "creds"}, "system_auth.creds_text", "sys-creds"),
        ({"tls-cert_file": "c.pem"}, "tls.key_file", "tls-key_file"),
        ({"subscriptions": "a..b"}, "subscriptions", "subscriptions"),
    ],
)
def test_errors_point_at_the_widget(changes: dict[str, str], field: str, widget: str) -> None:
    values = {**profile_to_form(Profile(name="ok")), **changes}
    error = validate(values)
    assert error is not None and error.field == field
    assert widget_for_field(error.field) == widget


def test_switching_auth_kind_drops_the_other_secrets() -> None:
    values = profile_to_form(PROFILES[1])
    values["auth-kind"] = "token"
    values["auth-token"] = "env://TOK"
    profile = form_to_profile(values)
    assert profile.auth.kind is AuthKind.TOKEN and not profile.auth.password.is_set()
