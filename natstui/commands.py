"""Command palette provider: app-wide commands plus whatever the tabs offer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from natstui.app import NatsTuiApp


@dataclass(frozen=True)
class PaletteCommand:
    """One entry: the text shown, what it does, and a line of help."""

    name: str
    callback: Callable[[], Any]
    help: str = ""


class NatsCommands(Provider):
    """Offers `NatsTuiApp.palette_commands()` in the command palette."""

    def _commands(self) -> list[PaletteCommand]:
        app: NatsTuiApp = self.app  # type: ignore[assignment]
        return app.palette_commands()

    async def discover(self) -> Hits:
        for cmd in self._commands():
            yield DiscoveryHit(cmd.name, cmd.callback, help=cmd.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for cmd in self._commands():
            score = matcher.match(cmd.name)
            if score > 0:
                yield Hit(score, matcher.highlight(cmd.name), partial(cmd.callback), help=cmd.help)
