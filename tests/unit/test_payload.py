"""Payload views: JSON pretty-printed, text escaped, binary as hex, huge payloads cut."""

from __future__ import annotations

import json

from natstui.core.payload import MAX_DETAIL_BYTES, MAX_DETAIL_LINES, hex_dump, view_payload


def test_json_is_pretty_printed() -> None:
    view = view_payload(b'{"status":"ok","fps":25}')
    assert view.kind == "json"
    assert json.loads(view.text) == {"status": "ok", "fps": 25}
    assert "\n" in view.text


def test_json_string_with_escape_sequence_stays_escaped() -> None:
    view = view_payload(json.dumps({"x": "\x1b[31m"}).encode())
    assert view.kind == "json"
    assert "\x1b" not in view.text


def test_text_keeps_lines_and_escapes_controls() -> None:
    view = view_payload(b"hello\nworld\x07")
    assert (view.kind, view.text) == ("text", "hello\nworld\\x07")


def test_invalid_utf8_is_binary_hex() -> None:
    view = view_payload(b"\xff\xfe\x00\x01abc")
    assert view.kind == "binary"
    assert view.text.startswith("00000000  ff fe 00 01 61 62 63")


def test_empty_payload() -> None:
    assert view_payload(b"").kind == "empty"


def test_huge_payload_is_cut_and_says_so() -> None:
    view = view_payload(b"a" * (MAX_DETAIL_BYTES * 16))
    assert view.truncated
    assert view.size == MAX_DETAIL_BYTES * 16
    assert len(view.text) <= MAX_DETAIL_BYTES


def test_many_lines_are_cut() -> None:
    view = view_payload(b"\n".join(b"l" for _ in range(10_000)))
    assert view.truncated
    assert view.text.count("\n") == MAX_DETAIL_LINES - 1


def test_hex_dump_shape() -> None:
    assert hex_dump(b"AB\x00") == "00000000  41 42 00" + " " * 39 + "  AB."
