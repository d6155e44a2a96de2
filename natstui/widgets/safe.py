"""Rich `Text` built from untrusted strings: never markup, never escape sequences."""

from __future__ import annotations

from rich.text import Text

from natstui.core.textsafe import printable


def safe_text(value: str, style: str = "", *, keep_newlines: bool = False) -> Text:
    """A Text showing `value` literally; `[bold]` stays `[bold]`, `\\x1b` shows as `\\x1b`."""
    return Text(printable(value, keep_newlines=keep_newlines), style=style, no_wrap=False)
