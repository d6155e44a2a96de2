"""ClusterMonitor against real servers: tables match the servers' own /varz and /routez, a killed
node is shown missing with its routes flagged, a restarted one comes back, and the fallbacks
(HTTP monitoring, plain user) say what they are."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from natstui.core.cluster_models import ConnzQuery
from natstui.core.connection import NatsSession
from natstui.core.monitor import LIMITED_NOTICE, ClusterMonitor
from natstui.core.monitor_gather import gather
from natstui.core.profile import Profile
from natstui.demo.cluster import LocalNats
from tests.helpers import MakeNats, profile_for, wait_for


def http_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


@pytest.fixture
async def session_for() -> AsyncIterator[Any]:
    sessions: list[NatsSession] = []

    async def make(profile: Profile) -> NatsSession:
        session = NatsSession(profile)
        await session.connect()
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        await session.close()


def route_peers(routez: dict[str, Any]) -> set[str]:
    return {r["remote_name"] for r in routez["routes"]}


async def test_tables_match_each_servers_own_varz_and_routez(
    nats_cluster3: LocalNats, session_for: Any
) -> None:
    monitor = ClusterMonitor(await session_for(profile_for(nats_cluster3)))
    snap = await monitor.refresh()
    assert snap.source == "system"
    assert snap.ended_by == "expected"
    assert snap.answered == snap.expected == 3
    by_name = {s.name: s for s in snap.servers}
    for server in nats_cluster3.servers:
        varz = http_json(f"{server.http_url}/varz")
        routez = http_json(f"{server.http_url}/routez")
        row = by_name[server.name]
        assert row.server_id == varz["server_id"]
        assert row.version == varz["version"]
        assert row.cluster == varz["cluster"]["name"] == "c1"
        assert row.mem is not None and row.mem > 0
        assert row.health == "ok"
        links = [r for r in snap.routes if r.source == server.name]
        assert {r.remote for r in links} == route_peers(routez)
        # varz "routes" counts pooled connections, not peers: the link table groups them.
        assert sum(r.connections for r in links) == varz["routes"] == routez["num_routes"]
        assert row.route_peers == 2
        assert not any(r.missing for r in links)


async def test_supercluster_gateways_listed_per_cluster(
    nats_super: LocalNats, session_for: Any
) -> None:
    monitor = ClusterMonitor(await session_for(profile_for(nats_super)))
    snap = await monitor.refresh()
    assert snap.answered == 9
    assert snap.clusters == ("eu", "us-east", "us-west")
    outbound = [g for g in snap.gateways if g.direction == "outbound"]
    assert len(outbound) == 9 * 2
    for cluster in snap.clusters:
        remotes = {g.remote_cluster for g in outbound if g.cluster == cluster}
        assert remotes == set(snap.clusters) - {cluster}
    assert not any(g.missing for g in snap.gateways)
    inbound = {(g.cluster, g.remote_cluster) for g in snap.gateways if g.direction == "inbound"}
    assert {c for c, _ in inbound} == set(snap.clusters)
    # Routes stay inside each cluster: 3 servers x 2 peers x 3 clusters.
    assert len(snap.routes) == 18
    assert all(
        r.cluster == next(s.cluster for s in snap.servers if s.name == r.remote)
        for r in snap.routes
    )


async def test_gather_ends_when_the_last_expected_server_replied(
    nats_super: LocalNats, session_for: Any
) -> None:
    session = await session_for(profile_for(nats_super))
    assert session.sys_nc is not None
    result = await gather(
        session.sys_nc, "$SYS.REQ.SERVER.PING.VARZ", expected=9, timeout=10, min_gap=5
    )
    assert result.ended_by == "expected"
    assert len(result.replies) == 9
    assert result.elapsed < 2.0  # far below both the 5 s gap and the 10 s deadline


async def test_killed_node_missing_within_two_refreshes_then_back(
    make_nats: MakeNats, session_for: Any
) -> None:
    local = make_nats(servers=3, jetstream=True)
    profile = replace(profile_for(local), servers=(local.client_urls[0],))
    monitor = ClusterMonitor(await session_for(profile), timeout=2.0)
    first = await monitor.refresh()
    assert first.answered == 3 and not first.missing_servers
    assert first.jetstream is not None and first.jetstream.cluster_size == 3
    victim = local.servers[2].name
    local.kill(2)
    snaps = [await monitor.refresh(), await monitor.refresh()]
    assert victim in snaps[-1].missing_servers or victim in snaps[0].missing_servers
    last = snaps[-1]
    row = next(s for s in last.servers if s.name == victim)
    assert row.missing and row.health == "missing"
    flagged = {(r.source, r.remote) for r in last.routes if r.missing}
    assert flagged == {(local.servers[0].name, victim), (local.servers[1].name, victim)}
    await local.arestart(2)

    async def back() -> bool:
        snap = await monitor.refresh()
        return not snap.missing_servers and not snap.missing_routes and snap.answered == 3

    await wait_for(back, 20)


async def test_http_fallback_without_a_system_user(
    nats_cluster3: LocalNats, session_for: Any
) -> None:
    profile = replace(profile_for(nats_cluster3), system_auth=None)
    session = await session_for(profile)
    assert session.sys_nc is None
    monitor = ClusterMonitor(session)
    snap = await monitor.refresh()
    assert snap.source == "http"
    assert sorted(s.name for s in snap.servers) == ["c1-1", "c1-2", "c1-3"]
    assert len(snap.routes) == 6 and not snap.missing_routes
    assert "HTTP monitoring" in snap.notice
    first = next(s for s in snap.servers if s.name == "c1-1")
    assert first.monitor_url == nats_cluster3.servers[0].http_url
    detail = await monitor.server_detail(first)
    assert not detail.error and dict(detail.fields)["server"].startswith("c1-1")
    connected = next(s for s in snap.servers if s.name == session.state.server_name)
    page = await monitor.connections(connected, ConnzQuery(account="APP"))
    assert not page.error and {r.account for r in page.rows} == {"APP"}
    assert any(r.user == "app" for r in page.rows)


async def test_http_fallback_reports_an_unreachable_url(
    nats_cluster3: LocalNats, session_for: Any
) -> None:
    dead = "http://127.0.0.1:9"  # discard port: nothing listens there
    profile = replace(
        profile_for(nats_cluster3), system_auth=None, monitor_urls=(*nats_cluster3.http_urls, dead)
    )
    monitor = ClusterMonitor(await session_for(profile), timeout=1.0)
    snap = await monitor.refresh()
    assert snap.answered == 3 and snap.expected == 4
    assert any(dead in e for e in snap.errors)


async def test_plain_user_gets_the_limited_view_and_its_explanation(
    nats_cluster3: LocalNats, session_for: Any
) -> None:
    profile = replace(profile_for(nats_cluster3), system_auth=None, monitor_urls=())
    monitor = ClusterMonitor(await session_for(profile))
    snap = await monitor.refresh()
    assert snap.source == "limited"
    assert snap.notice == LIMITED_NOTICE
    names = {s.name for s in snap.servers}
    assert names <= {"c1-1", "c1-2", "c1-3"} and names
    assert not snap.routes and not snap.gateways
    # The connected server is known from INFO; its own-account connection count includes us.
    connected = next(s for s in snap.servers if s.connections)
    page = await monitor.connections(connected, ConnzQuery(sort="msgs_to", limit=10))
    assert not page.error and any(r.account == "APP" for r in page.rows)


async def test_system_user_as_the_app_connection(
    nats_cluster3: LocalNats, session_for: Any
) -> None:
    session = await session_for(profile_for(nats_cluster3, system=True))
    assert session.state.is_system and session.sys_nc is session.nc
    snap = await ClusterMonitor(session).refresh()
    assert snap.source == "system" and snap.answered == 3


async def test_system_auth_that_is_not_a_system_user_falls_back_to_http(
    nats_cluster3: LocalNats, session_for: Any
) -> None:
    profile = profile_for(nats_cluster3)
    session = await session_for(replace(profile, system_auth=profile.auth))
    assert session.sys_nc is not None  # a second connection, but as the app user
    monitor = ClusterMonitor(session)
    snap = await monitor.refresh()
    assert snap.source == "http" and snap.answered == 3
