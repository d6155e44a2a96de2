"""Validated publishing: subject, reply-to, headers, templates, count and interval.

Everything a user typed is checked before the first byte goes out: an invalid subject or an
oversize payload would make the server close the connection, so `prepare_publish` raises
`PublishError` with a plain message instead. `publish_many` then sends, yielding to the event
loop now and then so that the UI stays responsive while 10,000 messages go out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from natstui.core.headers import HeaderError, parse_headers
from natstui.core.subjects import SubjectError, validate_publish_subject
from natstui.core.templates import RenderContext, Template, TemplateError, compile_template

MAX_COUNT = 1_000_000
MAX_INTERVAL = 3600.0
YIELD_EVERY = 256  # messages between yields to the loop when no interval is set
DEFAULT_MAX_PAYLOAD = 1024 * 1024


class PublishError(ValueError):
    """Input that cannot be published; the message says which field and why."""


@dataclass(frozen=True)
class PublishForm:
    """What the Publish tab's fields hold, as typed (also what history stores)."""

    subject: str
    payload: str = ""
    headers: str = ""
    reply: str = ""
    count: int = 1
    interval: float = 0.0
    templates: bool = True
    file: str = ""  # when set, the file's bytes are sent instead of `payload`


@dataclass(frozen=True)
class PreparedPublish:
    """A checked publish, ready to send."""

    subject: str
    reply: str
    headers: dict[str, str] | None
    count: int
    interval: float
    payload: Template | bytes
    header_templates: tuple[tuple[str, Template], ...] = ()

    def message(
        self, number: int, now_ns: int | None = None
    ) -> tuple[bytes, dict[str, str] | None]:
        """Payload and headers of message `number` (counting from 1)."""
        if isinstance(self.payload, bytes):
            data = self.payload
        else:
            data = self.payload.render(RenderContext(number, now_ns)).encode()
        if not self.header_templates:
            return data, self.headers
        ctx = RenderContext(number, now_ns)
        return data, {k: t.render(ctx) for k, t in self.header_templates}


@dataclass(frozen=True)
class PublishResult:
    """How a publish run ended."""

    sent: int
    requested: int
    elapsed: float
    bytes_sent: int
    error: str | None = None

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> str:
        """The result line the tab shows, e.g. 'published 10000 in 0.41 s (24390 msg/s)'."""
        base = f"published {self.sent}"
        if self.sent != self.requested:
            base += f" of {self.requested}"
        base += f" in {_duration(self.elapsed)}"
        if self.sent > 1 and self.elapsed > 0:
            base += f" ({self.rate:,.0f} msg/s)"
        return base + (f" — stopped: {self.error}" if self.error else "")


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _check_number(form: PublishForm) -> None:
    if not 1 <= form.count <= MAX_COUNT:
        raise PublishError(f"count must be between 1 and {MAX_COUNT:,}")
    if not 0 <= form.interval <= MAX_INTERVAL:
        raise PublishError(f"interval must be between 0 and {MAX_INTERVAL:g} seconds")


def _check_subjects(form: PublishForm) -> tuple[str, str]:
    subject = form.subject.strip()
    reply = form.reply.strip()
    try:
        validate_publish_subject(subject)
    except SubjectError as exc:
        raise PublishError(f"subject: {exc}") from None
    if reply:
        try:
            validate_publish_subject(reply)
        except SubjectError as exc:
            raise PublishError(f"reply-to: {exc}") from None
    return subject, reply


def _compile(text: str, what: str) -> Template:
    try:
        return compile_template(text)
    except TemplateError as exc:
        raise PublishError(f"{what}: {exc}") from None


