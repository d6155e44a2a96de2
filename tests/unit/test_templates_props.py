"""Property tests: any text either compiles or fails with TemplateError; literal text without
`{{` renders to itself; header dicts survive format -> parse."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from natstui.core.headers import HeaderError, format_headers, parse_headers
from natstui.core.templates import RenderContext, TemplateError, compile_template

TOKEN = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."),
    min_size=1,
    max_size=20,
)
VALUE = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029\x85"
    ),
    max_size=40,
).map(str.strip)


@given(st.text(max_size=200))
def test_any_text_compiles_or_says_why(text: str) -> None:
    try:
        tpl = compile_template(text)
    except TemplateError as exc:
        assert "template at character" in str(exc)
        return
    tpl.render(RenderContext(3, 0))


@given(st.text(max_size=200).filter(lambda t: "{{" not in t))
def test_literal_text_renders_unchanged(text: str) -> None:
    assert compile_template(text).render() == text


@given(st.dictionaries(TOKEN, VALUE, max_size=8))
def test_headers_round_trip(headers: dict[str, str]) -> None:
    lowered = {k.lower() for k in headers}
    try:
        parsed = parse_headers(format_headers(headers))
    except HeaderError as exc:
        # Only a case-insensitive repeat may be refused.
        assert len(lowered) < len(headers) and "repeats" in str(exc)
        return
    assert parsed == headers
