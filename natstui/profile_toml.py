"""Profiles <-> plain TOML tables, with validation that names the profile and the field.

Pure functions (no file I/O, no UI): `natstui.config` reads and writes the file, the profile
editor calls the per-field validators as the user types.

A secret field `X` is given in one of three forms: `X` (inline value), `X_env` (name of an
environment variable) or `X_file` (path of a file holding it). `creds` and `nkey` are paths
(what natscli and everyone else write); their inline forms are `creds_text` and `nkey_seed`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.core.subjects import SubjectError, validate_subscribe_subject

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
SERVER_SCHEMES = ("nats", "tls", "ws", "wss")
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 300.0


@dataclass(frozen=True)
class SecretKeys:
    """The TOML keys of one secret: inline value, env var name, file path."""

    inline: str
    env: str
    file: str


# Auth attribute -> its TOML keys.
SECRET_KEYS: dict[str, SecretKeys] = {
    "password": SecretKeys("password", "password_env", "password_file"),
    "token": SecretKeys("token", "token_env", "token_file"),
    "jwt": SecretKeys("jwt", "jwt_env", "jwt_file"),
    "seed": SecretKeys("seed", "seed_env", "seed_file"),
    "nkey_seed": SecretKeys("nkey_seed", "nkey_env", "nkey"),
    "creds": SecretKeys("creds_text", "creds_env", "creds"),
}
# Which secrets each auth kind needs.
KIND_SECRETS: dict[AuthKind, tuple[str, ...]] = {
    AuthKind.NONE: (),
    AuthKind.TOKEN: ("token",),
    AuthKind.USER_PASSWORD: ("password",),
    AuthKind.NKEY: ("nkey_seed",),
    AuthKind.CREDS: ("creds",),
    AuthKind.JWT: ("jwt", "seed"),
}
AUTH_KEYS = frozenset(
    {"kind", "user"} | {k for s in SECRET_KEYS.values() for k in vars(s).values()}
)
TLS_KEYS = frozenset(
    {"enabled", "ca_file", "cert_file", "key_file", "verify", "handshake_first", "server_name"}
)
PROFILE_KEYS = frozenset(
    {
        "description",
        "servers",
        "auth",
        "tls",
        "system_auth",
        "monitor_urls",
        "connect_timeout",
        "inbox_prefix",
        "subscriptions",
    }
)


class FieldError(ValueError):
    """A bad value; `field` is the dotted key inside the profile, e.g. `auth.password_env`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- per-field validators (also used by the editor as the user types) ----------------------------
def check_name(name: str) -> str:
    """A profile name usable on the command line: letters, digits, `_ . @ -`, max 64."""
    if not NAME_RE.match(name):
        raise FieldError(
            "name", "use 1-64 letters, digits or _ . @ - (starting with a letter or digit)"
        )
    return name


def check_server(url: str) -> str:
    """A server URL: nats://, tls://, ws:// or wss://, a host, and a valid port if given."""
    text = url.strip()
    if not text:
        raise FieldError("servers", "a server URL is empty")
    if "://" not in text:
        text = f"nats://{text}"
    parts = _split_url("servers", text)
    if parts.scheme not in SERVER_SCHEMES:
        raise FieldError("servers", f"scheme must be one of {', '.join(SERVER_SCHEMES)}")
    try:
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise FieldError("servers", "the port is not a number between 0 and 65535") from None
    if not host:
        raise FieldError("servers", "a server URL has no host")
    if port == 0:
        raise FieldError("servers", "port 0 is not a server port")
    if parts.password is not None:
        raise FieldError(
            "servers", "put passwords in the auth section, not in the URL (it is shown in lists)"
        )
    return text


def check_servers(urls: list[str]) -> tuple[str, ...]:
    """A non-empty list of server URLs that nats-py can use together (no ws mixed with nats)."""
    if not urls:
        raise FieldError("servers", "give at least one server URL")
    checked = tuple(check_server(u) for u in urls)
    websocket = {urlsplit(u).scheme in ("ws", "wss") for u in checked}
    if len(websocket) > 1:
        raise FieldError("servers", "ws:// and wss:// URLs cannot be mixed with nats:// or tls://")
    return checked


