"""Snapshot building from per-server reports: missing servers and routes, pooled routes grouped,
gateways expected per cluster, JetStream meta from the leader, rates over measured time."""

from __future__ import annotations

from typing import Any

import pytest

from natstui.core.monitor_build import RefreshInfo, SnapshotBuilder
from natstui.core.monitor_parse import ServerReport


def route(remote: str, *, rtt: str = "200µs", pending: int = 0, msgs: int = 0) -> dict[str, Any]:
    return {
        "remote_name": remote,
        "remote_id": f"ID-{remote}",
        "rtt": rtt,
        "pending_size": pending,
        "in_msgs": msgs,
        "out_msgs": msgs,
    }


def report(
    name: str,
    cluster: str = "c1",
    peers: tuple[str, ...] = (),
    *,
    pool: int = 2,
    in_msgs: int = 0,
    gateway: dict[str, Any] | None = None,
    configured: tuple[str, ...] = (),
    jsz: dict[str, Any] | None = None,
    health: str = "ok",
) -> ServerReport:
    r = ServerReport(name=name, server_id=f"ID-{name}", cluster=cluster, version="2.15.1")
    r.parts["varz"] = {
        "server_name": name,
        "uptime": "1h2m",
        "connections": 2,
        "subscriptions": 10,
        "in_msgs": in_msgs,
        "out_msgs": 0,
        "in_bytes": in_msgs * 10,
        "out_bytes": 0,
        "cpu": 1.5,
        "mem": 1000,
        "slow_consumers": 0,
        "leafnodes": 0,
        "gateway": {"name": cluster, "gateways": [{"name": c} for c in configured]},
    }
    r.parts["routez"] = {"routes": [route(p) for p in peers for _ in range(pool)]}
    r.parts["healthz"] = {"status": health}
    if gateway is not None:
        r.parts["gatewayz"] = gateway
    if jsz is not None:
        r.parts["jsz"] = jsz
    return r


def mesh(names: tuple[str, ...], cluster: str = "c1", **kw: Any) -> list[ServerReport]:
    return [report(n, cluster, tuple(p for p in names if p != n), **kw) for n in names]


def info(now: float) -> RefreshInfo:
    return RefreshInfo(source="system", now=now)


def test_full_mesh_groups_pooled_routes_per_peer() -> None:
    snap = SnapshotBuilder().build(mesh(("a", "b", "c")), info(1.0))
    assert [s.name for s in snap.servers] == ["a", "b", "c"]
    assert len(snap.routes) == 6
    assert all(r.connections == 2 and not r.missing for r in snap.routes)
    assert all(s.route_peers == 2 for s in snap.servers)
    assert snap.missing_servers == () and snap.missing_routes == ()
    assert snap.servers[0].uptime_s == pytest.approx(3720)


def test_silent_server_is_missing_and_routes_to_it_are_flagged() -> None:
    builder = SnapshotBuilder()
    builder.build(mesh(("a", "b", "c")), info(1.0))
    # c died: a and b no longer have a route to it, and c does not answer.
    survivors = [report("a", peers=("b",)), report("b", peers=("a",))]
    snap = builder.build(survivors, info(3.0))
    assert snap.missing_servers == ("c",)
    row = next(s for s in snap.servers if s.name == "c")
    assert row.missing and row.cluster == "c1" and row.health == "missing"
    assert {(r.source, r.remote) for r in snap.missing_routes} == {("a", "c"), ("b", "c")}
    # Back: nothing missing any more.
    assert builder.build(mesh(("a", "b", "c")), info(5.0)).missing_servers == ()


def test_a_peer_known_only_from_routes_is_expected_too() -> None:
    # First refresh ever: c never answered but a routes to it, so it is a known server.
    snap = SnapshotBuilder().build(
        [report("a", peers=("b", "c")), report("b", peers=("a",))], info(1.0)
    )
    assert snap.missing_servers == ("c",)
    assert {(r.source, r.remote) for r in snap.missing_routes} == {("b", "c")}


def test_forget_missing_drops_decommissioned_servers() -> None:
    builder = SnapshotBuilder()
    builder.build(mesh(("a", "b")), info(1.0))
    builder.forget_missing(["a"])
    snap = builder.build([report("a")], info(2.0))
    assert snap.missing_servers == ()


def test_rates_and_sparkline_history_over_refreshes() -> None:
    builder = SnapshotBuilder(history_size=2)
    first = builder.build([report("a", in_msgs=100)], info(10.0))
    assert first.servers[0].in_msgs_rate is None and first.servers[0].history == ()
    second = builder.build([report("a", in_msgs=300)], info(12.0))
    assert second.servers[0].in_msgs_rate == pytest.approx(100.0)
    assert second.servers[0].in_bytes_rate == pytest.approx(1000.0)
    builder.build([report("a", in_msgs=500)], info(14.0))
    fourth = builder.build([report("a", in_msgs=900)], info(16.0))
    assert fourth.servers[0].history == (pytest.approx(100.0), pytest.approx(200.0))
    # Restart: counters go down, the rate is unknown, not negative.
    restarted = builder.build([report("a", in_msgs=5)], info(18.0))
    assert restarted.servers[0].in_msgs_rate is None


