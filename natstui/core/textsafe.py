"""Make untrusted text safe to show: control characters become visible escapes.

Subjects, headers and payloads come from other people's services. Rendered through
`rich.text.Text` they are never parsed as markup; this module makes sure no escape sequence
(ANSI CSI, OSC 52 clipboard writes, BEL, ...) reaches the terminal either.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode bidi overrides that can disguise text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_NL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if ch == "\t":
        return "\\t"
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Replace every control character with a visible escape like `\\x1b`."""
    pattern = _UNSAFE_KEEP_NL if keep_newlines else _UNSAFE
    return pattern.sub(_escape, text)


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8, showing invalid bytes as `\\xNN` escapes."""
    return data.decode("utf-8", errors="backslashreplace")


def preview(data: bytes, limit: int = 200) -> str:
    """A one-line, safe preview of a payload, cut to `limit` characters."""
    head = data[: limit * 4]
    text = printable(decode(head))
    if len(text) > limit or len(head) < len(data):
        return text[:limit] + "…"
    return text
