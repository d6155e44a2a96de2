"""Read what is on a Textual screen as plain text, from `App.export_screenshot()`'s SVG.

Rich writes each styled run of a line as its own `<text>` element with `&#160;` for spaces;
joining the runs in document order and unescaping gives text that substring checks can use.
"""

from __future__ import annotations

import html
import re

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tests.helpers import wait_for

_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def screen_text(app: App[object]) -> str:
    """The visible text of the app's current screen (runs joined, entities decoded)."""
    svg = app.export_screenshot()
    return html.unescape("".join(_TEXT.findall(svg))).replace("\xa0", " ")


async def show_tab(app: App[object], pilot: Pilot[None], tab_id: str) -> None:
    """Switch to a main tab once the start-up focus has settled, and check the switch stuck.

    Guards the tab-focus contract: a focus landing in the pane just left makes TabbedContent
    switch back to it (the app now sets focus synchronously on every switch).
    """
    await wait_for(lambda: app.focused is not None and app.focused.id == "cluster-servers")
    await pilot.pause()
    app.action_show_tab(tab_id)  # type: ignore[attr-defined]
    tabs = app.query_one(TabbedContent)
    for _ in range(3):
        await pilot.pause()
    assert tabs.active == tab_id, f"switch to {tab_id} was undone"
