"""Command-line flags and `NATS_*` environment variables applied over a profile.

Precedence: flags > environment > profile. Every layer that names an auth source replaces the
profile's auth entirely (mixing a profile's password with a flag's creds file would be a
surprise). Secrets are taken by reference only: `--password-env VAR`, `--token-env VAR`,
`NATS_PASSWORD` / `NATS_TOKEN` (read at connect time, never copied), `--creds FILE`, `--nkey FILE`.
A profile with anything overridden is ephemeral: it is never written back to the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from natstui.core.profile import DEFAULT_SERVER, Auth, AuthKind, Profile, SecretRef
from natstui.profile_toml import check_env_name, check_servers, check_timeout

ENV_VARS = (
    "NATS_URL",
    "NATS_USER",
    "NATS_PASSWORD",
    "NATS_TOKEN",
    "NATS_CREDS",
    "NATS_NKEY",
    "NATS_CERT",
    "NATS_KEY",
    "NATS_CA",
    "NATS_CONTEXT",
)


@dataclass(frozen=True)
class Overrides:
    """One layer of overrides (the flags, or the environment). Empty fields change nothing."""

    source: str
    servers: tuple[str, ...] = ()
    user: str | None = None
    password_env: str | None = None
    token_env: str | None = None
    creds: str | None = None
    nkey: str | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_first: bool = False
    connect_timeout: float | None = None
    changed: tuple[str, ...] = field(default=())

    def auth(self) -> Auth | None:
        """The auth this layer asks for, natscli's order: user > creds > nkey > token."""
        if self.user:
            password = SecretRef(env=self.password_env) if self.password_env else SecretRef()
            return Auth(kind=AuthKind.USER_PASSWORD, user=self.user, password=password)
        if self.creds:
            return Auth(kind=AuthKind.CREDS, creds=SecretRef(file=self.creds))
        if self.nkey:
            return Auth(kind=AuthKind.NKEY, nkey_seed=SecretRef(file=self.nkey))
        if self.token_env:
            return Auth(kind=AuthKind.TOKEN, token=SecretRef(env=self.token_env))
        return None


def from_env(env: Mapping[str, str]) -> Overrides:
    """The `NATS_*` layer. NATS_PASSWORD and NATS_TOKEN are referenced by name, not copied."""

    def get(name: str) -> str | None:
        return env.get(name) or None

    urls = tuple(u.strip() for u in (get("NATS_URL") or "").split(",") if u.strip())
    changed = tuple(n for n in ENV_VARS if get(n) and n != "NATS_CONTEXT")
    return Overrides(
        source="environment",
        servers=check_servers(list(urls)) if urls else (),
        user=get("NATS_USER"),
        password_env="NATS_PASSWORD" if get("NATS_PASSWORD") else None,
        token_env="NATS_TOKEN" if get("NATS_TOKEN") else None,
        creds=get("NATS_CREDS"),
        nkey=get("NATS_NKEY"),
        tls_ca=get("NATS_CA"),
        tls_cert=get("NATS_CERT"),
        tls_key=get("NATS_KEY"),
        changed=changed,
    )


def apply(profile: Profile, layer: Overrides) -> Profile:
    """`profile` with this layer's non-empty fields applied."""
    if not layer.changed:
        return profile
    auth = layer.auth()
    tls = profile.tls
    if layer.tls_ca or layer.tls_cert or layer.tls_key or layer.tls_first:
        tls = replace(
            tls,
            enabled=True,
            ca_file=layer.tls_ca or tls.ca_file,
            cert_file=layer.tls_cert or tls.cert_file,
            key_file=layer.tls_key or tls.key_file,
            handshake_first=layer.tls_first or tls.handshake_first,
        )
    note = f"{layer.source}: {', '.join(layer.changed)}"
    return replace(
        profile,
        servers=layer.servers or profile.servers,
        auth=auth if auth is not None else profile.auth,
        tls=tls,
        connect_timeout=layer.connect_timeout or profile.connect_timeout,
        description=f"{profile.description} [{note}]".strip(),
        ephemeral=True,
    )


def ad_hoc_profile() -> Profile:
    """The base when no profile is named: the default server, no auth."""
    return Profile(name="ad-hoc", servers=(DEFAULT_SERVER,), ephemeral=True)


def flags_layer(
    *,
    servers: list[str],
    user: str | None,
    password_env: str | None,
    token_env: str | None,
    creds: str | None,
    nkey: str | None,
    tls_ca: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    tls_first: bool,
    connect_timeout: float | None,
) -> Overrides:
    """The command-line layer; raises FieldError for a bad URL or env var name."""
    if password_env:
        check_env_name("--password-env", password_env)
    if token_env:
        check_env_name("--token-env", token_env)
    values = {
        "--server": servers,
        "--user": user,
        "--password-env": password_env,
        "--token-env": token_env,
        "--creds": creds,
        "--nkey": nkey,
        "--tls-ca": tls_ca,
        "--tls-cert": tls_cert,
        "--tls-key": tls_key,
        "--tls-first": tls_first,
        "--connect-timeout": connect_timeout,
    }
    return Overrides(
        source="flags",
        servers=check_servers(servers) if servers else (),
        user=user,
        password_env=password_env,
        token_env=token_env,
        creds=creds,
        nkey=nkey,
        tls_ca=tls_ca,
        tls_cert=tls_cert,
        tls_key=tls_key,
        tls_first=tls_first,
        connect_timeout=check_timeout(connect_timeout) if connect_timeout is not None else None,
        changed=tuple(k for k, v in values.items() if v),
    )
