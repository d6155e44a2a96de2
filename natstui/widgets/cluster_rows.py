"""Table rows for the Cluster tab: models → cells of `rich.text.Text` (never markup).

Pure functions, no widget state: tests call them directly. Every string that came off the wire
(server, cluster, account names...) goes through `safe_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text

from natstui.core import monitor_format as fmt
from natstui.core.cluster_models import (
    ClusterSnapshot,
    ConnRow,
    GatewayLink,
    JetStreamMeta,
    LeafRow,
    MetaReplica,
    RouteLink,
    ServerRow,
)
from natstui.widgets.safe import safe_text

MISSING_STYLE = "bold red"
WARN_STYLE = "yellow"
Cell = Text | str
SortValue = float | str


def num(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


def status(ok: bool, bad: str = "MISSING") -> Text:
    return Text("ok", style="green") if ok else Text(bad, style=MISSING_STYLE)


@dataclass(frozen=True)
class Column:
    """A servers-table column: header, how to draw a row, how to sort by it."""

    key: str
    label: str
    cell: Callable[[ServerRow], Cell]
    sort: Callable[[ServerRow], SortValue]


def _n(value: float | None) -> float:
    return -1.0 if value is None else float(value)


def _health(row: ServerRow) -> Text:
    if row.missing:
        return Text("MISSING", style=MISSING_STYLE)
    style = {"ok": "green", "unknown": "dim"}.get(row.health, MISSING_STYLE)
    return safe_text(row.health + (f": {row.health_detail}" if row.health_detail else ""), style)


SERVER_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "Server",
        lambda r: safe_text(r.name, MISSING_STYLE if r.missing else "bold"),
        lambda r: r.name,
    ),
    Column("cluster", "Cluster", lambda r: safe_text(r.cluster or "—"), lambda r: r.cluster),
    Column("health", "Health", _health, lambda r: r.health),
    Column("version", "Version", lambda r: safe_text(r.version or "—"), lambda r: r.version),
    Column("uptime", "Uptime", lambda r: num(fmt.duration(r.uptime_s)), lambda r: _n(r.uptime_s)),
    Column("conns", "Conns", lambda r: num(fmt.count(r.connections)), lambda r: _n(r.connections)),
    Column(
        "subs", "Subs", lambda r: num(fmt.count(r.subscriptions)), lambda r: _n(r.subscriptions)
    ),
    Column(
        "in_msgs",
        "Msgs in/s",
        lambda r: num(fmt.rate(r.in_msgs_rate)),
        lambda r: _n(r.in_msgs_rate),
    ),
    Column(
        "out_msgs",
        "Msgs out/s",
        lambda r: num(fmt.rate(r.out_msgs_rate)),
        lambda r: _n(r.out_msgs_rate),
    ),
    Column(
        "in_bytes",
        "Bytes in/s",
        lambda r: num(fmt.byte_rate(r.in_bytes_rate)),
        lambda r: _n(r.in_bytes_rate),
    ),
    Column(
        "out_bytes",
        "Bytes out/s",
        lambda r: num(fmt.byte_rate(r.out_bytes_rate)),
        lambda r: _n(r.out_bytes_rate),
    ),
    Column(
        "spark",
        "Msgs/s trend",
        lambda r: Text(fmt.sparkline(r.history), style="cyan"),
        lambda r: r.history[-1] if r.history else -1.0,
    ),
    Column("cpu", "CPU", lambda r: num(fmt.percent(r.cpu)), lambda r: _n(r.cpu)),
    Column("mem", "Mem", lambda r: num(fmt.size(r.mem)), lambda r: _n(r.mem)),
    Column(
        "slow",
        "Slow",
        lambda r: num(fmt.count(r.slow_consumers), WARN_STYLE if r.slow_consumers else ""),
        lambda r: _n(r.slow_consumers),
    ),
    Column(
        "routes",
        "Route peers",
        lambda r: num(fmt.count(r.route_peers)),
        lambda r: _n(r.route_peers),
    ),
    Column("gws", "GWs", lambda r: num(fmt.count(r.gateways)), lambda r: _n(r.gateways)),
    Column("leafs", "Leafs", lambda r: num(fmt.count(r.leafnodes)), lambda r: _n(r.leafnodes)),
)
COLUMN_KEYS = tuple(c.key for c in SERVER_COLUMNS)


def sort_servers(rows: tuple[ServerRow, ...], key: str, reverse: bool) -> list[ServerRow]:
    """Grouped by cluster (always in cluster order), sorted by `key` inside each cluster."""
    column = next((c for c in SERVER_COLUMNS if c.key == key), SERVER_COLUMNS[0])
    by_value = sorted(rows, key=lambda r: (column.sort(r), r.name), reverse=reverse)
    return sorted(by_value, key=lambda r: (r.cluster == "", r.cluster))


def server_cells(row: ServerRow) -> list[Cell]:
    return [c.cell(row) for c in SERVER_COLUMNS]


ROUTE_HEADERS = (
    "Cluster",
    "From",
    "To",
    "Conns",
    "RTT",
    "Pending",
    "Msgs in/s",
    "Msgs out/s",
    "Status",
)


def route_cells(link: RouteLink) -> list[Cell]:
    return [
        safe_text(link.cluster),
        safe_text(link.source),
        safe_text(link.remote),
        num(str(link.connections) if not link.missing else "0"),
        num(fmt.millis(link.rtt_ms)),
        num(fmt.size(link.pending_bytes), WARN_STYLE if link.pending_bytes else ""),
        num(fmt.rate(link.in_msgs_rate)),
        num(fmt.rate(link.out_msgs_rate)),
        status(not link.missing),
    ]


GATEWAY_HEADERS = (
    "Cluster",
    "Server",
    "Dir",
    "Remote",
    "Conns",
    "RTT",
    "Pending",
    "Msgs in/s",
    "Msgs out/s",
    "Status",
)


def gateway_cells(link: GatewayLink) -> list[Cell]:
    return [
        safe_text(link.cluster),
        safe_text(link.server),
        Text("→ out" if link.direction == "outbound" else "← in"),
        safe_text(link.remote_cluster),
        num(str(link.connections)),
        num(fmt.millis(link.rtt_ms)),
        num(fmt.size(link.pending_bytes), WARN_STYLE if link.pending_bytes else ""),
        num(fmt.rate(link.in_msgs_rate)),
        num(fmt.rate(link.out_msgs_rate)),
        status(not link.missing),
    ]


LEAF_HEADERS = (
    "Server",
    "Leaf",
    "Account",
    "Address",
    "RTT",
    "Spoke",
    "Msgs in",
    "Msgs out",
    "Subs",
)


def leaf_cells(leaf: LeafRow) -> list[Cell]:
    return [
        safe_text(leaf.server),
        safe_text(leaf.name),
        safe_text(leaf.account),
        safe_text(leaf.address),
        num(fmt.millis(leaf.rtt_ms)),
        Text("yes" if leaf.is_spoke else "no"),
        num(fmt.count(leaf.in_msgs)),
        num(fmt.count(leaf.out_msgs)),
        num(fmt.count(leaf.subscriptions)),
    ]


REPLICA_HEADERS = ("Peer", "Role", "Current", "Offline", "Active", "Lag")


def replica_cells(meta: JetStreamMeta, replica: MetaReplica | None) -> list[Cell]:
    """A replica row, or the leader's own row when `replica` is None."""
    if replica is None:
        return [
            safe_text(meta.leader, "bold"),
            Text("leader", "green"),
            Text("yes"),
            Text("no"),
            num("—"),
            num("—"),
        ]
    return [
        safe_text(replica.name),
        Text("follower"),
        Text("yes") if replica.current else Text("NO", MISSING_STYLE),
        Text("YES", MISSING_STYLE) if replica.offline else Text("no"),
        num(fmt.millis(replica.active_ms)),
        num(fmt.count(replica.lag)),
    ]


