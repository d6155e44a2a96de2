"""Turn per-server reports into a `ClusterSnapshot`: rows, rates, missing servers and routes.

The builder lives as long as the Cluster tab's monitor and remembers two things between
refreshes: counter baselines (for rates and sparklines) and every server it has ever seen (so a
server that stops answering is shown as missing instead of silently vanishing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from natstui.core.cluster_models import (
    ClusterSnapshot,
    GatewayLink,
    Health,
    JetStreamMeta,
    LeafRow,
    MetaReplica,
    RouteLink,
    ServerRow,
    Source,
)
from natstui.core.monitor_parse import (
    JsonDict,
    ServerReport,
    duration_ms,
    integer,
    items,
    number,
    obj,
    parse_duration,
    text,
)
from natstui.core.rates import HistoryBook, RateTracker

_T = TypeVar("_T")
RouteGroups = dict[str, list[JsonDict]]
COUNTERS = ("in_msgs", "out_msgs", "in_bytes", "out_bytes")
_HEALTH: dict[str, Health] = {"ok": "ok", "error": "error", "unavailable": "unavailable"}


@dataclass(frozen=True)
class RefreshInfo:
    """How a refresh went, copied into the snapshot."""

    source: Source
    now: float
    gather_s: float = 0.0
    ended_by: str = ""
    expected: int | None = None
    errors: tuple[str, ...] = ()
    notice: str = ""
    # Expect every route peer to answer too. Off for the HTTP source: a peer that is simply
    # not listed in monitor_urls is not missing.
    expect_route_peers: bool = True


class SnapshotBuilder:
    """Builds snapshots; keeps rate baselines, sparkline history and the servers seen so far."""

    def __init__(self, history_size: int = 60) -> None:
        self.rates = RateTracker()
        self.history = HistoryBook(history_size)
        self.known: dict[str, str] = {}  # server name -> cluster name

    def forget_missing(self, present: Iterable[str]) -> None:
        """Stop expecting servers not in `present` (decommissioned on purpose)."""
        keep = set(present)
        self.known = {n: c for n, c in self.known.items() if n in keep}

    def build(self, reports: Iterable[ServerReport], info: RefreshInfo) -> ClusterSnapshot:
        by_name = {r.name: r for r in reports}
        groups = {name: _route_groups(r) for name, r in by_name.items()}
        self._learn(by_name.values(), groups if info.expect_route_peers else {})
        rows = [self._server_row(r, info.now, groups[r.name]) for r in by_name.values()]
        missing = sorted(n for n in self.known if n not in by_name)
        rows += [
            ServerRow(name=n, cluster=self.known[n], missing=True, health="missing")
            for n in missing
        ]
        self.history.forget_except(self.known)
        return ClusterSnapshot(
            source=info.source,
            servers=tuple(sorted(rows, key=_row_order)),
            routes=tuple(self._routes(by_name, groups, info.now)),
            gateways=tuple(self._gateway_rates(_gateways(by_name.values(), self.known), info.now)),
            leafs=tuple(_leafs(by_name.values())),
            jetstream=_jetstream(by_name.values()),
            missing_servers=tuple(missing),
            expected=info.expected,
            answered=len(by_name),
            errors=info.errors + tuple(e for r in by_name.values() for e in r.errors),
            notice=info.notice,
            taken_at=info.now,
            gather_s=info.gather_s,
            ended_by=info.ended_by,
        )

    # --- what the builder remembers ---------------------------------------------------------
    def _learn(self, reports: Iterable[ServerReport], groups: dict[str, RouteGroups]) -> None:
        for report in reports:
            self.known[report.name] = report.cluster
            for remote in groups.get(report.name, {}):
                self.known.setdefault(remote, report.cluster)

    # --- servers ----------------------------------------------------------------------------
    def _server_row(self, r: ServerReport, now: float, groups: RouteGroups) -> ServerRow:
        varz, statsz = r.part("varz"), r.part("statsz")
        rates = self._counter_rates(r.name, _counters(varz, statsz, r.part("connz")), now)
        total = None if rates[0] is None or rates[1] is None else rates[0] + rates[1]
        history = self.history.add(r.name, total) if total is not None else self.history.get(r.name)
        health, detail = _health(r.part("healthz"))
        return ServerRow(
            name=r.name,
            server_id=r.server_id,
            cluster=r.cluster,
            version=r.version or text(varz, "version"),
            uptime_s=parse_duration(varz.get("uptime")),
            connections=_first(
                integer(varz, "connections"),
                integer(statsz, "connections"),
                integer(r.part("connz"), "num_connections"),
            ),
            subscriptions=_first(integer(varz, "subscriptions"), integer(statsz, "subscriptions")),
            in_msgs_rate=rates[0],
            out_msgs_rate=rates[1],
            in_bytes_rate=rates[2],
            out_bytes_rate=rates[3],
            cpu=_first(number(varz, "cpu"), number(statsz, "cpu")),
            mem=_first(integer(varz, "mem"), integer(statsz, "mem")),
            slow_consumers=_first(
                integer(varz, "slow_consumers"), integer(statsz, "slow_consumers")
            ),
            health=health,
            health_detail=detail,
            route_peers=len(groups) if "routez" in r.parts else None,
            gateways=len(obj(r.part("gatewayz"), "outbound_gateways"))
            if "gatewayz" in r.parts
            else None,
            leafnodes=_first(integer(varz, "leafnodes"), integer(r.part("leafz"), "leafnodes")),
            jetstream=bool(obj(varz, "jetstream").get("config"))
            and not r.part("jsz").get("disabled"),
            history=history,
            monitor_url=r.url,
        )

    def _counter_rates(
        self, key: str, counters: tuple[int | None, ...], now: float
    ) -> tuple[float | None, ...]:
        return tuple(
            None if value is None else self.rates.update((key, name), value, now)
            for name, value in zip(COUNTERS, counters, strict=True)
        )

    def _gateway_rates(self, links: list[GatewayLink], now: float) -> list[GatewayLink]:
        """Add msgs/s to each connected gateway link (a stuck gateway shows 0/s)."""
        out = []
        for link in links:
            if link.missing:
                out.append(link)
                continue
            key = (link.server, "gw", link.direction, link.remote_cluster)
            out.append(
                replace(
                    link,
                    in_msgs_rate=self.rates.update((*key, "in"), link.in_msgs, now),
                    out_msgs_rate=self.rates.update((*key, "out"), link.out_msgs, now),
                )
            )
        return out

    # --- routes -----------------------------------------------------------------------------
    def _routes(
        self, by_name: dict[str, ServerReport], groups: dict[str, RouteGroups], now: float
    ) -> list[RouteLink]:
        links: list[RouteLink] = []
        members: dict[str, list[str]] = defaultdict(list)
        for name, cluster in self.known.items():
            members[cluster].append(name)
        for report in sorted(by_name.values(), key=lambda r: (r.cluster, r.name)):
            if "routez" not in report.parts or not report.cluster:
                continue
            peers = sorted(
                (set(members[report.cluster]) | set(groups[report.name])) - {report.name}
            )
            for peer in peers:
                conns = groups[report.name].get(peer)
                if conns is None:
                    links.append(RouteLink(report.cluster, report.name, peer, missing=True))
                else:
                    links.append(self._route_link(report, peer, conns, now))
        return links

    def _route_link(
        self, report: ServerReport, peer: str, conns: list[JsonDict], now: float
    ) -> RouteLink:
        rtt: float | None = None
        pending = in_msgs = out_msgs = 0
        for conn in conns:  # one pass: this runs for every pair of servers on every refresh
            ms = duration_ms(conn, "rtt")
            if ms is not None and (rtt is None or ms > rtt):
                rtt = ms
            pending += integer(conn, "pending_size") or 0
            in_msgs += integer(conn, "in_msgs") or 0
            out_msgs += integer(conn, "out_msgs") or 0
        key = (report.name, "route", peer)
        return RouteLink(
            cluster=report.cluster,
            source=report.name,
            remote=peer,
            connections=len(conns),
            rtt_ms=rtt,
            pending_bytes=pending,
            in_msgs_rate=self.rates.update((*key, "in"), in_msgs, now),
            out_msgs_rate=self.rates.update((*key, "out"), out_msgs, now),
        )


def _row_order(row: ServerRow) -> tuple[bool, str, str]:
    return (row.cluster == "", row.cluster, row.name)


def _first(*values: _T | None) -> _T | None:
    return next((v for v in values if v is not None), None)


def _counters(varz: JsonDict, statsz: JsonDict, connz: JsonDict) -> tuple[int | None, ...]:
    """in/out msgs and bytes from varz, else statsz's received/sent, else the connz sums.

    The connz sums (limited view) cover only the connections listed: the user's own account.
    """
    if varz:
        return tuple(integer(varz, name) for name in COUNTERS)
    if not statsz and connz:
        conns = items(connz, "connections")
        return tuple(sum(integer(c, name) or 0 for c in conns) for name in COUNTERS)
    received, sent = obj(statsz, "received"), obj(statsz, "sent")
    return (
        integer(received, "msgs"),
        integer(sent, "msgs"),
        integer(received, "bytes"),
        integer(sent, "bytes"),
    )


def _health(healthz: JsonDict) -> tuple[Health, str]:
    if not healthz:
        return "unknown", ""
    status = _HEALTH.get(text(healthz, "status"), "unknown")
    errors = [text(e, "error") or text(e, "description") for e in items(healthz, "errors")]
    return status, "; ".join(e for e in errors if e) or text(healthz, "error")


def _route_groups(report: ServerReport) -> RouteGroups:
    """Route connections grouped by remote server: 2.10+ pools several per peer."""
    groups: dict[str, list[JsonDict]] = defaultdict(list)
    for route in items(report.part("routez"), "routes"):
        remote = text(route, "remote_name") or text(route, "remote_id")
        if remote:
            groups[remote].append(route)
    return groups


# --- gateways ---------------------------------------------------------------------------------
def _gateways(reports: Iterable[ServerReport], known: dict[str, str]) -> list[GatewayLink]:
    reports = [r for r in reports if r.part("gatewayz").get("name")]
    clusters = {r.cluster for r in reports} | {c for c in known.values() if c}
    links: list[GatewayLink] = []
    for report in sorted(reports, key=lambda r: (r.cluster, r.name)):
        links += _outbound(report, clusters)
        links += _inbound(report)
    return links


def _outbound(report: ServerReport, clusters: set[str]) -> list[GatewayLink]:
    gwz = report.part("gatewayz")
    own = text(gwz, "name")
    outbound = obj(gwz, "outbound_gateways")
    configured = {text(g, "name") for g in items(obj(report.part("varz"), "gateway"), "gateways")}
    expected = sorted((clusters | configured | set(outbound)) - {own, ""})
    links = []
    for remote in expected:
        entry = obj(outbound, remote)
        conn = obj(entry, "connection")
        links.append(
            GatewayLink(
                cluster=own,
                server=report.name,
                remote_cluster=remote,
                direction="outbound",
                connections=1 if conn else 0,
                configured=bool(entry.get("configured")) or remote in configured,
                rtt_ms=duration_ms(conn, "rtt"),
                pending_bytes=integer(conn, "pending_bytes") or 0,
                in_msgs=integer(conn, "in_msgs") or 0,
                out_msgs=integer(conn, "out_msgs") or 0,
                missing=not conn,
            )
        )
    return links


def _inbound(report: ServerReport) -> list[GatewayLink]:
    gwz = report.part("gatewayz")
    own = text(gwz, "name")
    inbound = obj(gwz, "inbound_gateways")
    links = []
    for remote in sorted(inbound):
        conns = (
            [obj(e, "connection") for e in inbound[remote] if isinstance(e, dict)]
            if isinstance(inbound[remote], list)
            else []
        )
        rtts = [ms for c in conns if (ms := duration_ms(c, "rtt")) is not None]
        links.append(
            GatewayLink(
                cluster=own,
                server=report.name,
                remote_cluster=remote,
                direction="inbound",
                connections=len(conns),
                rtt_ms=max(rtts) if rtts else None,
                pending_bytes=sum(integer(c, "pending_bytes") or 0 for c in conns),
                in_msgs=sum(integer(c, "in_msgs") or 0 for c in conns),
                out_msgs=sum(integer(c, "out_msgs") or 0 for c in conns),
            )
        )
    return links


# --- leafnodes and JetStream --------------------------------------------------------------------
def _leafs(reports: Iterable[ServerReport]) -> list[LeafRow]:
    rows = []
    for report in reports:
        for leaf in items(report.part("leafz"), "leafs"):
            ip, port = text(leaf, "ip"), integer(leaf, "port")
            rows.append(
                LeafRow(
                    server=report.name,
                    name=text(leaf, "name") or text(leaf, "id") or "?",
                    account=text(leaf, "account"),
                    address=f"{ip}:{port}" if ip else "",
                    rtt_ms=duration_ms(leaf, "rtt"),
                    is_spoke=bool(leaf.get("is_spoke")),
                    in_msgs=integer(leaf, "in_msgs") or 0,
                    out_msgs=integer(leaf, "out_msgs") or 0,
                    subscriptions=integer(leaf, "subscriptions") or 0,
                )
            )
    return sorted(rows, key=lambda r: (r.server, r.name))


def _jetstream(reports: Iterable[ServerReport]) -> JetStreamMeta | None:
    """The meta group as its leader sees it (followers report stale replica state)."""
    candidates = []
    for report in reports:
        jsz = report.part("jsz")
        meta = obj(jsz, "meta_cluster") or obj(obj(report.part("varz"), "jetstream"), "meta")
        if meta.get("leader"):
            is_leader = text(meta, "leader") == report.name
            candidates.append((not is_leader, report.name, report, meta, jsz))
    if not candidates:
        return None
    _, _, report, meta, jsz = min(candidates, key=lambda c: (c[0], c[1]))
    return JetStreamMeta(
        name=text(meta, "name"),
        leader=text(meta, "leader"),
        cluster_size=integer(meta, "cluster_size") or 0,
        replicas=tuple(_replica(r) for r in items(meta, "replicas")),
        streams=integer(jsz, "streams"),
        consumers=integer(jsz, "consumers"),
        reported_by=report.name,
    )


def _replica(replica: JsonDict) -> MetaReplica:
    active_ns = number(replica, "active")
    return MetaReplica(
        name=text(replica, "name") or "?",
        current=bool(replica.get("current")),
        offline=bool(replica.get("offline")),
        active_ms=None if active_ns is None else active_ns / 1e6,
        lag=integer(replica, "lag"),
    )
