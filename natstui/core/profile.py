"""Connection profiles as immutable models: servers, auth, TLS, monitoring.

Loading and saving live in `natstui.config`; turning a profile into `nats.connect()` arguments
lives in `natstui.core.connection`. Secrets are `SecretRef`s: a file path, an environment variable
name, or an inline `Secret`, resolved only at connect time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from natstui.core.secret import Secret


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the field and never a secret."""


def expand_path(path: str) -> Path:
    """Expand `~` and `$VAR` in a path at the moment it is used."""
    return Path(os.path.expandvars(os.path.expanduser(path)))


@dataclass(frozen=True)
class SecretRef:
    """Where a secret comes from: exactly one of an inline value, an env var, or a file."""

    inline: Secret | None = None
    env: str | None = None
    file: str | None = None

    def describe(self) -> str:
        """A safe, human description: never the value itself."""
        if self.env:
            return f"env ${self.env}"
        if self.file:
            return f"file {self.file}"
        if self.inline is not None:
            return "inline (hidden)"
        return "not set"

    def is_set(self) -> bool:
        return bool(self.env or self.file or self.inline is not None)

    def resolve(self, what: str) -> str:
        """Return the secret's value or raise ProfileError naming `what` (not the value)."""
        if self.inline is not None:
            return self.inline.reveal()
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise ProfileError(f"{what}: environment variable ${self.env} is not set")
            return value
        if self.file:
            path = expand_path(self.file)
            try:
                return path.read_text().strip()
            except OSError as exc:
                raise ProfileError(f"{what}: cannot read {path}: {exc.strerror}") from None
        raise ProfileError(f"{what} is not set")


class AuthKind(StrEnum):
    NONE = "none"
    TOKEN = "token"
    USER_PASSWORD = "user_password"
    NKEY = "nkey"
    CREDS = "creds"
    JWT = "jwt"


@dataclass(frozen=True)
class Auth:
    """How to authenticate. Only the fields of `kind` are used.

    - token: `token`
    - user_password: `user` + `password`
    - nkey: `nkey_seed` (file = a seed file path, inline/env = the seed text)
    - creds: `creds` (file = a .creds path, inline/env = the creds text)
    - jwt: `jwt` + `seed` (JWT text and user seed text, as natscli's user_jwt/user_seed)
    """

    kind: AuthKind = AuthKind.NONE
    user: str | None = None
    password: SecretRef = field(default_factory=SecretRef)
    token: SecretRef = field(default_factory=SecretRef)
    nkey_seed: SecretRef = field(default_factory=SecretRef)
    creds: SecretRef = field(default_factory=SecretRef)
    jwt: SecretRef = field(default_factory=SecretRef)
    seed: SecretRef = field(default_factory=SecretRef)

    def summary(self) -> str:
        """A one-line, secret-free description for lists and the status bar."""
        if self.kind is AuthKind.USER_PASSWORD:
            return f"user {self.user or '?'}"
        if self.kind is AuthKind.CREDS:
            return f"creds ({self.creds.describe()})"
        if self.kind is AuthKind.NKEY:
            return f"nkey ({self.nkey_seed.describe()})"
        return self.kind.value


@dataclass(frozen=True)
class TlsSettings:
    """TLS options. `enabled` means: refuse to talk to the server in plaintext."""

    enabled: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True
    handshake_first: bool = False
    server_name: str | None = None

    @property
    def wanted(self) -> bool:
        """TLS is wanted when asked for explicitly or implied by any TLS setting."""
        return bool(self.enabled or self.ca_file or self.cert_file or self.handshake_first)


DEFAULT_SERVER = "nats://127.0.0.1:4222"


@dataclass(frozen=True)
class Profile:
    """One saved (or ad-hoc) way to reach a NATS system."""

    name: str
    servers: tuple[str, ...] = (DEFAULT_SERVER,)
    description: str = ""
    auth: Auth = field(default_factory=Auth)
    tls: TlsSettings = field(default_factory=TlsSettings)
    # Credentials of a system-account user, used on a second connection for $SYS monitoring.
    system_auth: Auth | None = None
    monitor_urls: tuple[str, ...] = ()
    connect_timeout: float = 5.0
    inbox_prefix: str = "_INBOX"
    subscriptions: tuple[str, ...] = ()
    # Ephemeral profiles (the demo, ad-hoc flags) are never written to disk.
    ephemeral: bool = False

    @property
    def tls_wanted(self) -> bool:
        return self.tls.wanted or any(s.startswith(("tls://", "wss://")) for s in self.servers)
