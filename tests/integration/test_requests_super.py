"""Scatter-gather and $SRV discovery across the demo's TLS supercluster (3 clusters of 3 servers,
gateways): the demo's transcoders in every region answer through gateways."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from natstui.core.connection import NatsSession
from natstui.core.requests import GatherSpec, gather, missing_responders, request_once
from natstui.core.services import discover
from natstui.demo.cluster import LocalNats
from natstui.demo.runner import demo_profile, service_target
from natstui.demo.services import GATHER_SUBJECT, ServicesThread, ServiceTarget


@pytest.fixture(scope="module")
def demo(nats_super: LocalNats) -> Iterator[ServiceTarget]:
    target = service_target(nats_super)
    thread = ServicesThread(target)
    thread.start()
    yield target
    thread.stop()


@pytest.fixture
async def session(nats_super: LocalNats) -> AsyncIterator[NatsSession]:
    # Connect to one cluster only: replies from the other two come through gateways.
    profile = demo_profile(nats_super)
    eu = tuple(s.client_url for s in nats_super.cluster_servers("eu"))
    s = NatsSession(replace(profile, servers=eu))
    await s.connect()
    yield s
    await s.close()


async def test_gather_every_region(session: NatsSession, demo: ServiceTarget) -> None:
    assert session.nc is not None and session.state.tls
    expected = demo.transcoder_keys()
    # Repeat until complete: the first gathers teach the gateways the interest, and a just
    # started responder can miss a request (nats-server#5677).
    for _ in range(20):
        result = await gather(session.nc, GatherSpec(GATHER_SUBJECT, b"{}", timeout=5.0))
        if len(result.replies) == len(expected):
            break
    assert result.stop == "gap"
    assert missing_responders(expected, result.replies) == []
    assert len(result.replies) == len(expected) == 9
    assert {r.responder.split("/")[0] for r in result.replies if r.responder} == {
        "eu",
        "us-west",
        "us-east",
    }


async def test_discover_services_everywhere(session: NatsSession, demo: ServiceTarget) -> None:
    assert session.nc is not None
    for _ in range(20):
        snap = await discover(session.nc, timeout=5.0)
        groups = {g.name: g for g in snap.services}
        if "transcoder" in groups and len(groups["transcoder"].instances) == 9:
            break
    assert len(groups["transcoder"].instances) == 9
    assert len(groups["scheduler"].instances) == 3
    assert all(
        i.answered == {"PING", "INFO", "STATS"} for g in groups.values() for i in g.instances
    )
    # An endpoint in another region answers a single request through the gateway.
    reply = await request_once(session.nc, "scheduler.us-east.assign", b"{}", timeout=3.0)
    assert reply.outcome == "reply"
