"""Parse monitoring replies (`$SYS` envelopes and HTTP bodies) into checked Python values.

Servers of different versions send different fields, and a reply can be cut short, gzipped,
an error envelope or a 503 "no responders" status. Everything here is defensive: a wrong type
reads as "unknown" (None), never as an exception in the middle of a refresh. What cannot be
used at all raises `ReplyError` with a one-line reason the UI can show in place.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

# Go's time.Duration strings ("1h2m3.5s", "169µs") and nats-server's uptime ("3d4h5m6s", "1y2d").
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h|d|y)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "y": 365 * 86400.0,
}
# A decompressed reply larger than this is refused: protects memory from a hostile peer.
MAX_REPLY_BYTES = 64 * 1024 * 1024


class ReplyError(ValueError):
    """A reply that cannot be used; the message is one line of plain words."""


@dataclass(frozen=True)
class Envelope:
    """A `$SYS` reply: who answered (`server`) and what it said (`data`)."""

    server: JsonDict
    data: JsonDict

    @property
    def server_name(self) -> str:
        return text(self.server, "name")

    @property
    def server_id(self) -> str:
        return text(self.server, "id")


def decompress(data: bytes, headers: Mapping[str, str] | None) -> bytes:
    """The body with `Content-Encoding: gzip` undone (bounded), else unchanged."""
    encoding = (headers or {}).get("Content-Encoding", "").lower()
    if encoding not in ("gzip", "x-gzip"):
        return data
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_REPLY_BYTES)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise ReplyError(f"bad gzip body: {exc}") from None
    if inflater.unconsumed_tail:
        raise ReplyError(f"reply larger than {MAX_REPLY_BYTES} bytes after decompression")
    return out


def load_json(data: bytes) -> JsonDict:
    """Parse a JSON object or raise ReplyError (truncated, not JSON, not an object)."""
    if not data:
        raise ReplyError("empty reply")
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ReplyError(f"malformed JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ReplyError(f"expected a JSON object, got {type(value).__name__}")
    return value


def status_error(headers: Mapping[str, str] | None) -> str | None:
    """A reason when the reply is a NATS status (503 no responders, ...), else None."""
    status = (headers or {}).get("Status")
    if not status or status == "200":
        return None
    if status == "503":
        return "no responders (503): this user may not use the system account"
    description = (headers or {}).get("Description", "").strip()
    return f"status {status} {description}".strip()


def parse_envelope(data: bytes, headers: Mapping[str, str] | None = None) -> Envelope:
    """Unwrap one `$SYS.REQ.SERVER.*` reply; error envelopes and statuses raise ReplyError."""
    reason = status_error(headers)
    if reason:
        raise ReplyError(reason)
    body = load_json(decompress(data, headers))
    server = body.get("server")
    server = server if isinstance(server, dict) else {}
    error = body.get("error")
    if error:
        who = text(server, "name") or "a server"
        raise ReplyError(f"{who}: {error_text(error)}")
    payload = body.get("data", body.get("statsz"))
    if not isinstance(payload, dict):
        raise ReplyError("reply has no data object")
    return Envelope(server, payload)


def error_text(error: object) -> str:
    """The server's error envelope as `code description`."""
    if isinstance(error, dict):
        code = error.get("code", "")
        desc = error.get("description", "")
        return f"error {code}: {desc}".strip()
    return f"error: {error}"


# --- typed getters -------------------------------------------------------------------------
def integer(d: Mapping[str, Any] | None, key: str) -> int | None:
    """`d[key]` as an int; None when absent, of the wrong type (bool is not a number) or not
    finite (`json.loads` accepts NaN, Infinity and 1e999)."""
    value = number(d, key)
    return None if value is None else int(value)


def number(d: Mapping[str, Any] | None, key: str) -> float | None:
    """`d[key]` as a finite float, else None."""
    value = d.get(key) if d else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return result if math.isfinite(result) else None


def text(d: Mapping[str, Any] | None, key: str) -> str:
    value = d.get(key) if d else None
    return value if isinstance(value, str) else ""


def obj(d: Mapping[str, Any] | None, key: str) -> JsonDict:
    value = d.get(key) if d else None
    return value if isinstance(value, dict) else {}


def items(d: Mapping[str, Any] | None, key: str) -> list[JsonDict]:
    """The dicts of a JSON array field; anything else in it is skipped."""
    value = d.get(key) if d else None
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def parse_duration(value: object) -> float | None:
    """Seconds from a Go duration or nats-server uptime string; None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    return total if pos == len(value) else None


def duration_ms(d: Mapping[str, Any] | None, key: str) -> float | None:
    seconds = parse_duration(d.get(key) if d else None)
    return None if seconds is None else seconds * 1000.0


# --- one server's answers ------------------------------------------------------------------
@dataclass
class ServerReport:
    """Everything one server answered in one refresh, keyed by endpoint (varz, routez, ...).

    Filled by the system or HTTP gatherer, read by `monitor_build`. `errors` holds one line
    per endpoint that failed for this server.
    """

    name: str
    server_id: str = ""
    cluster: str = ""
    version: str = ""
    url: str = ""
    parts: dict[str, JsonDict] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def part(self, endpoint: str) -> JsonDict:
        return self.parts.get(endpoint, {})

    def absorb(self, endpoint: str, envelope: Envelope) -> None:
        """Take one envelope's data and fill identity fields it knows."""
        self.parts[endpoint] = envelope.data
        self.server_id = self.server_id or envelope.server_id
        self.cluster = self.cluster or text(envelope.server, "cluster")
        self.version = self.version or text(envelope.server, "ver")
