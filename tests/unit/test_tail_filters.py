"""The tail filter language: what matches, and the errors a typo gets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from natstui.core.subjects import SubjectError
from natstui.core.tail_buffer import TailEntry, parse_size
from natstui.core.tail_filters import FilterError, parse_filter
from natstui.widgets.tail_subs import parse_subscription


def entry(
    subject: str = "orders.eu.created",
    data: bytes = b"",
    headers: dict[str, str] | None = None,
    reply: str = "",
) -> TailEntry:
    return TailEntry(1, 0.0, subject, reply, headers, data, 1)


JSON = b'{"status": "failed", "code": 42, "ok": true, "n": null, "items": [{"id": "a"}, 7]}'

MATCHES = [
    ("", entry(), True),
    ("subject:orders.*.created", entry(), True),
    ("subject:orders.>", entry(), True),
    ("subject:orders.*", entry(), False),
    ("s:orders.eu.created", entry(), True),
    ('subject:"orders.eu.created"', entry(), True),
    ("failed", entry(data=JSON), True),
    ("FAILED", entry(data=JSON), False),
    ('"status\\": \\"failed"', entry(data=JSON), True),
    ("/FAIL(ED)?/i", entry(data=JSON), True),
    ("/^fail/", entry(data=JSON), False),
    (r"/a\/b/", entry(data=b"a/b"), True),
    ("header:Trace-Id", entry(headers={"trace-id": "1"}), True),
    ("header:trace-id=1", entry(headers={"Trace-Id": "1"}), True),
    ("header:trace-id=2", entry(headers={"Trace-Id": "1"}), False),
    ('h:X="a b"', entry(headers={"X": "a b"}), True),
    ("header:X", entry(), False),
    ('.status == "failed"', entry(data=JSON), True),
    ('.status=="failed"', entry(data=JSON), True),
    ('.status != "failed"', entry(data=JSON), False),
    ('.status == "ok"', entry(data=JSON), False),
    (".code == 42", entry(data=JSON), True),
    (".code == 42.0", entry(data=JSON), True),
    (".ok == true", entry(data=JSON), True),
    (".ok == 1", entry(data=JSON), False),  # JSON true is not the number 1
    (".n == null", entry(data=JSON), True),
    (".missing == null", entry(data=JSON), False),
    ('.items[0].id == "a"', entry(data=JSON), True),
    (".items[1] == 7", entry(data=JSON), True),
    (".items[9] == 7", entry(data=JSON), False),
    ('.status == "failed"', entry(data=b"not json"), False),
    ('.status == "failed"', entry(data=b"\xff\xfe"), False),
    ('subject:orders.> .status == "failed" !header:Retry', entry(data=JSON), True),
    (
        'subject:orders.> .status == "failed" !header:Retry',
        entry(data=JSON, headers={"Retry": "1"}),
        False,
    ),
    ("!failed", entry(data=JSON), False),
    (". == [1]", entry(data=b"[1]"), None),  # error case, see below
]


@pytest.mark.parametrize(("query", "msg", "expected"), [m for m in MATCHES if m[2] is not None])
def test_matches(query: str, msg: TailEntry, expected: bool) -> None:
    assert parse_filter(query).matches(msg) is expected


ERRORS = [
    ("/unterminated", 1, "unterminated regex"),
    ("ok /(/", 5, "bad regex"),
    ('"open', 1, "unterminated quote"),
    (".status", 8, "expected == or !="),
    (".status ==", 11, "expected a JSON value"),
    (".status == failed", 12, "quote text values"),
    (". == [1]", 6, "single value"),
    ("subject:", 9, "needs a pattern"),
    ("subject:a.>.b", 9, "'>' may only be the last token"),
    ("subject:a..b", 9, "empty token"),
    ("header:", 8, "needs a header name"),
    ("! x", 2, "'!' must be followed"),
    ('"a"b', 4, "expected a space"),
    (".a b == 1", 4, "expected == or !="),
]


@pytest.mark.parametrize(("query", "column", "words"), ERRORS)
def test_errors_name_column_and_reason(query: str, column: int, words: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_filter(query)
    assert words in str(info.value)
    assert info.value.column == column
    assert str(info.value).startswith(f"column {column}: ")


def test_filter_keeps_text_and_terms() -> None:
    f = parse_filter('  subject:a.*   .x == "y z"  ')
    assert f.text == 'subject:a.*   .x == "y z"'
    assert f.terms == ("subject:a.*", '.x == "y z"')
    assert not f.empty and parse_filter("   ").empty


def test_large_payload_is_not_parsed_for_json_terms() -> None:
    big = b'{"status": "failed", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert not parse_filter('.status == "failed"').matches(entry(data=big))
    assert parse_filter("failed").matches(entry(data=big))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_query_parses_or_explains(query: str) -> None:
    # Whatever is typed: a filter, or a FilterError with a column inside the query.
    try:
        parsed = parse_filter(query)
    except FilterError as exc:
        assert 1 <= exc.column <= len(query) + 1
        return
    parsed.matches(entry(data=JSON, headers={"A": "b"}))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_filters_never_raise_on_any_payload(data: bytes) -> None:
    queries = ['.a[0].b == "x"', "/a+b/i", "text", 'header:x="y"', "subject:a.>", ". == 1"]
    for query in queries:
        parse_filter(query).matches(entry(data=data, headers={"X": "y"}))


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("/a{99999999999}/", 2, "too large"),
        ("/" + "(" * 2000 + "a" + ")" * 2000 + "/", 2, "too large or too deeply nested"),
        ('"\\ud800"', 1, "lone surrogate"),
        ('ok subject:"\\ud800"', 12, "lone surrogate"),
        ("ab\ud800", 3, "lone surrogate"),
    ],
)
def test_hostile_queries_get_filter_errors(query: str, column: int, words: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_filter(query)
    assert words in info.value.reason and info.value.column == column


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e999", "0", "-1"])
def test_parse_size_refuses_non_finite_and_non_positive(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.parametrize(
    ("line", "expected"),
    [("orders.>", ("orders.>", None)), ("  a.* workers ", ("a.*", "workers"))],
)
def test_subscribe_line(line: str, expected: tuple[str, str | None]) -> None:
    assert parse_subscription(line) == expected


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("", "type a subject"),
        ("a b c", "SUBJECT [QUEUE-GROUP]"),
        ("a.\ud800", "UTF-8"),
        ("a..b", "empty token"),
        ("a.> q\x07", "control"),
    ],
)
def test_subscribe_line_errors(line: str, words: str) -> None:
    with pytest.raises(SubjectError, match=re.escape(words)):
        parse_subscription(line)
