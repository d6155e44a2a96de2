"""What the Request tab tells about a set of replies: who answered, who is missing, who differs.

Pure functions over `Reply` models (no I/O): responder names from headers or JSON content,
the missing list against an expectation, and majority-difference detection.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from natstui.core.payload import try_json
from natstui.core.requests_models import GatherResult, Reply, RequestError

# --- who answered -----------------------------------------------------------------------------
_HEADER_KEYS = ("Nats-Responder", "Responder", "X-Responder", "Instance", "Server", "Host")
_PLACE_KEYS = ("region", "zone", "cluster", "datacenter")
_JSON_KEYS = ("responder", "instance", "server_name", "name", "id", "host", "hostname", "server")


def _scalar_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:80]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _from_json(doc: dict[str, Any]) -> str | None:
    # $SYS replies: {"server": {"name": ...}}; micro replies: {"name": ..., "id": ...}.
    server = doc.get("server")
    if isinstance(server, dict) and _scalar_text(server.get("name")):
        return _scalar_text(server.get("name"))
    name, ident = _scalar_text(doc.get("name")), _scalar_text(doc.get("id"))
    if name and ident and str(doc.get("type") or "").startswith("io.nats.micro"):
        return f"{name}/{ident}"
    place = next((_scalar_text(doc.get(k)) for k in _PLACE_KEYS if _scalar_text(doc.get(k))), None)
    if ident and place:
        return f"{place}/{ident}"
    for key in _JSON_KEYS:
        text = _scalar_text(doc.get(key))
        if text:
            return text
    return None


def identify_responder(data: bytes, headers: dict[str, str] | None) -> str | None:
    """A name for whoever sent this reply, from its headers or JSON content; None if unknown."""
    if headers:
        lower = {k.lower(): v for k, v in headers.items()}
        for key in _HEADER_KEYS:
            value = lower.get(key.lower())
            if value and value.strip():
                return value.strip()[:80]
    doc = try_json(data)
    if isinstance(doc, dict):
        return _from_json(doc)
    return None


def missing_responders(expected: Iterable[str], replies: Iterable[Reply]) -> list[str]:
    """Expected responder names that did not answer, in the order given."""
    seen = {r.responder for r in replies if r.responder}
    return [name for name in dict.fromkeys(expected) if name not in seen]


# --- who looks different ----------------------------------------------------------------------
MAX_FLAT_KEYS = 200
_LIST = "[list]"


def _flatten(value: object, prefix: str, out: dict[str, object], depth: int) -> None:
    if len(out) >= MAX_FLAT_KEYS:
        return
    if isinstance(value, dict) and depth < 4:
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            _flatten(inner, path, out, depth + 1)
    elif isinstance(value, list | dict):
        out[prefix] = _LIST
    else:
        out[prefix] = value


def flatten_json(doc: dict[str, Any]) -> dict[str, object]:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists and deep values are only present, not compared."""
    out: dict[str, object] = {}
    _flatten(doc, "", out, 0)
    return out