def test_health_error_detail() -> None:
    r = report("a", health="error")
    r.parts["healthz"]["errors"] = [{"type": "JETSTREAM", "error": "JetStream not current"}]
    row = SnapshotBuilder().build([r], info(1.0)).servers[0]
    assert row.health == "error" and row.health_detail == "JetStream not current"


def gatewayz(cluster: str, outbound: tuple[str, ...], inbound: tuple[str, ...]) -> dict[str, Any]:
    conn = {"rtt": "1ms", "pending_bytes": 0, "in_msgs": 1, "out_msgs": 2}
    return {
        "name": cluster,
        "outbound_gateways": {c: {"configured": True, "connection": conn} for c in outbound},
        "inbound_gateways": {c: [{"configured": False, "connection": conn}] for c in inbound},
    }


def test_gateways_outbound_expected_to_every_other_cluster() -> None:
    reports = [
        report("eu-1", "eu", gateway=gatewayz("eu", ("us",), ("us",)), configured=("us", "ap")),
        report("us-1", "us", gateway=gatewayz("us", ("eu",), ("eu",))),
    ]
    snap = SnapshotBuilder().build(reports, info(1.0))
    out = {(g.server, g.remote_cluster): g for g in snap.gateways if g.direction == "outbound"}
    assert set(out) == {("eu-1", "ap"), ("eu-1", "us"), ("us-1", "eu")}
    assert out[("eu-1", "ap")].missing and out[("eu-1", "ap")].configured
    assert not out[("eu-1", "us")].missing and out[("eu-1", "us")].rtt_ms == pytest.approx(1.0)
    assert out[("eu-1", "us")].in_msgs_rate is None  # first sample
    inbound = [g for g in snap.gateways if g.direction == "inbound"]
    assert {(g.server, g.remote_cluster, g.connections) for g in inbound} == {
        ("eu-1", "us", 1),
        ("us-1", "eu", 1),
    }


def test_jetstream_meta_is_taken_from_the_leader() -> None:
    def jsz(leader: str, current: bool) -> dict[str, Any]:
        return {
            "streams": 2,
            "consumers": 1,
            "meta_cluster": {
                "name": "c1",
                "leader": leader,
                "cluster_size": 3,
                "replicas": [{"name": "b", "current": current, "active": 12_000_000, "lag": 3}],
            },
        }

    reports = [report("a", jsz=jsz("b", False)), report("b", jsz=jsz("b", True))]
    meta = SnapshotBuilder().build(reports, info(1.0)).jetstream
    assert meta is not None and meta.leader == "b" and meta.reported_by == "b"
    assert meta.replicas[0].current and meta.replicas[0].active_ms == pytest.approx(12.0)
    assert meta.replicas[0].lag == 3 and meta.streams == 2


def test_leafnodes_listed() -> None:
    r = report("a")
    r.parts["leafz"] = {
        "leafnodes": 1,
        "leafs": [
            {
                "name": "edge-1",
                "account": "APP",
                "ip": "10.0.0.1",
                "port": 7422,
                "rtt": "2ms",
                "is_spoke": False,
                "in_msgs": 5,
                "out_msgs": 6,
                "subscriptions": 7,
            },
            "junk",
        ],
    }
    leafs = SnapshotBuilder().build([r], info(1.0)).leafs
    assert len(leafs) == 1
    assert leafs[0].address == "10.0.0.1:7422" and leafs[0].rtt_ms == pytest.approx(2.0)


def test_standalone_servers_sort_after_clusters() -> None:
    snap = SnapshotBuilder().build([report("solo", cluster=""), report("a", "c1")], info(1.0))
    assert [s.name for s in snap.servers] == ["a", "solo"]
    assert snap.clusters == ("c1", "")


def test_http_source_does_not_expect_unlisted_route_peers() -> None:
    builder = SnapshotBuilder()
    only_a = [report("a", peers=("b", "c"))]
    snap = builder.build(only_a, RefreshInfo(source="http", now=1.0, expect_route_peers=False))
    assert snap.missing_servers == ()
    assert {(r.source, r.remote, r.missing) for r in snap.routes} == {
        ("a", "b", False),
        ("a", "c", False),
    }
    # A listed server that stops answering is still missing.
    snap = builder.build([], RefreshInfo(source="http", now=2.0, expect_route_peers=False))
    assert snap.missing_servers == ("a",)


def test_gateway_rates_over_refreshes() -> None:
    builder = SnapshotBuilder()

    def at(msgs: int) -> list[ServerReport]:
        gw = gatewayz("eu", ("us",), ())
        gw["outbound_gateways"]["us"]["connection"] = {"in_msgs": 0, "out_msgs": msgs}
        return [report("eu-1", "eu", gateway=gw)]

    builder.build(at(100), info(1.0))
    link = builder.build(at(400), info(4.0)).gateways[0]
    assert link.out_msgs_rate == pytest.approx(100.0) and link.in_msgs_rate == pytest.approx(0.0)
