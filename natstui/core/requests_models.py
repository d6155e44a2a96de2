"""Request and scatter-gather models: what was asked, what came back, why gathering stopped.

Frozen dataclasses shared by `natstui.core.requests` (the I/O), `natstui.core.requests_analysis`
(who answered, who differs) and the Request tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
        """Why gathering stopped, in words. Built only for the actual reason: the other
        texts may not apply (with no gap set, there is no gap to format)."""
        stop = self.stop
        if stop == "count":
            return f"got the {self.spec.max_replies} replies asked for"
        if stop == "gap":
            gap = f"{self.spec.gap:g} s" if self.spec.gap is not None else "the gap"
            return f"no reply for {gap} after the last one"
        if stop == "deadline":
            return f"deadline of {self.spec.timeout:g} s reached"
        if stop == "no_responders":
            return "no responders: nobody subscribes to this subject"
        if stop == "limit":
            return f"stopped at {MAX_REPLIES:,} replies (safety limit)"
        return f"error: {self.error}"


def check_request_subject(subject: str) -> str:
    """Validate a request subject; raise RequestError with the reason."""
    subject = subject.strip()
    try:
        return validate_publish_subject(subject)
    except SubjectError as exc:
        raise RequestError(f"subject: {exc}") from None
