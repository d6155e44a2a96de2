"""Request/reply and scatter-gather over a nats-py connection.

- `request_once`: one request, the first reply with its latency; "no responders" (a 503 status
  from the server) and "timeout" are distinct outcomes, never exceptions.
- `gather`: one request to a private inbox, many replies. It stops at N replies, at the deadline,
  or — adaptively, like natscli — when no reply came for `gap` seconds after the last one (the
  first reply may take the whole timeout). The subscription callback only appends.

Models live in `natstui.core.requests_models`, reply analysis in `natstui.core.requests_analysis`;
this module re-exports both, so `natstui.core.requests` stays the one import for callers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from natstui.core.requests_analysis import (
    Expectation,
    GatherHistory,
    expected_from_replies,
    find_outliers,
    flatten_json,
    identify_responder,
    is_system_subject,
    missing_responders,
    parse_expected,
)
from natstui.core.requests_models import (
    DEFAULT_GAP,
    DEFAULT_TIMEOUT,
    MAX_REPLIES,
    NO_RESPONDERS,
    GatherResult,
    GatherSpec,
    Outcome,
    Reply,
    RequestError,
    SingleResult,
    StopReason,
    check_request_subject,
)

__all__ = [
    "DEFAULT_GAP",
    "DEFAULT_TIMEOUT",
    "MAX_REPLIES",
    "NO_RESPONDERS",
    "Expectation",
    "GatherHistory",
    "GatherResult",
    "GatherSpec",
    "Outcome",
    "Reply",
    "RequestError",
    "SingleResult",
    "StopReason",
    "check_request_subject",
    "expected_from_replies",
    "find_outliers",
    "flatten_json",
    "gather",
    "identify_responder",
    "is_system_subject",
    "missing_responders",
    "parse_expected",
    "request_once",
]


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
