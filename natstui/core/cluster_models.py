"""Immutable models of one cluster refresh, built by `core.monitor` and rendered by the widgets.

Everything here is plain data: frozen dataclasses of numbers and strings, safe to hand from a
worker to the UI. Values that came off the wire are still untrusted text; widgets render them
with `safe_text`. A field that is None means "not known from this data source", which the UI
shows as a dash rather than a misleading zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Source = Literal["system", "http", "limited", "none"]
Health = Literal["ok", "error", "unavailable", "unknown", "missing"]
Direction = Literal["outbound", "inbound"]


@dataclass(frozen=True)
class ServerRow:
    """One server: what it said about itself, or a placeholder when it stayed silent."""

    name: str
    server_id: str = ""
    cluster: str = ""
    version: str = ""
    missing: bool = False
    uptime_s: float | None = None
    connections: int | None = None
    subscriptions: int | None = None
    in_msgs_rate: float | None = None
    out_msgs_rate: float | None = None
    in_bytes_rate: float | None = None
    out_bytes_rate: float | None = None
    cpu: float | None = None
    mem: int | None = None
    slow_consumers: int | None = None
    health: Health = "unknown"
    health_detail: str = ""
    route_peers: int | None = None
    gateways: int | None = None
    leafnodes: int | None = None
    jetstream: bool = False
    # Recent msgs/s (in + out) for the sparkline, oldest first; bounded by the monitor.
    history: tuple[float, ...] = ()
    monitor_url: str = ""

    @property
    def msgs_rate(self) -> float | None:
        """Messages per second in and out together, when both are known."""
        if self.in_msgs_rate is None or self.out_msgs_rate is None:
            return None
        return self.in_msgs_rate + self.out_msgs_rate


@dataclass(frozen=True)
class RouteLink:
    """The route(s) from `source` to `remote` in one cluster, pooled connections grouped."""

    cluster: str
    source: str
    remote: str
    connections: int = 0
    rtt_ms: float | None = None
    pending_bytes: int = 0
    in_msgs_rate: float | None = None
    out_msgs_rate: float | None = None
    missing: bool = False


@dataclass(frozen=True)
class GatewayLink:
    """A gateway connection of one server to (outbound) or from (inbound) another cluster."""

    cluster: str
    server: str
    remote_cluster: str
    direction: Direction
    connections: int = 0
    configured: bool = False
    rtt_ms: float | None = None
    pending_bytes: int = 0
    in_msgs: int = 0
    out_msgs: int = 0
    missing: bool = False
    in_msgs_rate: float | None = None
    out_msgs_rate: float | None = None


@dataclass(frozen=True)
class LeafRow:
    """One leafnode connection as seen by the hub (or spoke) server `server`."""

    server: str
    name: str
    account: str = ""
    address: str = ""
    rtt_ms: float | None = None
    is_spoke: bool = False
    in_msgs: int = 0
    out_msgs: int = 0
    subscriptions: int = 0


@dataclass(frozen=True)
class MetaReplica:
    """One peer of the JetStream meta group, as the leader reports it."""

    name: str
    current: bool = False
    offline: bool = False
    active_ms: float | None = None
    lag: int | None = None


@dataclass(frozen=True)
class JetStreamMeta:
    """The JetStream meta group (one per supercluster): leader, size and replicas."""

    name: str
    leader: str
    cluster_size: int = 0
    replicas: tuple[MetaReplica, ...] = ()
    streams: int | None = None
    consumers: int | None = None
    reported_by: str = ""


@dataclass(frozen=True)
class ClusterSnapshot:
    """One complete refresh. `notice` says what the data source cannot show and how to get more."""

    source: Source
    servers: tuple[ServerRow, ...] = ()
    routes: tuple[RouteLink, ...] = ()
    gateways: tuple[GatewayLink, ...] = ()
    leafs: tuple[LeafRow, ...] = ()
    jetstream: JetStreamMeta | None = None
    missing_servers: tuple[str, ...] = ()
    expected: int | None = None
    answered: int = 0
    errors: tuple[str, ...] = ()
    notice: str = ""
    taken_at: float = 0.0  # time.monotonic() when the refresh finished
    gather_s: float = 0.0  # network: from the first request to the last reply used
    build_s: float = 0.0  # CPU: turning the replies into this snapshot
    ended_by: str = ""

    @property
    def missing_routes(self) -> tuple[RouteLink, ...]:
        return tuple(r for r in self.routes if r.missing)

    @property
    def clusters(self) -> tuple[str, ...]:
        """Cluster names in display order (sorted, standalone servers last)."""
        names = {s.cluster for s in self.servers}
        return tuple(sorted(names, key=lambda n: (n == "", n)))


# --- drill-down: one server's connections --------------------------------------------------------
CONNZ_SORTS = ("msgs_from", "msgs_to", "bytes_from", "bytes_to", "pending", "idle", "subs")


@dataclass(frozen=True)
class ConnzQuery:
    """What the drill-down asks for: sort key, page, and filters.

    `account` and `subject` are filtered by the server (a subject filter needs an account:
    nats-server refuses it otherwise); `text` is matched here against name, account, user,
    address and client library.
    """

    sort: str = "msgs_from"
    limit: int = 50
    offset: int = 0
    account: str = ""
    subject: str = ""
    text: str = ""


@dataclass(frozen=True)
class ConnRow:
    """One client connection from connz."""

    cid: int
    name: str = ""
    kind: str = ""
    address: str = ""
    account: str = ""
    user: str = ""
    lang: str = ""
    version: str = ""
    tls_version: str = ""
    uptime: str = ""
    idle: str = ""
    rtt_ms: float | None = None
    pending_bytes: int = 0
    in_msgs: int = 0
    out_msgs: int = 0
    in_bytes: int = 0
    out_bytes: int = 0
    subscriptions: int = 0


@dataclass(frozen=True)
class ConnzPage:
    """One page of connections of one server; `error` is shown in place of rows when set."""

    server: str
    query: ConnzQuery
    total: int = 0
    rows: tuple[ConnRow, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class ServerDetail:
    """A server's varz as labelled lines for the drill-down header."""

    server: str
    fields: tuple[tuple[str, str], ...] = ()
    error: str = ""