def check_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError("connect_timeout", "must be a number of seconds")
    number = float(value)
    if not math.isfinite(number) or not MIN_TIMEOUT <= number <= MAX_TIMEOUT:
        raise FieldError("connect_timeout", f"must be between {MIN_TIMEOUT} and {MAX_TIMEOUT} s")
    return number


def check_inbox_prefix(value: str) -> str:
    try:
        validate_subscribe_subject(value)
    except SubjectError as exc:
        raise FieldError("inbox_prefix", str(exc)) from None
    if "*" in value or ">" in value:
        raise FieldError("inbox_prefix", "must not contain wildcards")
    return value


def check_subscription(value: str) -> str:
    try:
        return validate_subscribe_subject(value)
    except SubjectError as exc:
        raise FieldError("subscriptions", str(exc)) from None


def _split_url(field: str, text: str) -> SplitResult:
    """urlsplit, with its ValueError (a half-typed `[::1` IPv6 host) as a FieldError."""
    try:
        return urlsplit(text)
    except ValueError:
        raise FieldError(field, "a URL is not valid (check the [IPv6] brackets)") from None


def check_monitor_url(value: str) -> str:
    parts = _split_url("monitor_urls", value.strip())
    try:
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        raise FieldError("monitor_urls", "must be an http:// or https:// URL with a host")
    return value.strip()


def check_env_name(field: str, value: str) -> str:
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
        raise FieldError(field, "must be an environment variable name (letters, digits, _)")
    return value


