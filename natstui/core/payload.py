"""Payload formatting for detail views: pretty JSON, text, or a hex dump.

Pure functions over bytes; the output is already safe to show (control characters escaped).
Large payloads are cut so that a 1 MiB message cannot stall the UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from natstui.core.textsafe import printable

PayloadKind = Literal["empty", "json", "text", "binary"]

MAX_DETAIL_BYTES = 64 * 1024  # beyond this the detail view shows the head and says so
MAX_DETAIL_LINES = 2000


@dataclass(frozen=True)
class PayloadView:
    """How a payload should be shown: its kind, safe text, and whether it was cut."""

    kind: PayloadKind
    text: str
    size: int
    truncated: bool = False


def try_json(data: bytes) -> object | None:
    """The decoded JSON value, or None when `data` is not a JSON object or array."""
    stripped = data.lstrip()
    if not stripped or stripped[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(data)  # type: ignore[no-any-return]
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def reformat_json(text: str) -> str:
    """`text` re-indented as JSON (the editors' Pretty JSON key); ValueError if not JSON."""
    return json.dumps(json.loads(text), indent=2, ensure_ascii=False)


def hex_dump(data: bytes, width: int = 16) -> str:
    """Classic offset / hex / ASCII dump."""
    lines = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hexes = " ".join(f"{b:02x}" for b in chunk).ljust(width * 3 - 1)
        ascii_ = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes}  {ascii_}")
    return "\n".join(lines)


def _cut_lines(text: str) -> tuple[str, bool]:
    lines = text.split("\n", MAX_DETAIL_LINES)
    if len(lines) > MAX_DETAIL_LINES:
        return "\n".join(lines[:MAX_DETAIL_LINES]), True
    return text, False


def view_payload(data: bytes) -> PayloadView:
    """Decide how to show `data` and render it as safe text."""
    size = len(data)
    if size == 0:
        return PayloadView("empty", "", 0)
    head = data[:MAX_DETAIL_BYTES]
    cut = size > MAX_DETAIL_BYTES
    value = try_json(data) if not cut else None
    if value is not None:
        pretty = json.dumps(value, indent=2, ensure_ascii=False)
        text, more = _cut_lines(printable(pretty, keep_newlines=True))
        return PayloadView("json", text, size, more)
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character split by the cut is still text.
        if not (cut and exc.start >= len(head) - 3):
            return PayloadView("binary", hex_dump(head), size, cut)
        decoded = head[: exc.start].decode("utf-8")
    if _mostly_control(decoded):
        return PayloadView("binary", hex_dump(head), size, cut)
    text, more = _cut_lines(printable(decoded, keep_newlines=True))
    return PayloadView("text", text, size, cut or more)


def _mostly_control(text: str) -> bool:
    """Valid UTF-8 that is mostly control characters reads better as a hex dump."""
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 0x20 and c not in "\t\n\r")
    return controls * 10 > len(sample)
