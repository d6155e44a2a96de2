"""Parse the header editor's "Key: Value" lines into the dict nats-py publishes.

A header that NATS cannot carry (a name with a space or colon, a control character in a value)
would either corrupt the protocol line or make the server close the connection, so every line
is checked here and a bad one is reported by line number, never silently dropped.
"""

from __future__ import annotations

import re

# RFC 7230 token characters: what an HTTP-style header name may contain.
_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
MAX_HEADER_BYTES = 3000  # keeps HPUB's control line well under the server's 4096-byte limit


class HeaderError(ValueError):
    """A header line that cannot be sent; the message names the line and the reason."""


def _parse_line(number: int, line: str) -> tuple[str, str]:
    if ":" not in line:
        raise HeaderError(f"header line {number}: expected 'Name: value', got no ':'")
    name, value = line.split(":", 1)
    name = name.strip()
    value = value.strip()
    if not name:
        raise HeaderError(f"header line {number}: the name before ':' is empty")
    if not _NAME.match(name):
        raise HeaderError(
            f"header line {number}: name {name!r} may only hold letters, digits and !#$%&'*+-.^_`|~"
        )
    if _BAD_VALUE.search(value):
        raise HeaderError(f"header line {number}: value of {name!r} contains control characters")
    return name, value


def parse_headers(text: str) -> dict[str, str]:
    """Parse "Name: value" lines; blank lines and lines starting with '#' are skipped.

    Raises HeaderError for a malformed line or a repeated name (nats-py sends one value per
    name, so a second one would be lost without a word).
    """
    headers: dict[str, str] = {}
    seen_lower: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, value = _parse_line(number, line)
        if name.lower() in seen_lower:
            raise HeaderError(
                f"header line {number}: {name!r} repeats {seen_lower[name.lower()]!r}; "
                "only one value per name can be sent"
            )
        seen_lower[name.lower()] = name
        headers[name] = value
    size = sum(len(k.encode()) + len(v.encode()) + 4 for k, v in headers.items())
    if size > MAX_HEADER_BYTES:
        raise HeaderError(f"headers are {size} bytes; keep them under {MAX_HEADER_BYTES}")
    return headers


def format_headers(headers: dict[str, str] | None) -> str:
    """The editor text for `headers` (the inverse of parse_headers)."""
    if not headers:
        return ""
    return "\n".join(f"{k}: {v}" for k, v in headers.items())
