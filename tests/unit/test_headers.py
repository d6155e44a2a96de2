"""Header editor lines -> the dict nats-py publishes, and clear errors for bad lines."""

from __future__ import annotations

import pytest

from natstui.core.headers import HeaderError, format_headers, parse_headers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("X-A: 1", {"X-A": "1"}),
        ("X-A:1\nX-B:  two words  ", {"X-A": "1", "X-B": "two words"}),
        ("\n# comment\nX-A: 1\n\n", {"X-A": "1"}),
        ("X-Url: http://a:b/c", {"X-Url": "http://a:b/c"}),
        ("Nats-Msg-Id: abc", {"Nats-Msg-Id": "abc"}),
        ("X-Empty:", {"X-Empty": ""}),
    ],
)
def test_parses(text: str, expected: dict[str, str]) -> None:
    assert parse_headers(text) == expected


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("no colon here", "line 1: expected 'Name: value'"),
        ("X-A: 1\n: value", "line 2: the name before ':' is empty"),
        ("Bad Name: 1", "name 'Bad Name' may only hold"),
        ("X-A: 1\nx-a: 2", "'x-a' repeats 'X-A'"),
        ("X-A: a\x1bb", "control characters"),
        ("X-Big: " + "v" * 4000, "keep them under"),
    ],
)
def test_errors(text: str, needle: str) -> None:
    with pytest.raises(HeaderError, match=None) as info:
        parse_headers(text)
    assert needle in str(info.value)


def test_format_round_trip() -> None:
    headers = {"X-A": "1", "X-B": "two"}
    assert parse_headers(format_headers(headers)) == headers
    assert format_headers(None) == ""
