"""What to run (options, topology, ports) and the nats-server config text for each server.

Pure functions and frozen dataclasses: no processes, no sockets, so they are unit-tested alone.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from natstui.demo.certs import TlsFiles

DEFAULT_CLUSTER = "c1"
STANDALONE_NAME = "n1"
APP_ACCOUNT = "APP"
SYS_ACCOUNT = "SYS"
# nats-server refuses to start with a lame-duck duration below 30 s; the grace period (the wait
# before it starts closing clients) can be short, which keeps lame-duck tests quick.
LAME_DUCK_DURATION = "30s"
LAME_DUCK_GRACE = "1s"
# The demo's regions: one cluster each, joined by gateways.
DEMO_REGIONS = ("eu", "us-west", "us-east")


@dataclass(frozen=True)
class NatsOptions:
    """Everything that shapes a local NATS system. All fields have test-friendly defaults.

    Topology: `clusters=()` and `servers=1` is one standalone server; `clusters=()` and
    `servers>1` is one cluster named "c1"; otherwise every named cluster gets `servers` servers,
    and two or more clusters are joined by gateways (a supercluster).
    Auth: by default an `APP` account (user `app`) and a `SYS` system account (user `sys`) with
    random passwords. `auth_config` replaces that whole block with raw config text (token auth,
    nkey users, operator mode...); `extra_config` is appended to every server's config.
    """

    servers: int = 1
    clusters: tuple[str, ...] = ()
    tls: bool = False
    verify: bool = False
    handshake_first: bool = False
    jetstream: bool = False
    auth_config: str | None = None
    extra_config: str = ""
    pool_size: int | None = None

    def __post_init__(self) -> None:
        if self.servers < 1:
            raise ValueError("servers must be at least 1")
        if len(set(self.clusters)) != len(self.clusters):
            raise ValueError(f"cluster names must be unique: {self.clusters}")
        if (self.verify or self.handshake_first) and not self.tls:
            raise ValueError("verify and handshake_first need tls=True")

    @property
    def cluster_names(self) -> tuple[str, ...]:
        """The clusters actually run; empty for a standalone server."""
        if self.clusters:
            return self.clusters
        return (DEFAULT_CLUSTER,) if self.servers > 1 else ()

    @property
    def gateways(self) -> bool:
        return len(self.cluster_names) > 1

    @property
    def server_count(self) -> int:
        return self.servers * max(1, len(self.cluster_names))

    @property
    def default_accounts(self) -> bool:
        return self.auth_config is None


def demo_options(servers_per_cluster: int = 3) -> NatsOptions:
    """The demo's supercluster (also the `nats_super` test fixture): TLS, default accounts."""
    return NatsOptions(servers=servers_per_cluster, clusters=DEMO_REGIONS, tls=True)


@dataclass(frozen=True)
class Credentials:
    """User names and passwords of the default accounts (random for every run)."""

    app_user: str = "app"
    app_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    sys_user: str = "sys"
    sys_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    def __repr__(self) -> str:
        return f"Credentials(app_user={self.app_user!r}, sys_user={self.sys_user!r})"


@dataclass(frozen=True)
class Ports:
    client: int
    http: int
    cluster: int | None = None
    gateway: int | None = None


@dataclass(frozen=True)
class ServerPlan:
    """One server of the topology: its name, cluster (None when standalone) and ports."""

    name: str
    cluster: str | None
    ports: Ports


def ports_needed(options: NatsOptions) -> int:
    """How many free ports a topology needs."""
    per_server = 2 + (1 if options.cluster_names else 0) + (1 if options.gateways else 0)
    return per_server * options.server_count


def plan_servers(options: NatsOptions, ports: Iterator[int]) -> list[ServerPlan]:
    """Name every server and give it its ports, in a stable order (cluster by cluster)."""
    if not options.cluster_names:
        return [ServerPlan(STANDALONE_NAME, None, Ports(next(ports), next(ports)))]
    plans = []
    for cluster in options.cluster_names:
        for index in range(1, options.servers + 1):
            gateway = next(ports) if options.gateways else None
            ports_ = Ports(next(ports), next(ports), next(ports), gateway)
            plans.append(ServerPlan(f"{cluster}-{index}", cluster, ports_))
    return plans


