"""$SRV discovery against real `nats.micro` services: ones made here, and the demo's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import nats
import pytest
from nats import micro
from nats.aio.client import Client
from nats.micro.request import ServiceError

from natstui.core.requests import GatherSpec, find_outliers, gather, missing_responders
from natstui.core.services import Instance, ServicesSnapshot, discover
from natstui.demo.cluster import LocalNats
from natstui.demo.services import GATHER_SUBJECT, ServicesThread, ServiceTarget


async def _quiet(_: Exception) -> None:
    return None


async def connect(local: LocalNats) -> Client:
    return await nats.connect(
        local.client_urls, user=local.app_user, password=local.app_password, error_cb=_quiet
    )


@pytest.fixture
async def nc(server: LocalNats) -> AsyncIterator[Client]:
    client = await connect(server)
    yield client
    await client.close()


async def discover_until(
    nc: Client, done: Callable[[dict[str, tuple[Instance, ...]]], bool]
) -> ServicesSnapshot:
    """Discover until `done(instances by name)`: a service that just subscribed can miss the
    first request published on another connection (nats-server#5677)."""
    for _ in range(20):
        snap = await discover(nc, timeout=2.0)
        if done({g.name: g.instances for g in snap.services}):
            return snap
    raise AssertionError(f"services never complete: {[g.name for g in snap.services]}")


async def add_calc(nc: Client, version: str) -> Any:
    svc = await micro.add_service(nc, name="calc", version=version, description="adds numbers")

    async def add(req: Any) -> None:
        body = json.loads(req.data)
        if not isinstance(body, list):
            # Raised (not respond_error): that is what nats.micro counts as an endpoint error.
            raise ServiceError("400", "send a JSON list")
        await req.respond(json.dumps(sum(body)).encode())

    await svc.add_endpoint(name="add", subject="calc.add", handler=add)
    return svc


async def test_services_listing_with_stats(server: LocalNats, nc: Client) -> None:
    hosts = [await connect(server) for _ in range(2)]
    services = [await add_calc(hosts[0], "1.0.0"), await add_calc(hosts[1], "1.1.0")]
    try:
        snap = await discover_until(nc, lambda g: len(g.get("calc", ())) == 2)
        for body in (b"[1,2]", b"[3]", b"{}", b"[4]"):
            await nc.request("calc.add", body, timeout=2)
        snap = await discover(nc, timeout=3.0)
        (calc,) = [g for g in snap.services if g.name == "calc"]
        assert calc.versions == ("1.0.0", "1.1.0")
        assert len(calc.instances) == 2
        assert all(i.answered == {"PING", "INFO", "STATS"} for i in calc.instances)
        assert all(i.started is not None for i in calc.instances)
        (ep,) = calc.endpoints
        assert (ep.subject, ep.queue_group, ep.instances) == ("calc.add", "q", 2)
        assert ep.num_requests == 4 and ep.num_errors == 1
        assert "send a JSON list" in ep.last_error
        assert snap.unparsed == 0 and snap.replies == 6
        assert snap.elapsed < 2.0  # adaptive: well under the 3 s timeout
    finally:
        for svc in services:
            await svc.stop()
        for host in hosts:
            await host.close()


async def test_no_services_is_an_empty_snapshot(nc: Client) -> None:
    snap = await discover(nc, name="does-not-exist", timeout=2.0)
    assert snap.services == () and snap.replies == 0 and snap.errors == ()


@pytest.fixture
def demo_services(server: LocalNats) -> Iterator[ServiceTarget]:
    target = ServiceTarget({"eu": server.client_urls}, server.app_user, server.app_password)
    thread = ServicesThread(target)
    thread.start()
    yield target
    thread.stop()


async def test_demo_transcoders(nc: Client, demo_services: ServiceTarget) -> None:
    want = demo_services.transcoders_per_region
    snap = await discover_until(nc, lambda g: len(g.get("transcoder", ())) == want)
    names = {g.name: g for g in snap.services}
    tc = names["transcoder"]
    assert len(tc.instances) == demo_services.transcoders_per_region
    assert {dict(i.metadata)["region"] for i in tc.instances} == {"eu"}
    assert {e.name for e in tc.endpoints} == {"control"}

    expected = demo_services.transcoder_keys()
    for _ in range(20):
        result = await gather(nc, GatherSpec(GATHER_SUBJECT, b"{}", timeout=3.0))
        if len(result.replies) == len(expected):
            break
    assert result.stop == "gap"
    assert sorted(r.responder or "" for r in result.replies) == sorted(expected)
    assert missing_responders(expected, result.replies) == []

    # One degraded transcoder stands out from the majority.
    await nc.request("transcoder.eu.tc2.control", b'{"action": "degrade"}', timeout=2)
    again = await gather(nc, GatherSpec(GATHER_SUBJECT, b"{}", timeout=3.0))
    flagged = {
        again.replies[i].responder
        for i, notes in find_outliers(again.replies).items()
        if any(n.startswith("status =") for n in notes)
    }
    assert flagged == {"eu/tc2"}