def prepare_publish(
    form: PublishForm,
    *,
    max_payload: int = DEFAULT_MAX_PAYLOAD,
    payload_bytes: bytes | None = None,
) -> PreparedPublish:
    """Validate `form`; `payload_bytes` (e.g. from a file) replaces the payload text."""
    subject, reply = _check_subjects(form)
    _check_number(form)
    try:
        headers = parse_headers(form.headers) or None
    except HeaderError as exc:
        raise PublishError(str(exc)) from None
    payload: Template | bytes
    header_templates: tuple[tuple[str, Template], ...] = ()
    if payload_bytes is not None:
        payload = payload_bytes
    elif form.templates:
        payload = _compile(form.payload, "payload")
    else:
        payload = form.payload.encode()
    if form.templates and headers:
        compiled = tuple((k, _compile(v, f"header {k}")) for k, v in headers.items())
        if not all(t.is_static for _, t in compiled):
            header_templates = compiled
    prepared = PreparedPublish(
        subject, reply, headers, form.count, form.interval, payload, header_templates
    )
    check_size(prepared, max_payload)
    return prepared


def check_size(prepared: PreparedPublish, max_payload: int, number: int = 1) -> int:
    """Raise PublishError when message `number` exceeds the server's max_payload."""
    data, headers = prepared.message(number)
    size = len(data) + _headers_size(headers)
    if size > max_payload:
        raise PublishError(
            f"message is {size:,} bytes but the server accepts at most {max_payload:,} "
            "(max_payload); sending it would close the connection"
        )
    return size


def _headers_size(headers: dict[str, str] | None) -> int:
    if not headers:
        return 0
    # "NATS/1.0\r\n" + "Name: value\r\n"... + "\r\n": what the server counts against max_payload.
    return 12 + sum(len(k.encode()) + len(v.encode()) + 4 for k, v in headers.items())


def max_payload_of(nc: Any) -> int:
    """The connected server's max_payload (nats-py reads it from INFO)."""
    value = getattr(nc, "max_payload", None)
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_MAX_PAYLOAD


Progress = Callable[[int], None]


async def publish_many(
    nc: Any,
    prepared: PreparedPublish,
    *,
    progress: Progress | None = None,
    max_payload: int | None = None,
) -> PublishResult:
    """Send `prepared.count` messages, `prepared.interval` seconds apart, then flush.

    Stops early (reporting how many went out) when a rendered message is too big or nats-py
    raises; never lets a template-grown message reach the server over max_payload.
    """
    limit = max_payload if max_payload is not None else max_payload_of(nc)
    started = time.perf_counter()
    sent = 0
    total_bytes = 0
    error: str | None = None
    try:
        for number in range(1, prepared.count + 1):
            data, headers = prepared.message(number)
            size = len(data) + _headers_size(headers)
            if size > limit:
                raise PublishError(
                    f"message {number} is {size:,} bytes, over max_payload {limit:,}"
                )
            await nc.publish(prepared.subject, data, reply=prepared.reply, headers=headers)
            sent += 1
            total_bytes += len(data)
            await _pace(prepared, number, progress)
        await nc.flush(timeout=10)
    except PublishError as exc:
        error = str(exc)
    except Exception as exc:  # nats-py's errors share no base class worth naming here
        error = _describe(exc)
    return PublishResult(sent, prepared.count, time.perf_counter() - started, total_bytes, error)


async def _pace(prepared: PreparedPublish, number: int, progress: Progress | None) -> None:
    if prepared.interval > 0 and number < prepared.count:
        if progress is not None:
            progress(number)
        await asyncio.sleep(prepared.interval)
    elif number % YIELD_EVERY == 0:
        if progress is not None:
            progress(number)
        await asyncio.sleep(0)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.removeprefix("nats: ").strip("'\"")


@dataclass
class PublishHistory:
    """Recent publish forms, newest first, without duplicates; bounded."""

    limit: int = 50
    entries: list[PublishForm] = field(default_factory=list)

    def add(self, form: PublishForm) -> None:
        self.entries = [e for e in self.entries if e != form]
        self.entries.insert(0, form)
        del self.entries[self.limit :]
