"""Is a set of local servers ready? Asked of their HTTP monitoring endpoints, never guessed.

Ready means: every running server answers `/healthz` with ok, sees every running peer of its
cluster in `/routez` (grouped by remote name: 2.15 opens a pool of route connections per peer),
has an outbound gateway to every other cluster that has a running server, and every running
server's outbound gateway has arrived as an inbound one somewhere in the target cluster.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

HTTP_TIMEOUT = 1.0


@dataclass(frozen=True)
class Member:
    """What readiness needs to know about one running server."""

    name: str
    cluster: str | None
    http_url: str


def get_json(url: str) -> dict[str, Any] | None:
    """GET a monitoring endpoint; None when it does not answer or answers with an error."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):  # URLError, HTTPError (503), refused, timeouts, bad JSON
        return None
    return data if isinstance(data, dict) else None


def not_ready(members: Sequence[Member]) -> str | None:
    """A reason why the set is not ready yet, or None when it is."""
    for member in members:
        reason = _health(member) or _routes(member, members)
        if reason:
            return reason
    return _gateways(members)


def _health(member: Member) -> str | None:
    health = get_json(f"{member.http_url}/healthz")
    if health is None or health.get("status") != "ok":
        return f"{member.name}: /healthz not ok ({health})"
    return None


def _routes(member: Member, members: Sequence[Member]) -> str | None:
    if member.cluster is None:
        return None
    expected = {m.name for m in members if m.cluster == member.cluster} - {member.name}
    if not expected:
        return None
    routez = get_json(f"{member.http_url}/routez") or {}
    seen = {route.get("remote_name") for route in routez.get("routes") or ()}
    missing = expected - seen
    return f"{member.name}: no route yet to {sorted(missing)}" if missing else None


def _gateways(members: Sequence[Member]) -> str | None:
    clusters = {m.cluster for m in members if m.cluster is not None}
    if len(clusters) < 2:
        return None
    inbound: dict[tuple[str, str], int] = {}  # (receiving cluster, from cluster) -> connections
    for member in members:
        gatewayz = get_json(f"{member.http_url}/gatewayz")
        if gatewayz is None:
            return f"{member.name}: /gatewayz does not answer"
        missing = _missing_outbound(gatewayz, clusters - {str(member.cluster)})
        if missing:
            return f"{member.name}: no outbound gateway yet to {missing}"
        for source, conns in (gatewayz.get("inbound_gateways") or {}).items():
            key = (str(member.cluster), str(source))
            inbound[key] = inbound.get(key, 0) + len(conns or ())
    return _missing_inbound(members, clusters, inbound)


def _missing_outbound(gatewayz: dict[str, Any], expected: set[str]) -> list[str]:
    outbound = gatewayz.get("outbound_gateways") or {}
    return sorted(
        str(name) for name in expected if not (outbound.get(name) or {}).get("connection")
    )


def _missing_inbound(
    members: Sequence[Member], clusters: set[str], inbound: dict[tuple[str, str], int]
) -> str | None:
    # Each running server opens one outbound connection per remote cluster, landing on any one
    # server there; so the target cluster must hold as many inbound ones as the source has servers.
    for source in sorted(clusters):
        senders = sum(1 for m in members if m.cluster == source)
        for target in sorted(clusters - {source}):
            if inbound.get((target, source), 0) < senders:
                return f"cluster {target}: not every gateway from {source} has arrived"
    return None
