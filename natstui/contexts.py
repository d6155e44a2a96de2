"""Import natscli contexts (`${XDG_CONFIG_HOME:-~/.config}/nats/context/<name>.json`) as profiles.

Paths (creds, nkey, cert, key, ca) are kept as references, exactly as written, so `~` and `$VAR`
are expanded when the profile is used. Secret values natscli stores in the context (password,
token, user_jwt, user_seed) become inline secrets, unless they are natscli URI references
(`env://NAME`, `file://PATH`), which become environment / file references.
Auth precedence follows natscli: user (+password) > creds > nkey > user_jwt + user_seed > token.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from natstui.core.profile import DEFAULT_SERVER, Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.profile_toml import NAME_RE, FieldError, check_servers

# Keys natstui has no use for (or cannot honour); importing warns about the ones that are set.
UNSUPPORTED = ("socks_proxy", "jetstream_domain", "jetstream_api_prefix", "nsc")


@dataclass(frozen=True)
class ImportedContext:
    """One context: the profile made from it, or the reason it could not be imported."""

    name: str
    profile: Profile | None
    warnings: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ContextDir:
    """Where natscli keeps contexts, and which one is selected."""

    root: Path
    selected: str | None = None
    names: tuple[str, ...] = field(default=())


def nats_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "nats"


def find_contexts(root: Path | None = None) -> ContextDir:
    """List context names (sorted) and the selected one from `context.txt`."""
    root = root or nats_config_dir()
    folder = root / "context"
    names = tuple(sorted(p.stem for p in folder.glob("*.json"))) if folder.is_dir() else ()
    selected = None
    with contextlib.suppress(OSError):
        selected = (root / "context.txt").read_text().strip() or None
    return ContextDir(root, selected, names)


def import_contexts(names: Iterable[str] = (), root: Path | None = None) -> list[ImportedContext]:
    """Read the named contexts (all of them when `names` is empty)."""
    found = find_contexts(root)
    wanted = list(names) or list(found.names)
    return [_import_one(found.root / "context" / f"{name}.json", name) for name in wanted]


def _import_one(path: Path, name: str) -> ImportedContext:
    if not NAME_RE.match(name):
        return ImportedContext(name, None, error="name is not usable as a profile name")
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return ImportedContext(name, None, error=f"no context file {path}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ImportedContext(name, None, error=f"{path}: cannot read: {type(exc).__name__}")
    if not isinstance(data, dict):
        return ImportedContext(name, None, error=f"{path}: not a JSON object")
    try:
        profile, warnings = context_to_profile(name, data)
    except (FieldError, ValueError) as exc:
        return ImportedContext(name, None, error=f"{path}: {exc}")
    return ImportedContext(name, profile, tuple(warnings))


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value.strip()


def secret_ref(value: str) -> SecretRef:
    """natscli secret value -> reference: `env://X` and `file://P` stay references."""
    if value.startswith("env://"):
        return SecretRef(env=value[len("env://") :])
    if value.startswith("file://"):
        return SecretRef(file=value[len("file://") :])
    return SecretRef(inline=Secret(value))


def _auth(data: Mapping[str, Any], warnings: list[str]) -> Auth:
    user, password = _text(data, "user"), _text(data, "password")
    creds, nkey = _text(data, "creds"), _text(data, "nkey")
    jwt, seed, token = _text(data, "user_jwt"), _text(data, "user_seed"), _text(data, "token")
    for value in (password, token, jwt, seed, creds, nkey):
        if re.match(r"^(op|nsc)://", value):
            warnings.append("a 1Password/nsc secret reference cannot be resolved by natstui")
    if user:
        return Auth(kind=AuthKind.USER_PASSWORD, user=user, password=secret_ref(password))
    if creds:
        return Auth(kind=AuthKind.CREDS, creds=SecretRef(file=_path_ref(creds)))
    if nkey:
        return Auth(kind=AuthKind.NKEY, nkey_seed=SecretRef(file=_path_ref(nkey)))
    if jwt and seed:
        return Auth(kind=AuthKind.JWT, jwt=secret_ref(jwt), seed=secret_ref(seed))
    if token:
        return Auth(kind=AuthKind.TOKEN, token=secret_ref(token))
    return Auth()


def _path_ref(value: str) -> str:
    return value[len("file://") :] if value.startswith("file://") else value


def _tls(data: Mapping[str, Any], warnings: list[str]) -> TlsSettings:
    cert, key, ca = _text(data, "cert"), _text(data, "key"), _text(data, "ca")
    if bool(cert) != bool(key):
        warnings.append("a client cert needs both cert and key: dropped the one given")
        cert = key = ""
    tls_first = data.get("tls_first") is True
    return TlsSettings(
        enabled=bool(cert or ca or tls_first),
        ca_file=ca or None,
        cert_file=cert or None,
        key_file=key or None,
        handshake_first=tls_first,
    )


def context_to_profile(name: str, data: Mapping[str, Any]) -> tuple[Profile, list[str]]:
    """Map one context's keys onto a Profile; returns it with warnings for what was dropped."""
    warnings: list[str] = []
    urls = [u.strip() for u in _text(data, "url").split(",") if u.strip()] or [DEFAULT_SERVER]
    auth = _auth(data, warnings)
    if auth.kind is not AuthKind.TOKEN and _text(data, "token"):
        warnings.append(f"token ignored: natstui uses one auth mode ({auth.kind.value})")
    for key in UNSUPPORTED:
        if data.get(key):
            warnings.append(f"{key} is not supported and was not imported")
    profile = Profile(
        name=name,
        servers=check_servers(urls),
        description=_text(data, "description") or f"imported from nats context {name}",
        auth=auth,
        tls=_tls(data, warnings),
        inbox_prefix=_text(data, "inbox_prefix") or "_INBOX",
    )
    return profile, warnings