# --- typed getters -----------------------------------------------------------------------------
def _str(table: Mapping[str, Any], key: str, prefix: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(prefix + key, "must be a string")
    if any(ord(c) < 0x20 and c != "\t" for c in value):
        raise FieldError(prefix + key, "must not contain control characters")
    return value


def _bool(table: Mapping[str, Any], key: str, prefix: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise FieldError(prefix + key, "must be true or false")
    return value


def _str_list(table: Mapping[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FieldError(key, "must be a list of strings")
    return list(value)


def _table(table: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise FieldError(key, "must be a table")
    return value


def _unknown(table: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise FieldError(prefix + str(key), "unknown key")


# --- TOML table -> Profile ---------------------------------------------------------------------
def _secret(table: Mapping[str, Any], attr: str, prefix: str) -> SecretRef:
    keys = SECRET_KEYS[attr]
    given = [k for k in (keys.inline, keys.env, keys.file) if table.get(k) is not None]
    if len(given) > 1:
        raise FieldError(prefix + given[1], f"give only one of {', '.join(given)}")
    inline = _str(table, keys.inline, prefix)
    env = _str(table, keys.env, prefix)
    file = _str(table, keys.file, prefix)
    if env is not None:
        check_env_name(prefix + keys.env, env)
    if file is not None and not file.strip():
        raise FieldError(prefix + keys.file, "is empty")
    return SecretRef(inline=Secret(inline) if inline is not None else None, env=env, file=file)


def auth_from_table(table: Mapping[str, Any], prefix: str = "auth.") -> Auth:
    """Parse an auth table; raises FieldError naming e.g. `auth.password_env`."""
    _unknown(table, AUTH_KEYS, prefix)
    kind_text = _str(table, "kind", prefix) or "none"
    try:
        kind = AuthKind(kind_text)
    except ValueError:
        choices = ", ".join(k.value for k in AuthKind)
        raise FieldError(prefix + "kind", f"must be one of {choices}") from None
    secrets = {attr: _secret(table, attr, prefix) for attr in SECRET_KEYS}
    for attr in KIND_SECRETS[kind]:
        if not secrets[attr].is_set():
            keys = SECRET_KEYS[attr]
            raise FieldError(
                prefix + keys.inline,
                f"auth kind {kind.value} needs {keys.inline}, {keys.env} or {keys.file}",
            )
    user = _str(table, "user", prefix)
    if kind is AuthKind.USER_PASSWORD and not user:
        raise FieldError(prefix + "user", "auth kind user_password needs a user")
    return Auth(kind=kind, user=user, **secrets)


def tls_from_table(table: Mapping[str, Any]) -> TlsSettings:
    _unknown(table, TLS_KEYS, "tls.")
    cert = _str(table, "cert_file", "tls.")
    key = _str(table, "key_file", "tls.")
    if bool(cert) != bool(key):
        raise FieldError("tls.key_file" if cert else "tls.cert_file", "give both cert and key")
    return TlsSettings(
        enabled=_bool(table, "enabled", "tls.", False),
        ca_file=_str(table, "ca_file", "tls.") or None,
        cert_file=cert or None,
        key_file=key or None,
        verify=_bool(table, "verify", "tls.", True),
        handshake_first=_bool(table, "handshake_first", "tls.", False),
        server_name=_str(table, "server_name", "tls.") or None,
    )


def profile_from_table(name: str, table: Mapping[str, Any]) -> Profile:
    """Build a Profile from its TOML table; FieldError names the offending field."""
    check_name(name)
    _unknown(table, PROFILE_KEYS, "")
    servers = check_servers(_str_list(table, "servers") or ["nats://127.0.0.1:4222"])
    auth_table = _table(table, "auth")
    sys_table = _table(table, "system_auth")
    tls_table = _table(table, "tls")
    timeout = table.get("connect_timeout", 5.0)
    return Profile(
        name=name,
        servers=servers,
        description=_str(table, "description", "") or "",
        auth=auth_from_table(auth_table) if auth_table is not None else Auth(),
        tls=tls_from_table(tls_table) if tls_table is not None else TlsSettings(),
        system_auth=auth_from_table(sys_table, "system_auth.") if sys_table is not None else None,
        monitor_urls=tuple(check_monitor_url(u) for u in _str_list(table, "monitor_urls")),
        connect_timeout=check_timeout(timeout),
        inbox_prefix=check_inbox_prefix(_str(table, "inbox_prefix", "") or "_INBOX"),
        subscriptions=tuple(check_subscription(s) for s in _str_list(table, "subscriptions")),
    )


# --- Profile -> TOML table ---------------------------------------------------------------------
def _secret_items(attr: str, ref: SecretRef) -> dict[str, str]:
    keys = SECRET_KEYS[attr]
    if ref.inline is not None:
        return {keys.inline: ref.inline.reveal()}
    if ref.env:
        return {keys.env: ref.env}
    if ref.file:
        return {keys.file: ref.file}
    return {}


def auth_to_table(auth: Auth) -> dict[str, Any]:
    """Only the keys the auth kind uses, so switching kind drops stale secrets."""
    table: dict[str, Any] = {"kind": auth.kind.value}
    if auth.user and auth.kind is AuthKind.USER_PASSWORD:
        table["user"] = auth.user
    for attr in KIND_SECRETS[auth.kind]:
        table.update(_secret_items(attr, getattr(auth, attr)))
    return table


def tls_to_table(tls: TlsSettings) -> dict[str, Any]:
    table: dict[str, Any] = {"enabled": tls.enabled}
    for key in ("ca_file", "cert_file", "key_file", "server_name"):
        value = getattr(tls, key)
        if value:
            table[key] = value
    if not tls.verify:
        table["verify"] = False
    if tls.handshake_first:
        table["handshake_first"] = True
    return table


def profile_to_table(profile: Profile) -> dict[str, Any]:
    """The TOML table for a profile (plain dicts; `config` merges it into the document)."""
    table: dict[str, Any] = {}
    if profile.description:
        table["description"] = profile.description
    table["servers"] = list(profile.servers)
    table["connect_timeout"] = profile.connect_timeout
    if profile.inbox_prefix != "_INBOX":
        table["inbox_prefix"] = profile.inbox_prefix
    if profile.subscriptions:
        table["subscriptions"] = list(profile.subscriptions)
    if profile.monitor_urls:
        table["monitor_urls"] = list(profile.monitor_urls)
    table["auth"] = auth_to_table(profile.auth)
    if profile.tls.wanted or not profile.tls.verify or profile.tls.server_name:
        table["tls"] = tls_to_table(profile.tls)
    if profile.system_auth is not None:
        table["system_auth"] = auth_to_table(profile.system_auth)
    return table
