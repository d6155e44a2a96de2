"""The Cluster tab's status line: source, servers answered, what is missing, data age, interval.

A pure function of the tab's state, so the wording and the "stale data" rule are unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from natstui.core.cluster_models import ClusterSnapshot
from natstui.widgets.cluster_rows import MISSING_STYLE
from natstui.widgets.safe import safe_text

# Data older than this many intervals (while not paused) is shown in red: polls are failing.
STALE_INTERVALS = 3


@dataclass(frozen=True)
class PollState:
    """What the status line needs to know besides the snapshot."""

    connected: bool
    interval: float
    paused: bool
    last_error: str = ""


def status_line(snap: ClusterSnapshot | None, poll: PollState, now: float) -> Text:
    """`system · 8/9 servers · 1 missing · updated 1s ago · gather 38ms · every 2s`."""
    text = Text()
    if snap is None:
        text.append("Cluster: " + ("loading…" if poll.connected else "not connected"))
    else:
        _snapshot_part(text, snap, poll, now)
    if poll.paused:
        text.append(" · paused", style="bold yellow")
    else:
        text.append(f" · every {poll.interval:g}s")
    if poll.last_error:
        text.append(" · refresh failed: ", style="bold red")
        text.append_text(safe_text(poll.last_error, "red"))
    return text


def _snapshot_part(text: Text, snap: ClusterSnapshot, poll: PollState, now: float) -> None:
    answered = f"{snap.answered}" + (f"/{snap.expected}" if snap.expected else "")
    text.append(f"{snap.source} · {answered} servers")
    if snap.missing_servers:
        text.append(f" · {len(snap.missing_servers)} missing", style=MISSING_STYLE)
    if snap.missing_routes:
        text.append(f" · {len(snap.missing_routes)} routes missing", style=MISSING_STYLE)
    age = max(0.0, now - snap.taken_at)
    stale = age > STALE_INTERVALS * poll.interval and not poll.paused
    text.append(f" · updated {age:.0f}s ago", style="bold red" if stale else "")
    text.append(f" · gather {snap.gather_s * 1000:.0f}ms")
