"""NATS micro-services discovery (`$SRV.PING / INFO / STATS`, ADR-32) into grouped models.

Replies are parsed here, by hand and defensively: nats-py's own `ServiceStats.from_dict` fails
on Go's 9-digit fractional timestamps, on a missing `data` key and on `"metadata": null`. A reply
that cannot be understood is counted and skipped, never fatal. Instances are joined across the
three verbs by (name, id) and grouped by service name.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from natstui.core.requests import DEFAULT_GAP, GatherResult, GatherSpec, gather

SRV_PREFIX = "$SRV"
DEFAULT_DISCOVERY_TIMEOUT = 3.0
_FRACTION = re.compile(r"\.(\d+)")


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of one instance, with its counters when STATS answered."""

    name: str
    subject: str
    queue_group: str | None = None
    num_requests: int = 0
    num_errors: int = 0
    processing_time_ns: int = 0
    average_processing_time_ns: int = 0
    last_error: str = ""
    has_stats: bool = False


@dataclass(frozen=True)
class Instance:
    """One running copy of a service (one `id`)."""

    name: str
    id: str
    version: str = ""
    description: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    started: datetime | None = None
    endpoints: tuple[Endpoint, ...] = ()
    answered: frozenset[str] = frozenset()  # which verbs replied: PING, INFO, STATS


@dataclass(frozen=True)
class EndpointSummary:
    """An endpoint across all instances of a service."""

    name: str
    subject: str
    queue_group: str | None
    instances: int
    num_requests: int
    num_errors: int
    average_processing_time_ns: int
    last_error: str


@dataclass(frozen=True)
class ServiceGroup:
    """Every instance of one service name."""

    name: str
    versions: tuple[str, ...]
    instances: tuple[Instance, ...]
    endpoints: tuple[EndpointSummary, ...]

    @property
    def num_requests(self) -> int:
        return sum(e.num_requests for e in self.endpoints)

    @property
    def num_errors(self) -> int:
        return sum(e.num_errors for e in self.endpoints)

    @property
    def average_processing_time_ns(self) -> int:
        return _weighted_average(self.endpoints)


@dataclass(frozen=True)
class ServicesSnapshot:
    """The result of one discovery round."""

    services: tuple[ServiceGroup, ...]
    elapsed: float
    replies: int
    unparsed: int = 0
    errors: tuple[str, ...] = ()
    taken_at: float = 0.0


# --- parsing ----------------------------------------------------------------------------------
def parse_time(value: object) -> datetime | None:
    """RFC 3339 with any number of fractional digits (Go sends 9; Python takes at most 6)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):  # NaN and Infinity count as unknown
        return int(value)
    return 0


def _metadata(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _endpoint(raw: object, with_stats: bool) -> Endpoint | None:
    if not isinstance(raw, dict):
        return None
    name = _str(raw.get("name"))
    subject = _str(raw.get("subject"))
    if not name and not subject:
        return None
    return Endpoint(
        name=name or subject,
        subject=subject,
        queue_group=_str(raw.get("queue_group")) or None,
        num_requests=_int(raw.get("num_requests")),
        num_errors=_int(raw.get("num_errors")),
        processing_time_ns=_int(raw.get("processing_time")),
        average_processing_time_ns=_int(raw.get("average_processing_time")),
        last_error=_str(raw.get("last_error")),
        has_stats=with_stats,
    )


def _verb_of(doc: dict[str, Any]) -> str | None:
    kind = _str(doc.get("type"))
    for verb in ("ping", "info", "stats"):
        if kind.endswith(f".{verb}_response"):
            return verb.upper()
    return None


def parse_reply(data: bytes) -> Instance | None:
    """One `$SRV` reply as an Instance; None when it is not a usable service reply."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    name, ident = _str(doc.get("name")), _str(doc.get("id"))
    verb = _verb_of(doc)
    if not name or not ident or verb is None:
        return None
    raw_eps = doc.get("endpoints")
    eps = raw_eps if isinstance(raw_eps, list) else []
    parsed = (_endpoint(e, verb == "STATS") for e in eps)
    return Instance(
        name=name,
        id=ident,
        version=_str(doc.get("version")),
        description=_str(doc.get("description")),
        metadata=_metadata(doc.get("metadata")),
        started=parse_time(doc.get("started")),
        endpoints=tuple(e for e in parsed if e is not None),
        answered=frozenset({verb}),
    )