def render_config(
    server: ServerPlan,
    plan: list[ServerPlan],
    options: NatsOptions,
    credentials: Credentials,
    tls_files: TlsFiles | None,
    store_dir: Path | None = None,
) -> str:
    """The nats-server config text for `server`, given the whole plan."""
    parts = [
        _server_block(server),
        _cluster_block(server, plan, options),
        _gateway_block(server, plan, options),
        _tls_block(options, tls_files),
        _auth_block(options, credentials),
        _jetstream_block(options, store_dir),
        options.extra_config.strip(),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def quote(value: str | Path) -> str:
    """A double-quoted config string (the config grammar accepts JSON-style escapes)."""
    return json.dumps(str(value))


def _server_block(server: ServerPlan) -> str:
    return "\n".join(
        [
            f"server_name: {quote(server.name)}",
            f"listen: 127.0.0.1:{server.ports.client}",
            f"http: 127.0.0.1:{server.ports.http}",
            f"lame_duck_duration: {quote(LAME_DUCK_DURATION)}",
            f"lame_duck_grace_period: {quote(LAME_DUCK_GRACE)}",
        ]
    )


def _cluster_block(server: ServerPlan, plan: list[ServerPlan], options: NatsOptions) -> str:
    if server.cluster is None:
        return ""
    peers = [p for p in plan if p.cluster == server.cluster and p.name != server.name]
    routes = ", ".join(f"nats-route://127.0.0.1:{p.ports.cluster}" for p in peers)
    lines = [
        "cluster {",
        f"  name: {quote(server.cluster)}",
        f"  listen: 127.0.0.1:{server.ports.cluster}",
        f"  routes: [{routes}]",
    ]
    if options.pool_size is not None:
        lines.append(f"  pool_size: {options.pool_size}")
    return "\n".join([*lines, "}"])


def _gateway_block(server: ServerPlan, plan: list[ServerPlan], options: NatsOptions) -> str:
    if not options.gateways or server.cluster is None:
        return ""
    remotes = []
    for cluster in options.cluster_names:
        if cluster == server.cluster:
            continue
        urls = ", ".join(
            f"nats://127.0.0.1:{p.ports.gateway}" for p in plan if p.cluster == cluster
        )
        remotes.append(f"    {{name: {quote(cluster)}, urls: [{urls}]}}")
    return "\n".join(
        [
            "gateway {",
            f"  name: {quote(server.cluster)}",
            f"  listen: 127.0.0.1:{server.ports.gateway}",
            "  gateways: [",
            *remotes,
            "  ]",
            "}",
        ]
    )


def _tls_block(options: NatsOptions, tls_files: TlsFiles | None) -> str:
    if not options.tls:
        return ""
    if tls_files is None:
        raise ValueError("tls=True needs certificate files")
    lines = [
        "tls {",
        f"  cert_file: {quote(tls_files.server_cert)}",
        f"  key_file: {quote(tls_files.server_key)}",
        f"  ca_file: {quote(tls_files.ca_file)}",
        f"  verify: {str(options.verify).lower()}",
        # Two cores shared with other test runs: the default 0.5 s handshake can be too tight.
        "  timeout: 5",
    ]
    if options.handshake_first:
        lines.append("  handshake_first: true")
    return "\n".join([*lines, "}"])


def _auth_block(options: NatsOptions, credentials: Credentials) -> str:
    if options.auth_config is not None:
        return options.auth_config.strip()
    # Accounts other than $G have no JetStream unless it is enabled for them explicitly.
    jetstream = ["    jetstream: enabled"] if options.jetstream else []
    return "\n".join(
        [
            "accounts {",
            f"  {APP_ACCOUNT}: {{",
            f"    users: [{{user: {quote(credentials.app_user)}, "
            f"password: {quote(credentials.app_password)}}}]",
            *jetstream,
            "  }",
            f"  {SYS_ACCOUNT}: {{",
            f"    users: [{{user: {quote(credentials.sys_user)}, "
            f"password: {quote(credentials.sys_password)}}}]",
            "  }",
            "}",
            f"system_account: {SYS_ACCOUNT}",
        ]
    )


def _jetstream_block(options: NatsOptions, store_dir: Path | None) -> str:
    if not options.jetstream:
        return ""
    if store_dir is None:
        raise ValueError("jetstream=True needs a store directory")
    return "\n".join(
        [
            "jetstream {",
            f"  store_dir: {quote(store_dir)}",
            "  max_memory_store: 64MB",
            "  max_file_store: 256MB",
            "}",
        ]
    )
