"""Leafnodes in the Cluster snapshot: a real leaf server connected to a real hub."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from natstui.core.connection import NatsSession
from natstui.core.monitor import ClusterMonitor
from natstui.demo.config import Credentials
from natstui.demo.process import free_ports
from tests.helpers import MakeNats, profile_for, wait_for


@pytest.fixture
async def hub_monitor(make_nats: MakeNats) -> AsyncIterator[ClusterMonitor]:
    leaf_port = free_ports(1)[0]
    hub = make_nats(extra_config=f"leafnodes {{ listen: 127.0.0.1:{leaf_port} }}")
    remote = f"nats-leaf://{hub.app_user}:{hub.app_password}@127.0.0.1:{leaf_port}"
    make_nats(
        credentials=Credentials(),
        extra_config=f'leafnodes {{ remotes: [{{url: "{remote}", account: "APP"}}] }}',
    )
    session = NatsSession(profile_for(hub))
    await session.connect()
    yield ClusterMonitor(session)
    await session.close()


async def test_leafnode_connection_listed_on_the_hub(hub_monitor: ClusterMonitor) -> None:
    async def leaf_seen() -> bool:
        snap = await hub_monitor.refresh()
        return len(snap.leafs) == 1

    await wait_for(leaf_seen, 15)
    snap = hub_monitor.last
    assert snap is not None
    leaf = snap.leafs[0]
    assert leaf.account == "APP"
    assert leaf.address.startswith("127.0.0.1:")
    assert not leaf.is_spoke  # seen from the hub
    assert snap.servers[0].leafnodes == 1
