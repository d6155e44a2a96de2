"""natscli-compatible payload templates: every field, spacing, and clear errors."""

from __future__ import annotations

import re

import pytest

from natstui.core.templates import (
    RenderContext,
    TemplateError,
    compile_template,
    render_preview,
)

NOW_NS = 1_700_000_000_123_456_789  # 2023-11-14T22:13:20.123456789Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("", ""),
        ("n={{Count}}", "n=7"),
        ("n={{ Count }}", "n=7"),
        ("n={{Cnt}}", "n=7"),
        ("{{Unix}}", "1700000000"),
        ("{{UnixNano}}", str(NOW_NS)),
        ("a }} b", "a }} b"),
        ("{{Count}}{{Count}}", "77"),
    ],
)
def test_fields_render(text: str, expected: str) -> None:
    assert compile_template(text).render(RenderContext(7, NOW_NS)) == expected


def test_time_is_kitchen_format() -> None:
    out = compile_template("{{Time}}").render(RenderContext(1, NOW_NS))
    assert re.fullmatch(r"\d{1,2}:\d{2}(AM|PM)", out)


def test_timestamp_is_rfc3339() -> None:
    out = compile_template("{{TimeStamp}}").render(RenderContext(1, NOW_NS))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", out)


def test_ids_are_unique() -> None:
    tpl = compile_template("{{ID}}")
    ids = {tpl.render() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and i.isalnum() for i in ids)


def test_random_length_within_bounds() -> None:
    tpl = compile_template("{{Random 3 6}}")
    lengths = {len(tpl.render()) for _ in range(300)}
    assert lengths <= {3, 4, 5, 6} and len(lengths) > 1


def test_static_detection() -> None:
    assert compile_template("hello").is_static
    assert not compile_template("hello {{Count}}").is_static


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{{Nope}}", "unknown field 'Nope'"),
        ("x {{Count", "never closed"),
        ("{{}}", "empty"),
        ("{{Random 5}}", "two numbers"),
        ("{{Random a b}}", "whole numbers"),
        ("{{Random 9 2}}", "shortest <= longest"),
        ("{{Random -1 2}}", "shortest <= longest"),
        ("{{Random 1 99999999}}", "longer than"),
        ("{{Count 3}}", "takes no arguments"),
    ],
)
def test_broken_templates_say_why(text: str, needle: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(needle)):
        compile_template(text)


def test_error_names_position() -> None:
    with pytest.raises(TemplateError, match="character 5"):
        compile_template("abcd{{Bad}}")


def test_preview_uses_count() -> None:
    assert render_preview("msg {{Count}}", count=3) == "msg 3"