# --- merging and grouping ---------------------------------------------------------------------
def _merge_endpoints(a: tuple[Endpoint, ...], b: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    merged: dict[tuple[str, str], Endpoint] = {(e.name, e.subject): e for e in a}
    for ep in b:
        key = (ep.name, ep.subject)
        old = merged.get(key)
        if old is None or (ep.has_stats and not old.has_stats):
            merged[key] = ep
    return tuple(merged.values())


def merge_instance(a: Instance, b: Instance) -> Instance:
    """Join what PING, INFO and STATS said about the same instance."""
    return Instance(
        name=a.name,
        id=a.id,
        version=a.version or b.version,
        description=a.description or b.description,
        metadata=a.metadata or b.metadata,
        started=a.started or b.started,
        endpoints=_merge_endpoints(a.endpoints, b.endpoints),
        answered=a.answered | b.answered,
    )


def _weighted_average(endpoints: Iterable[EndpointSummary]) -> int:
    eps = list(endpoints)
    total = sum(e.num_requests for e in eps)
    if total == 0:
        return 0
    return int(sum(e.average_processing_time_ns * e.num_requests for e in eps) / total)


def _summaries(instances: Iterable[Instance]) -> tuple[EndpointSummary, ...]:
    buckets: dict[tuple[str, str], list[Endpoint]] = {}
    for inst in instances:
        for ep in inst.endpoints:
            buckets.setdefault((ep.name, ep.subject), []).append(ep)
    out = []
    for (name, subject), eps in sorted(buckets.items()):
        total = sum(e.num_requests for e in eps)
        weighted = sum(e.average_processing_time_ns * e.num_requests for e in eps)
        last = next((e.last_error for e in reversed(eps) if e.last_error), "")
        out.append(
            EndpointSummary(
                name=name,
                subject=subject,
                queue_group=eps[0].queue_group,
                instances=len(eps),
                num_requests=total,
                num_errors=sum(e.num_errors for e in eps),
                average_processing_time_ns=int(weighted / total) if total else 0,
                last_error=last,
            )
        )
    return tuple(out)


def group_instances(instances: Iterable[Instance]) -> tuple[ServiceGroup, ...]:
    """Merge per (name, id), then group by name; sorted by name."""
    by_id: dict[tuple[str, str], Instance] = {}
    for inst in instances:
        key = (inst.name, inst.id)
        by_id[key] = merge_instance(by_id[key], inst) if key in by_id else inst
    by_name: dict[str, list[Instance]] = {}
    for inst in by_id.values():
        by_name.setdefault(inst.name, []).append(inst)
    groups = []
    for name, members in sorted(by_name.items()):
        members.sort(key=lambda i: i.id)
        versions = tuple(sorted({i.version for i in members if i.version}))
        groups.append(ServiceGroup(name, versions, tuple(members), _summaries(members)))
    return tuple(groups)


# --- discovery --------------------------------------------------------------------------------
def verb_subject(verb: str, name: str | None = None) -> str:
    """`$SRV.PING`, or `$SRV.PING.<name>` to ask one service only."""
    return f"{SRV_PREFIX}.{verb}" + (f".{name}" if name else "")


async def discover(
    nc: Any,
    *,
    name: str | None = None,
    timeout: float = DEFAULT_DISCOVERY_TIMEOUT,
    gap: float | None = DEFAULT_GAP,
) -> ServicesSnapshot:
    """Ask PING, INFO and STATS at once (adaptive gathering) and group what came back."""
    started = time.perf_counter()
    specs = [GatherSpec(verb_subject(v, name), timeout=timeout, gap=gap) for v in _VERBS]
    results: list[GatherResult] = list(await asyncio.gather(*(gather(nc, s) for s in specs)))
    return snapshot_from(results, time.perf_counter() - started)


_VERBS = ("PING", "INFO", "STATS")


def snapshot_from(results: Iterable[GatherResult], elapsed: float) -> ServicesSnapshot:
    """Parse and group the replies of one discovery round."""
    instances: list[Instance] = []
    unparsed = replies = 0
    errors: list[str] = []
    for result in results:
        if result.stop == "error" and result.error:
            errors.append(f"{result.spec.subject}: {result.error}")
        for reply in result.replies:
            replies += 1
            inst = parse_reply(reply.data)
            if inst is None:
                unparsed += 1
            else:
                instances.append(inst)
    return ServicesSnapshot(
        group_instances(instances), elapsed, replies, unparsed, tuple(errors), time.time()
    )


@dataclass
class ServicesFilter:
    """Text filter for the services view (matches name, version, endpoint subject)."""

    text: str = ""

    def matches(self, group: ServiceGroup) -> bool:
        needle = self.text.strip().lower()
        if not needle:
            return True
        hay = [group.name, *group.versions, *(e.subject for e in group.endpoints)]
        return any(needle in h.lower() for h in hay)
