"""Fuzz what arrives off the wire and is shown: payload bytes, subjects, header values.

Whatever a publisher sends, `printable`, `preview`, `decode`, `view_payload` and `safe_text`
must return text in which no control character survives: no ESC (ANSI / OSC 52 clipboard
writes), no BEL, no C1 control, no bidi override. `view_payload` keeps newlines (a pretty JSON
or multi-line text), nothing else. And the tail's filter language: any query either parses or
fails with `FilterError` naming a column inside the query; a parsed filter never raises while
matching any message (bad UTF-8, huge numbers, deep JSON, odd headers).
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from natstui.core.payload import MAX_DETAIL_BYTES, hex_dump, try_json, view_payload
from natstui.core.tail_buffer import TailEntry
from natstui.core.tail_filters import FilterError, parse_filter
from natstui.core.textsafe import decode, preview, printable
from natstui.widgets.safe import safe_text

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Bytes weighted toward what attacks terminals: ESC sequences, OSC 52, BEL, C1 in UTF-8,
# bidi overrides, invalid UTF-8, and JSON that decodes to control characters.
NASTY = st.sampled_from(
    [
        b"\x1b[31m",
        b"\x1b]52;c;aGVsbG8=\x07",
        b"\x07",
        b"\x00",
        b"\xc2\x9b",  # C1 CSI in UTF-8
        "\u202e".encode(),
        b"\xff\xfe",
        b"\r\n",
        b'{"a": "\\u001b[2J\\u0007"}',
        b"[bold]markup[/]",
        b"\xe2\x82",  # a cut multi-byte character
    ]
)
PAYLOADS = st.lists(st.binary(max_size=40) | NASTY, max_size=12).map(b"".join) | st.binary()


def json_payloads() -> st.SearchStrategy[bytes]:
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=15,
    )
    return values.map(lambda v: json.dumps(v, ensure_ascii=False).encode())


@FUZZ
@given(PAYLOADS | json_payloads())
def test_payload_views_hold_no_control_characters(data: bytes) -> None:
    view = view_payload(data)
    assert view.size == len(data)
    assert not CONTROL_BUT_NEWLINE.search(view.text), view.text
    assert view.kind in ("empty", "json", "text", "binary")
    if view.kind == "binary":
        assert len(view.text) <= (MAX_DETAIL_BYTES // 16 + 1) * 80
    line = preview(data, limit=80)
    assert not CONTROL.search(line) and len(line) <= 81
    assert not CONTROL.search(printable(decode(data)))
    assert not CONTROL_BUT_NEWLINE.search(hex_dump(data[:256]))
    try_json(data)  # never raises


@FUZZ
@given(st.text(max_size=200) | PAYLOADS.map(decode))
def test_safe_text_renders_without_escape_sequences(text: str) -> None:
    """What reaches the terminal: Rich renders the Text; only Rich's own styling may be ANSI."""
    console = Console(width=60, color_system=None, force_terminal=True, record=True)
    console.print(safe_text(text), end="")
    rendered = console.export_text(styles=False)
    assert "\x1b" not in rendered and "\x07" not in rendered
    assert not CONTROL_BUT_NEWLINE.search(rendered)
    assert printable(text) == printable(printable(text)) or "\\" in text


# --- the tail's filter language --------------------------------------------------------------
TERM = st.one_of(
    st.sampled_from(["error", '"two words"', '"\\u00e9"', '"bad \\x"', '"open', "!", "!x"]),
    st.builds(lambda p: f"subject:{p}", st.sampled_from(["a.*", "a.>", "a..b", "", '"a b"', ">"])),
    st.builds(lambda p: f"s:{p}", st.text(max_size=6)),
    st.builds(
        lambda n, v: f"header:{n}{v}",
        st.sampled_from(["X-Id", "", "a=b"]),
        st.sampled_from(["", "=1", '="x y"', "="]),
    ),
    st.builds(lambda r, f: f"/{r}/{f}", st.text(max_size=8), st.sampled_from(["", "i", "ii"])),
    st.sampled_from(["/(?P<x>/", "/\\/", "//", "/[/", "/a/x", "/" + "(" * 200 + "/"]),
    st.builds(
        lambda p, op, v: f"{p} {op} {v}",
        st.sampled_from([".status", ".a.b", ".items[0]", '."odd key"', ".", ".[", ".a[-1]"]),
        st.sampled_from(["==", "!=", "=", ""]),
        st.sampled_from(['"failed"', "42", "true", "null", "{}", "[1]", "1e999", "x", '"\\q"']),
    ),
    st.text(max_size=10),
)
QUERIES = st.lists(TERM, max_size=5).map(" ".join) | st.text(max_size=40)

JSON_BODIES = st.sampled_from(
    [
        b'{"status": "failed", "a": {"b": 1}, "items": [{"n": 3}], "odd key": true}',
        b'{"status": 1e999}',
        b"[" * 5000 + b"]" * 5000,  # deeper than json's recursion limit
        b'{"a": NaN}',
        b"\xff\xfe not utf-8",
        b"",
    ]
)
ENTRIES = st.builds(
    lambda subject, data, headers: TailEntry(1, 0.0, subject, "", headers, data, 1),
    st.sampled_from(["a.b", "a", "", "x.y.z", "é.日"]),
    JSON_BODIES | PAYLOADS,
    st.none() | st.dictionaries(st.sampled_from(["X-Id", "x-id", "A"]), st.text(max_size=5)),
)


@FUZZ
@given(QUERIES, st.lists(ENTRIES, max_size=4))
def test_filters_parse_or_point_at_a_column(query: str, entries: list[TailEntry]) -> None:
    try:
        parsed = parse_filter(query)
    except FilterError as exc:
        assert 1 <= exc.column <= len(query) + 1, (query, exc.column)
        assert exc.reason
        return
    for entry in entries:
        assert parsed.matches(entry) in (True, False)


@pytest.mark.parametrize(
    "query", ["/a{99999999999}/", '"\\ud800"', 'subject:"\\ud800"'], ids=["repeat", "text", "subj"]
)
def test_filter_queries_that_once_crashed_the_tail(query: str) -> None:
    """A huge regex repeat count (OverflowError) and a quoted lone surrogate
    (UnicodeEncodeError) used to escape as other exceptions and end the app."""
    with pytest.raises(FilterError) as info:
        parse_filter(query)
    assert 1 <= info.value.column <= len(query)
