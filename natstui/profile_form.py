"""The profile editor's flat form values <-> a Profile, through the same TOML validation.

The editor keeps one string/bool per widget id; `form_to_profile` turns them into the TOML table
the file would hold and validates it with `profile_from_table`, so the editor and the file can
never disagree about what is valid. `widget_for_field` maps a FieldError back to the widget to
highlight. No Textual imports: unit-testable on its own.
"""

from __future__ import annotations

from typing import Any

from natstui.core.profile import Auth, AuthKind, Profile, SecretRef
from natstui.profile_toml import (
    KIND_SECRETS,
    SECRET_KEYS,
    FieldError,
    profile_from_table,
)

FormValues = dict[str, Any]
AUTH_PREFIXES = {"auth": "auth", "sys": "system_auth"}
TLS_TEXT = ("ca_file", "cert_file", "key_file", "server_name")
# A secret is typed in one field, natscli-style: `env://VAR`, `file://PATH`, or a plain value.
# A plain value is a file path for creds and nkey seeds (that is what people have), else inline.
PLAIN_IS_FILE = frozenset({"creds", "nkey_seed"})


def parse_secret(attr: str, text: str) -> tuple[str, str]:
    """(`inline` | `env` | `file`, value) for what was typed in a secret field."""
    if text.startswith("env://"):
        return "env", text.removeprefix("env://").strip()
    if text.startswith("file://"):
        return "file", text.removeprefix("file://").strip()
    if attr in PLAIN_IS_FILE:
        return "file", text.strip()
    return "inline", text


def secret_text(attr: str, ref: SecretRef) -> str:
    """The field text for a stored secret reference (the inverse of `parse_secret`)."""
    if ref.inline is not None:
        return ref.inline.reveal()
    if ref.env:
        return f"env://{ref.env}"
    if ref.file:
        return ref.file if attr in PLAIN_IS_FILE else f"file://{ref.file}"
    return ""


def is_inline(attr: str, text: str) -> bool:
    """True when the field holds a secret value itself (so it must be masked)."""
    return bool(text) and parse_secret(attr, text)[0] == "inline"


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _auth_table(values: FormValues, prefix: str) -> dict[str, Any] | None:
    kind = values.get(f"{prefix}-kind") or "none"
    if prefix == "sys" and kind == "none":
        return None
    table: dict[str, Any] = {"kind": kind}
    user = (values.get(f"{prefix}-user") or "").strip()
    if user:
        table["user"] = user
    for attr in KIND_SECRETS.get(_kind(kind), ()):
        text = values.get(f"{prefix}-{attr}") or ""
        if not text:
            continue
        source, value = parse_secret(attr, text)
        keys = SECRET_KEYS[attr]
        table[{"inline": keys.inline, "env": keys.env, "file": keys.file}[source]] = value
    return table


def _kind(text: str) -> AuthKind:
    try:
        return AuthKind(text)
    except ValueError:
        return AuthKind.NONE


def form_to_table(values: FormValues) -> dict[str, Any]:
    """The TOML table the form describes (before validation)."""
    table: dict[str, Any] = {"servers": _split_list(values.get("servers") or "")}
    if (values.get("description") or "").strip():
        table["description"] = values["description"].strip()
    timeout = (values.get("connect_timeout") or "").strip()
    if timeout:
        try:
            table["connect_timeout"] = float(timeout)
        except ValueError:
            table["connect_timeout"] = timeout  # the validator says "must be a number"
    for key in ("inbox_prefix",):
        if (values.get(key) or "").strip():
            table[key] = values[key].strip()
    for key in ("subscriptions", "monitor_urls"):
        items = _split_list(values.get(key) or "")
        if items:
            table[key] = items
    for prefix, key in AUTH_PREFIXES.items():
        auth = _auth_table(values, prefix)
        if auth is not None:
            table[key] = auth
    tls: dict[str, Any] = {
        "enabled": bool(values.get("tls-enabled")),
        "verify": bool(values.get("tls-verify", True)),
        "handshake_first": bool(values.get("tls-handshake_first")),
    }
    for key in TLS_TEXT:
        if (values.get(f"tls-{key}") or "").strip():
            tls[key] = values[f"tls-{key}"].strip()
    table["tls"] = tls
    return table


def form_to_profile(values: FormValues) -> Profile:
    """Validate the form; raises FieldError naming the field (e.g. `auth.password_env`)."""
    name = (values.get("name") or "").strip()
    return profile_from_table(name, form_to_table(values))


def _auth_values(auth: Auth | None, prefix: str) -> FormValues:
    values: FormValues = {f"{prefix}-kind": auth.kind.value if auth else "none"}
    if auth is None:
        return values
    values[f"{prefix}-user"] = auth.user or ""
    for attr in KIND_SECRETS[auth.kind]:
        values[f"{prefix}-{attr}"] = secret_text(attr, getattr(auth, attr))
    return values


def profile_to_form(profile: Profile) -> FormValues:
    """Form values that reproduce `profile` (inline secrets included: they go to masked inputs)."""
    tls = profile.tls
    values: FormValues = {
        "name": profile.name,
        "description": profile.description,
        "servers": ", ".join(profile.servers),
        "connect_timeout": f"{profile.connect_timeout:g}",
        "inbox_prefix": profile.inbox_prefix,
        "subscriptions": ", ".join(profile.subscriptions),
        "monitor_urls": ", ".join(profile.monitor_urls),
        "tls-enabled": tls.enabled,
        "tls-verify": tls.verify,
        "tls-handshake_first": tls.handshake_first,
    }
    for key in TLS_TEXT:
        values[f"tls-{key}"] = getattr(tls, key) or ""
    values.update(_auth_values(profile.auth, "auth"))
    values.update(_auth_values(profile.system_auth, "sys"))
    return values


def widget_for_field(field: str) -> str:
    """The form widget id for a FieldError field, e.g. `system_auth.creds` -> `sys-creds-value`."""
    head, _, key = field.partition(".")
    if head == "tls" and key:
        return f"tls-{key}"
    for prefix, table in AUTH_PREFIXES.items():
        if head == table and key:
            if key in ("kind", "user"):
                return f"{prefix}-{key}"
            for attr, keys in SECRET_KEYS.items():
                if key in (keys.inline, keys.env, keys.file):
                    return f"{prefix}-{attr}"
    return head


def validate(values: FormValues) -> FieldError | None:
    """None when the form is valid, else the first problem."""
    try:
        form_to_profile(values)
    except FieldError as exc:
        return exc
    return None
