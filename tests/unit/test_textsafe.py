"""Untrusted text: control characters become visible escapes; markup is never parsed."""

from __future__ import annotations

import pytest
from rich.console import Console

from natstui.core.textsafe import decode, preview, printable
from natstui.widgets.safe import safe_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x1b]52;c;SGVsbG8=\x07", "\\x1b]52;c;SGVsbG8=\\x07"),
        ("bell\x07", "bell\\x07"),
        ("nul\x00", "nul\\x00"),
        ("tab\tnl\ncr\r", "tab\\tnl\\ncr\\r"),
        ("c1\x9b", "c1\\x9b"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("plain [bold]text[/]", "plain [bold]text[/]"),
    ],
)
def test_printable_escapes_controls(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_can_keep_newlines() -> None:
    assert printable("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


def test_decode_shows_invalid_utf8_as_escapes() -> None:
    assert decode(b"ok\xff\xfe") == "ok\\xff\\xfe"


def test_preview_is_one_line_and_cut() -> None:
    text = preview(b"line1\nline2" + b"x" * 500, limit=20)
    assert "\n" not in text
    assert text.endswith("…")
    assert len(text) == 21


@pytest.mark.parametrize(
    "raw", ["[bold]x[/bold]", "[/]", "[link=file:///etc/passwd]x", "[@click=quit]x"]
)
def test_safe_text_renders_markup_literally(raw: str) -> None:
    console = Console(width=80, record=True, force_terminal=True, color_system="truecolor")
    console.print(safe_text(raw))
    assert console.export_text().strip() == raw


def test_safe_text_emits_no_escape_sequence_from_payload() -> None:
    console = Console(width=80, record=True, force_terminal=False)
    console.print(safe_text("\x1b]52;c;ZXZpbA==\x07\x1b[2J"))
    out = console.export_text()
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]52" in out
