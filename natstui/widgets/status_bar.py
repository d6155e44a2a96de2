"""The always-visible status bar: profile, server, TLS state, user, RTT, reconnects, last error."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from natstui.core.connection import ConnectionState
from natstui.core.textsafe import printable

_STATUS_STYLE = {
    "connected": "bold green",
    "connecting": "bold yellow",
    "reconnecting": "bold yellow",
    "disconnected": "bold red",
    "failed": "bold white on red",
    "closed": "dim",
    "idle": "dim",
}


def tls_badge(state: ConnectionState) -> Text:
    """TLS on/off, loud when the link is plaintext or verification is off."""
    if state.status not in ("connected", "reconnecting"):
        return Text("")
    if not state.tls:
        return Text(" PLAINTEXT ", style="bold white on red")
    if not state.tls_verify:
        return Text(" TLS UNVERIFIED ", style="bold white on red")
    return Text(f"TLS {state.tls_version or ''}".strip(), style="green")


def render_status(state: ConnectionState) -> Text:
    """One line describing the connection; every wire-derived string is escaped."""
    parts: list[Text] = [
        Text(printable(state.profile), style="bold"),
        Text(state.status, style=_STATUS_STYLE.get(state.status, "")),
    ]
    if state.url:
        where = state.url
        if state.server_name:
            where += f" ({state.server_name}"
            where += f", {state.cluster})" if state.cluster else ")"
        parts.append(Text(printable(where)))
    badge = tls_badge(state)
    if badge.plain:
        parts.append(badge)
    if state.user or state.account:
        who = f"{state.user or '?'}@{state.account or '?'}"
        parts.append(Text(printable(who), style="cyan"))
    if state.system_connection or state.is_system:
        parts.append(Text("SYS", style="magenta"))
    if state.rtt_ms is not None:
        parts.append(Text(f"rtt {state.rtt_ms:.1f}ms"))
    parts.append(Text(f"reconnects {state.reconnects}"))
    if state.last_error:
        parts.append(Text(printable(f"last error: {state.last_error}"), style="red"))
    return Text(" │ ").join(parts)


class StatusBar(Static):
    """Shows the latest ConnectionState."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    def show(self, state: ConnectionState) -> None:
        self.update(render_status(state))