def meta_summary(meta: JetStreamMeta | None) -> Text:
    if meta is None:
        return Text(
            "JetStream: no meta group reported (JetStream off, or no data source).", style="dim"
        )
    text = Text("JetStream meta group ")
    text.append_text(safe_text(meta.name or "?", "bold"))
    text.append(" · leader ")
    text.append_text(safe_text(meta.leader or "none", "bold" if meta.leader else MISSING_STYLE))
    text.append(f" · cluster size {meta.cluster_size}")
    if meta.streams is not None:
        text.append(f" · streams {meta.streams} · consumers {meta.consumers or 0}")
    return text


CONN_HEADERS = (
    "CID",
    "Name",
    "Account",
    "User",
    "Address",
    "Lang",
    "Uptime",
    "Idle",
    "RTT",
    "Pending",
    "Msgs in",
    "Msgs out",
    "Bytes in",
    "Bytes out",
    "Subs",
)


def conn_cells(conn: ConnRow) -> list[Cell]:
    return [
        num(str(conn.cid)),
        safe_text(conn.name),
        safe_text(conn.account),
        safe_text(conn.user),
        safe_text(conn.address),
        safe_text(f"{conn.lang} {conn.version}".strip()),
        safe_text(conn.uptime),
        safe_text(conn.idle),
        num(fmt.millis(conn.rtt_ms)),
        num(fmt.size(conn.pending_bytes), WARN_STYLE if conn.pending_bytes else ""),
        num(fmt.count(conn.in_msgs)),
        num(fmt.count(conn.out_msgs)),
        num(fmt.size(conn.in_bytes)),
        num(fmt.size(conn.out_bytes)),
        num(fmt.count(conn.subscriptions)),
    ]


def route_summary(snap: ClusterSnapshot) -> Text:
    """One line per cluster: routes up out of expected, and which pairs are missing."""
    text = Text()
    for cluster in snap.clusters:
        links = [r for r in snap.routes if r.cluster == cluster]
        if not links:
            continue
        missing = [r for r in links if r.missing]
        if text:
            text.append("\n")
        text.append_text(safe_text(cluster, "bold"))
        text.append(f" {len(links) - len(missing)}/{len(links)} routes up")
        if missing:
            pairs = ", ".join(f"{r.source}→{r.remote}" for r in missing[:6])
            more = f" (+{len(missing) - 6})" if len(missing) > 6 else ""
            text.append(" · missing: ", style=MISSING_STYLE)
            text.append_text(safe_text(pairs + more, MISSING_STYLE))
    return text or Text("No routes: standalone servers or no route data.", style="dim")
