"""Request/reply and scatter-gather, plus the analysis the Request tab shows.

- `request_once`: one request, the first reply with its latency; "no responders" (a 503 status
  from the server) and "timeout" are distinct outcomes, never exceptions.
- `gather`: one request to a private inbox, many replies. It stops at N replies, at the deadline,
  or — adaptively, like natscli — when no reply came for `gap` seconds after the last one (the
  first reply may take the whole timeout). The subscription callback only appends.
- `identify_responder`, `find_outliers`, `missing_responders`: who answered, whose answer looks
  different from the majority, and who was expected but stayed silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from natstui.core.payload import try_json
from natstui.core.subjects import SubjectError, validate_publish_subject

DEFAULT_GAP = 0.3
DEFAULT_TIMEOUT = 5.0
MAX_REPLIES = 100_000  # a runaway responder set cannot eat all memory
NO_RESPONDERS = "503"

Outcome = Literal["reply", "no_responders", "timeout", "error"]
StopReason = Literal["count", "gap", "deadline", "no_responders", "error", "limit"]


class RequestError(ValueError):
    """Request input that cannot be sent; the message says why."""


@dataclass(frozen=True)
class Reply:
    """One reply: its position, who sent it (when known), latency and content."""

    index: int
    latency: float
    subject: str
    data: bytes
    headers: dict[str, str] | None
    responder: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def status(self) -> str | None:
        """The NATS status code carried in headers (e.g. '503'), or None for a normal reply."""
        return (self.headers or {}).get("Status")

    @property
    def service_error(self) -> str | None:
        """A micro-service error reply: 'code description' from Nats-Service-Error headers."""
        hdrs = self.headers or {}
        err = hdrs.get("Nats-Service-Error")
        if err is None:
            return None
        code = hdrs.get("Nats-Service-Error-Code", "")
        return f"{code} {err}".strip()

    @property
    def label(self) -> str:
        return self.responder or f"#{self.index + 1}"


@dataclass(frozen=True)
class SingleResult:
    """The outcome of `request_once`."""

    outcome: Outcome
    elapsed: float
    reply: Reply | None = None
    error: str | None = None

    def summary(self) -> str:
        ms = self.elapsed * 1000
        if self.outcome == "reply" and self.reply is not None:
            return f"reply in {ms:.1f} ms, {self.reply.size:,} bytes"
        if self.outcome == "no_responders":
            return f"no responders: nobody subscribes to this subject (answered in {ms:.1f} ms)"
        if self.outcome == "timeout":
            return (
                f"timeout: no reply within {self.elapsed:.3g} s (a subscriber exists but is silent)"
            )
        return f"error: {self.error}"


@dataclass(frozen=True)
class GatherSpec:
    """How to gather: deadline, optional reply count, adaptive gap (None = wait the deadline)."""

    subject: str
    payload: bytes = b""
    headers: dict[str, str] | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_replies: int | None = None
    gap: float | None = DEFAULT_GAP


@dataclass(frozen=True)
class GatherResult:
    """All replies of one scatter-gather and why it stopped."""

    spec: GatherSpec
    replies: tuple[Reply, ...]
    stop: StopReason
    elapsed: float
    error: str | None = None

    @property
    def last_reply_latency(self) -> float | None:
        return max((r.latency for r in self.replies), default=None)

    @property
    def stop_wait(self) -> float | None:
        """How long after the last reply the gathering ended (the adaptive stop's cost)."""
        last = self.last_reply_latency
        return None if last is None else max(0.0, self.elapsed - last)

    def stop_text(self) -> str:
        return {
            "count": f"got the {self.spec.max_replies} replies asked for",
            "gap": f"no reply for {self.spec.gap:g} s after the last one",
            "deadline": f"deadline of {self.spec.timeout:g} s reached",
            "no_responders": "no responders: nobody subscribes to this subject",
            "error": f"error: {self.error}",
            "limit": f"stopped at {MAX_REPLIES:,} replies (safety limit)",
        }[self.stop]


def check_request_subject(subject: str) -> str:
    """Validate a request subject; raise RequestError with the reason."""
    subject = subject.strip()
    try:
        return validate_publish_subject(subject)
    except SubjectError as exc:
        raise RequestError(f"subject: {exc}") from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.removeprefix("nats: ").strip("'\"")


async def request_once(
    nc: Any,
    subject: str,
    payload: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SingleResult:
    """Send one request; report reply, no-responders, timeout or error (never raises for those)."""
    from nats.errors import NoRespondersError
    from nats.errors import TimeoutError as NatsTimeout

    check_request_subject(subject)
    started = time.perf_counter()
    try:
        msg = await nc.request(subject, payload, timeout=timeout, headers=headers)
    except NoRespondersError:
        return SingleResult("no_responders", time.perf_counter() - started)
    except (NatsTimeout, TimeoutError):
        return SingleResult("timeout", time.perf_counter() - started)
    except Exception as exc:  # connection closed, draining, max payload...
        return SingleResult("error", time.perf_counter() - started, error=_describe(exc))
    elapsed = time.perf_counter() - started
    reply = _make_reply(0, elapsed, msg.subject, msg.data, msg.headers)
    return SingleResult("reply", elapsed, reply)


def _make_reply(
    index: int, latency: float, subject: str, data: bytes, headers: dict[str, str] | None
) -> Reply:
    hdrs = dict(headers) if headers else None
    return Reply(index, latency, subject, data, hdrs, identify_responder(data, hdrs))


class _Collector:
    """The subscription callback's state: append, note the time, wake the waiter."""

    def __init__(self, started: float, limit: int) -> None:
        self.started = started
        self.limit = limit
        self.raw: list[tuple[float, str, bytes, dict[str, str] | None]] = []
        self.last = started
        self.wake = asyncio.Event()

    async def on_msg(self, msg: Any) -> None:
        if len(self.raw) >= self.limit:
            return  # replies past the asked-for count arrived in the same burst: ignore them
        now = time.perf_counter()
        self.raw.append((now - self.started, msg.subject, msg.data, msg.headers))
        self.last = now
        self.wake.set()

    @property
    def no_responders(self) -> bool:
        return len(self.raw) == 1 and (self.raw[0][3] or {}).get("Status") == NO_RESPONDERS


def _wait_time(col: _Collector, spec: GatherSpec, deadline: float) -> float | StopReason:
    """Seconds to wait for the next reply, or why to stop now."""
    now = time.perf_counter()
    got = len(col.raw)
    if col.no_responders:
        return "no_responders"
    if spec.max_replies is not None and got >= spec.max_replies:
        return "count"
    if got >= MAX_REPLIES:
        return "limit"
    remaining = deadline - now
    if remaining <= 0:
        return "deadline"
    if got and spec.gap is not None:
        quiet_left = spec.gap - (now - col.last)
        if quiet_left <= 0:
            return "gap"
        return min(quiet_left, remaining)
    return remaining


async def gather(
    nc: Any, spec: GatherSpec, *, on_progress: Callable[[int], None] | None = None
) -> GatherResult:
    """Scatter one request and gather replies on a private inbox until a stop condition."""
    check_request_subject(spec.subject)
    inbox = nc.new_inbox()
    started = time.perf_counter()
    col = _Collector(started, min(spec.max_replies or MAX_REPLIES, MAX_REPLIES))
    sub = await nc.subscribe(inbox, cb=col.on_msg, pending_msgs_limit=MAX_REPLIES)
    stop: StopReason
    error: str | None = None
    try:
        col.started = started = time.perf_counter()
        await nc.publish(spec.subject, spec.payload, reply=inbox, headers=spec.headers)
        await nc.flush(timeout=max(1.0, spec.timeout))
        stop = await _wait_loop(col, spec, started + spec.timeout, on_progress)
    except Exception as exc:
        stop, error = "error", _describe(exc)
    finally:
        await _unsubscribe(sub)
    elapsed = time.perf_counter() - started
    raw = [] if stop == "no_responders" else col.raw
    replies = tuple(_make_reply(i, lat, s, d, h) for i, (lat, s, d, h) in enumerate(raw))
    return GatherResult(spec, replies, stop, elapsed, error)


async def _wait_loop(
    col: _Collector,
    spec: GatherSpec,
    deadline: float,
    on_progress: Callable[[int], None] | None,
) -> StopReason:
    while True:
        col.wake.clear()
        wait = _wait_time(col, spec, deadline)
        if isinstance(wait, str):
            return wait
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(col.wake.wait(), wait)
        if on_progress is not None:
            on_progress(len(col.raw))


async def _unsubscribe(sub: Any) -> None:
    try:
        await sub.unsubscribe()
    except Exception:  # the connection may be gone; the inbox dies with it
        return


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
        if key in flat and flat[key] != _LIST and _value_key(flat[key]) != _value_key(usual):
            notes.append(f"{key} = {_short(flat[key])} (most: {_short(usual)})")
    return notes


def find_outliers(replies: Iterable[Reply]) -> dict[int, list[str]]:
    """Replies that differ from the majority, by index, with what differs.

    A key or value counts as "normal" when more than half of the replies have it; a reply that
    adds a key, lacks one, holds another value, is not JSON while most are, or carries an error
    status, is reported. Fewer than 3 replies have no meaningful majority.
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
