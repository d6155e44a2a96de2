"""Read what is on a Textual screen as plain text, from `App.export_screenshot()`'s SVG.

Rich writes each styled run of a line as its own `<text>` element with `&#160;` for spaces;
joining the runs in document order and unescaping gives text that substring checks can use.
"""

from __future__ import annotations

import html
import re

from textual.app import App

_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def screen_text(app: App[object]) -> str:
    """The visible text of the app's current screen (runs joined, entities decoded)."""
    svg = app.export_screenshot()
    return html.unescape("".join(_TEXT.findall(svg))).replace("\xa0", " ")
