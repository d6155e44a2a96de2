"""Gather every server's monitoring data over the system account (`$SYS.REQ.SERVER.PING.*`).

Phase 1 asks STATSZ; each reply carries `active_servers`, so the gather ends the moment every
active server answered. Phase 2 asks VARZ, ROUTEZ, GATEWAYZ, LEAFZ, JSZ and HEALTHZ at the same
time, each expecting as many replies as STATSZ got. A refresh is two round trips, not six.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg

from natstui.core.monitor_gather import GatherResult, gather
from natstui.core.monitor_parse import (
    JsonDict,
    ReplyError,
    ServerReport,
    integer,
    items,
    obj,
    parse_envelope,
    text,
)

PING = "$SYS.REQ.SERVER.PING"
DETAIL_ENDPOINTS = ("varz", "routez", "gatewayz", "leafz", "jsz", "healthz")


class NoSystemAccess(Exception):
    """The connection may not use `$SYS` server requests (503): not a system user."""


@dataclass
class SystemGather:
    """The reports of one system-account refresh plus how the gathering went."""

    reports: dict[str, ServerReport] = field(default_factory=dict)
    active_servers: int | None = None
    errors: list[str] = field(default_factory=list)
    gather_s: float = 0.0
    ended_by: str = ""


def _statsz(msg: Msg) -> JsonDict:
    """The statsz object of one STATSZ reply (STATSZ is never gzipped), or {}."""
    try:
        body = json.loads(msg.data)
    except ValueError:
        return {}
    return obj(body, "statsz") if isinstance(body, dict) else {}


def active_servers(msg: Msg) -> int | None:
    """`statsz.active_servers` of one STATSZ reply, or None."""
    return integer(_statsz(msg), "active_servers")


class ExpectedServers:
    """How many STATSZ replies to wait for, learnt from the replies themselves.

    `active_servers` alone undercounts right after start-up (a server learns of the others
    through `$SYS` heartbeats, which lag the routes by seconds). So the count is also bounded
    below by the topology the replies reveal: every cluster seen has (route peers + 1)
    servers, and every gateway names a cluster with at least one more.
    """

    def __init__(self) -> None:
        self.members: dict[str, set[str]] = {}
        self.remote_clusters: set[str] = set()
        self.active = 0

    def __call__(self, msg: Msg) -> int | None:
        statsz = _statsz(msg)
        if not statsz:
            return None
        try:
            server = obj(json.loads(msg.data), "server")
        except ValueError:
            return None
        cluster = text(server, "cluster") or f"(standalone {text(server, 'name')})"
        names = self.members.setdefault(cluster, set())
        names.add(text(server, "name"))
        names.update(text(r, "name") for r in items(statsz, "routes") if text(r, "name"))
        self.remote_clusters.update(text(g, "name") for g in items(statsz, "gateways"))
        self.active = max(self.active, integer(statsz, "active_servers") or 0)
        return max(self.active, self.topology_count())

    def topology_count(self) -> int:
        unseen = self.remote_clusters - set(self.members) - {""}
        return sum(len(n) for n in self.members.values()) + len(unseen)


async def gather_system(
    nc: Client,
    *,
    timeout: float = 3.0,
    expected_floor: int | None = None,
    compress: bool = True,
) -> SystemGather:
    """Ask every server for everything; raise NoSystemAccess when `$SYS` is not allowed.

    `expected_floor` is how many servers answered last time: right after start-up a server's
    `active_servers` can still be lower than the real count, and stopping at that number
    would drop servers that are about to answer.
    """
    start = time.monotonic()
    result = SystemGather()
    statsz = await gather(
        nc,
        f"{PING}.STATSZ",
        expected=expected_floor,
        learn_expected=ExpectedServers(),
        timeout=timeout,
        compress=compress,
    )
    if statsz.ended_by == "no-responders":
        raise NoSystemAccess("no responders for $SYS.REQ.SERVER.PING.STATSZ")
    result.active_servers = statsz.expected
    _absorb(result, "statsz", statsz)
    expected = len(result.reports) or None
    details = await asyncio.gather(
        *(
            gather(
                nc, f"{PING}.{ep.upper()}", expected=expected, timeout=timeout, compress=compress
            )
            for ep in DETAIL_ENDPOINTS
        )
    )
    for endpoint, got in zip(DETAIL_ENDPOINTS, details, strict=True):
        _absorb(result, endpoint, got)
    result.gather_s = time.monotonic() - start
    result.ended_by = _worst([statsz.ended_by, *(d.ended_by for d in details)])
    return result


def _absorb(result: SystemGather, endpoint: str, got: GatherResult) -> None:
    for msg in got.replies:
        try:
            env = parse_envelope(msg.data, msg.headers)
        except ReplyError as exc:
            result.errors.append(f"{endpoint.upper()}: {exc}")
            continue
        key = env.server_id or env.server_name
        report = result.reports.get(key)
        if report is None:
            # A server that answers a detail request but missed STATSZ (it just started) is
            # still shown: its reports are keyed the same way.
            report = result.reports[key] = ServerReport(name=env.server_name or key)
        report.absorb(endpoint, env)


def _worst(reasons: list[str]) -> str:
    """The least happy way any of the gathers ended, for the status line and benchmarks."""
    for reason in ("disconnected", "timeout", "gap", "no-responders"):
        if reason in reasons:
            return reason
    return "expected"
