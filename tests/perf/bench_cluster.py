"""Benchmark: one full Cluster refresh on the 9-server demo and a 30-server supercluster.

Run on purpose (pytest never collects tests/perf):

    .venv/bin/python -m tests.perf.bench_cluster [--refreshes 10] [--big 10]

Prints one JSON object. For each topology it reports:
- `gather_ms`: network time of a full system-account refresh (STATSZ, then six endpoints in
  parallel), measured inside the running app, median/max over the refreshes;
- `build_ms`: CPU time turning the replies into a snapshot (rows, rates, missing links);
- `render_ms`: time the Cluster tab spent turning that snapshot into its tables;
- `ended_by`: how each gather stopped — "expected" means it ended when the last expected server
  replied, not on a timer;
- `stop_proof`: one VARZ scatter-gather with the expected count and a deliberately huge silence
  gap (5 s) and deadline (10 s), next to the same gather in adaptive-gap mode (0.3 s): the first
  ends right after the last reply, the second pays the gap;
- `compression`: full refreshes outside the app with gzip replies on (the default) and off,
  and the reply bytes of one refresh each way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from functools import partial
from typing import Any

from natstui.app import NatsTuiApp
from natstui.core.connection import NatsSession
from natstui.core.monitor import ClusterMonitor
from natstui.core.monitor_gather import gather
from natstui.core.monitor_sys import DETAIL_ENDPOINTS
from natstui.demo.cluster import LocalNats, start_nats
from natstui.demo.config import demo_options
from natstui.widgets.cluster_tab import DEFAULT_INTERVAL, ClusterTab
from tests.helpers import profile_for, wait_for


async def in_app(local: LocalNats, refreshes: int) -> dict[str, Any]:
    """Drive the real app; sample gather and render time of each refresh."""
    app = NatsTuiApp(profile=profile_for(local))
    gathers: list[float] = []
    builds: list[float] = []
    renders: list[float] = []
    ended: list[str] = []
    async with app.run_test(size=(200, 60)):
        tab = app.query_one(ClusterTab)
        tab.set_refresh_interval(DEFAULT_INTERVAL)  # what users get; polls never overlap
        await wait_for(lambda: tab.refreshes >= 2, 30)  # warm-up: rates need two samples
        seen = tab.refreshes
        while len(gathers) < refreshes:
            await wait_for(partial(refreshed_after, tab, seen), 30)
            seen = tab.refreshes
            assert tab.snapshot is not None
            gathers.append(tab.snapshot.gather_s * 1000)
            builds.append(tab.snapshot.build_s * 1000)
            renders.append(tab.render_s * 1000)
            ended.append(tab.snapshot.ended_by)
        answered = tab.snapshot.answered if tab.snapshot else 0
        await app.action_quit()
    return {
        "servers_answered": answered,
        "gather_ms": summary(gathers),
        "build_ms": summary(builds),
        "render_ms": summary(renders),
        "ended_by": {reason: ended.count(reason) for reason in sorted(set(ended))},
    }


def refreshed_after(tab: ClusterTab, count: int) -> bool:
    return tab.refreshes > count


async def stop_proof(local: LocalNats) -> dict[str, Any]:
    session = NatsSession(profile_for(local))
    await session.connect()
    nc = session.sys_nc
    assert nc is not None
    n = len(local.servers)
    subject = "$SYS.REQ.SERVER.PING.VARZ"
    try:
        counted = await gather(nc, subject, expected=n, timeout=10.0, min_gap=5.0)
        adaptive = await gather(nc, subject, timeout=10.0, min_gap=0.3)
    finally:
        await session.close()
    return {
        "expected_mode": {
            "replies": len(counted.replies),
            "elapsed_ms": round(counted.elapsed * 1000, 2),
            "ended_by": counted.ended_by,
            "gap_s": 5.0,
            "deadline_s": 10.0,
        },
        "adaptive_gap_mode": {
            "replies": len(adaptive.replies),
            "elapsed_ms": round(adaptive.elapsed * 1000, 2),
            "ended_by": adaptive.ended_by,
            "gap_s": 0.3,
        },
    }


async def compression(local: LocalNats, refreshes: int) -> dict[str, Any]:
    """Full refreshes outside the app with gzip replies on and off: time and bytes."""
    session = NatsSession(profile_for(local))
    await session.connect()
    nc = session.sys_nc
    assert nc is not None
    out: dict[str, Any] = {}
    try:
        for compress in (True, False):
            monitor = ClusterMonitor(session, compress=compress)
            times = []
            for _ in range(refreshes):
                snap = await monitor.refresh()
                times.append(snap.gather_s * 1000)
            size = 0
            for endpoint in ("STATSZ", *(e.upper() for e in DETAIL_ENDPOINTS)):
                got = await gather(
                    nc,
                    f"$SYS.REQ.SERVER.PING.{endpoint}",
                    expected=len(local.servers),
                    compress=compress,
                )
                size += sum(len(m.data) for m in got.replies)
            out["gzip" if compress else "plain"] = {
                "gather_ms": summary(times),
                "reply_bytes_per_refresh": size,
            }
    finally:
        await session.close()
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def run_topology(label: str, per_cluster: int, refreshes: int) -> dict[str, Any]:
    started = time.monotonic()
    local = start_nats(demo_options(per_cluster), ready_timeout=120)
    try:
        startup_s = time.monotonic() - started
        result = asyncio.run(in_app(local, refreshes))
        result["stop_proof"] = asyncio.run(stop_proof(local))
        result["compression"] = asyncio.run(compression(local, refreshes))
    finally:
        local.stop()
    result.update(topology=label, servers=len(local.servers), startup_s=round(startup_s, 1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refreshes", type=int, default=10)
    parser.add_argument("--big", type=int, default=10, help="servers per cluster, big run")
    args = parser.parse_args()
    results = [
        run_topology("demo 3x3 (TLS)", 3, args.refreshes),
        run_topology(f"supercluster 3x{args.big} (TLS)", args.big, args.refreshes),
    ]
    print(json.dumps({"benchmark": "cluster_refresh", "results": results}, indent=2))


if __name__ == "__main__":
    main()