def _value_key(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _majority_values(flats: list[dict[str, object]], keys: set[str]) -> dict[str, object]:
    majority: dict[str, object] = {}
    for key in keys:
        values = [f[key] for f in flats if key in f and f[key] != _LIST]
        if not values:
            continue
        counts = Counter(_value_key(v) for v in values)
        best, n = counts.most_common(1)[0]
        if n * 2 > len(flats):
            majority[key] = json.loads(best)
    return majority


def _short(value: object) -> str:
    text = _value_key(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _differences(
    flat: dict[str, object], common: set[str], majority: dict[str, object]
) -> list[str]:
    notes = [f"extra key {k}" for k in sorted(set(flat) - common)]
    notes += [f"missing key {k}" for k in sorted(common - set(flat))]
    for key, usual in sorted(majority.items()):
        value = flat.get(key, _LIST)
        if value == _LIST or (_is_number(value) and _is_number(usual)):
            continue  # numbers are measurements (fps, timestamps): they differ by nature
        if _value_key(value) != _value_key(usual):
            notes.append(f"{key} = {_short(value)} (most: {_short(usual)})")
    return notes


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def find_outliers(replies: Iterable[Reply]) -> dict[int, list[str]]:
    """Replies that differ from the majority, by index, with what differs.

    A key or value counts as "normal" when more than half of the replies have it; a reply that
    adds a key, lacks one, holds another string/boolean/null value (or a value of another
    type), is not JSON while most are, or carries an error status, is reported. Two numbers
    never count as a difference: gauges and timestamps differ from reply to reply by nature,
    and flagging them buried the one transcoder that said "degraded". Fewer than 3 replies
    have no meaningful majority.
    """
    items = list(replies)
    if len(items) < 3:
        return {}
    docs = {r.index: try_json(r.data) for r in items}
    flats = {i: flatten_json(d) for i, d in docs.items() if isinstance(d, dict)}
    out: dict[int, list[str]] = {}
    for r in items:
        if r.status or r.service_error:
            out.setdefault(r.index, []).append(f"status {r.service_error or r.status}")
    if len(flats) * 2 <= len(items):
        return out
    for r in items:
        if r.index not in flats:
            out.setdefault(r.index, []).append("not a JSON object (most are)")
    key_counts = Counter(k for f in flats.values() for k in f)
    common = {k for k, n in key_counts.items() if n * 2 > len(flats)}
    majority = _majority_values(list(flats.values()), common)
    for index, flat in flats.items():
        notes = _differences(flat, common, majority)
        if notes:
            out.setdefault(index, []).extend(notes)
    return out


@dataclass
class GatherHistory:
    """Per subject, every responder ever seen: the baseline that tells who is missing when the
    same request is fired again. Keeps names only, never the replies themselves."""

    seen: dict[str, list[str]] = field(default_factory=dict)

    def add(self, result: GatherResult) -> None:
        names = self.seen.setdefault(result.spec.subject, [])
        for reply in result.replies:
            if reply.responder and reply.responder not in names:
                names.append(reply.responder)

    def baseline(self, subject: str) -> list[str]:
        return list(self.seen.get(subject, []))


@dataclass(frozen=True)
class Expectation:
    """Who should answer: names (the missing list needs them) and/or a count."""

    names: tuple[str, ...] = ()
    count: int | None = None


def parse_expected(text: str, baseline: Iterable[str] = ()) -> Expectation:
    """`"12"` -> a count; `"a, b c"` -> names; `""` -> the baseline (who answered before)."""
    text = text.strip()
    if not text:
        names = tuple(baseline)
        return Expectation(names, len(names) or None)
    if text.isdigit() and not (text.isdecimal() and text.isascii()):
        # "²" (AltGr+2 on many keyboards) is a digit to str.isdigit() but not to int().
        raise RequestError(f"expected count {text!r}: type it with the digits 0-9")
    if text.isdigit():
        count = int(text)
        if count <= 0:
            raise RequestError("expected count must be at least 1")
        return Expectation((), count)
    names = tuple(dict.fromkeys(n for n in text.replace(",", " ").split() if n))
    return Expectation(names, len(names))


def expected_from_replies(replies: Iterable[Reply]) -> int | None:
    """How many replies to expect, when the replies say so themselves.

    `$SYS.REQ.SERVER.PING[.STATSZ]` replies carry `statsz.active_servers`: the number of servers
    in the system, which is how many should have answered.
    """
    best: int | None = None
    for reply in replies:
        doc = try_json(reply.data)
        statsz = doc.get("statsz") if isinstance(doc, dict) else None
        active = statsz.get("active_servers") if isinstance(statsz, dict) else None
        if isinstance(active, int) and not isinstance(active, bool) and active > 0:
            best = max(best or 0, active)
    return best


def is_system_subject(subject: str) -> bool:
    """`$SYS.` subjects go over the system-account connection when there is one."""
    return subject.startswith("$SYS.")
