"""Cluster table cells: hostile names stay inert text, missing things say MISSING, sorting
keeps clusters together. Pure functions: no server, no running app."""

from __future__ import annotations

from rich.text import Text

from natstui.core.cluster_models import (
    ClusterSnapshot,
    ConnRow,
    GatewayLink,
    JetStreamMeta,
    MetaReplica,
    RouteLink,
    ServerRow,
)
from natstui.widgets import cluster_rows as rows
from natstui.widgets.cluster_interval import parse_interval
from natstui.widgets.cluster_status import PollState, status_line

HOSTILE = "[bold red]x[/]\x1b[2J\x1b]52;c;cGF3bmVk\x07"


def plain(cell: Text | str) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def test_hostile_server_names_are_shown_literally_without_escapes() -> None:
    row = ServerRow(name=HOSTILE, cluster=HOSTILE, version=HOSTILE)
    cells = [plain(c) for c in rows.server_cells(row)]
    assert cells[0].startswith("[bold red]x[/]")  # markup not interpreted
    assert all("\x1b" not in c and "\x07" not in c for c in cells)
    assert "\\x1b" in cells[0]
    link = RouteLink(cluster=HOSTILE, source=HOSTILE, remote=HOSTILE)
    assert all("\x1b" not in plain(c) for c in rows.route_cells(link))
    conn = ConnRow(cid=1, name=HOSTILE, account=HOSTILE, user=HOSTILE, lang=HOSTILE)
    assert all("\x1b" not in plain(c) for c in rows.conn_cells(conn))
    meta = JetStreamMeta(name=HOSTILE, leader=HOSTILE, replicas=(MetaReplica(HOSTILE),))
    assert "\x1b" not in rows.meta_summary(meta).plain


def test_missing_things_say_missing() -> None:
    server = ServerRow(name="c1-3", cluster="c1", missing=True, health="missing")
    cells = [plain(c) for c in rows.server_cells(server)]
    assert cells[2] == "MISSING" and cells[5] == "—"
    route = RouteLink("c1", "c1-1", "c1-3", missing=True)
    assert plain(rows.route_cells(route)[-1]) == "MISSING"
    gateway = GatewayLink("eu", "eu-1", "us", "outbound", missing=True)
    assert plain(rows.gateway_cells(gateway)[-1]) == "MISSING"
    assert (
        plain(rows.replica_cells(JetStreamMeta("m", "a"), MetaReplica("b", offline=True))[3])
        == "YES"
    )


def test_route_summary_per_cluster() -> None:
    snap = ClusterSnapshot(
        source="system",
        servers=(ServerRow("a", cluster="c1"), ServerRow(HOSTILE, cluster="c2")),
        routes=(
            RouteLink("c1", "a", "b", connections=4),
            RouteLink("c1", "b", "a", missing=True),
            RouteLink("c2", HOSTILE, "z", connections=1),
        ),
    )
    text = rows.route_summary(snap).plain
    assert text.splitlines() == ["c1 1/2 routes up · missing: b→a", "c2 1/1 routes up"]
    assert rows.route_summary(ClusterSnapshot(source="http")).plain.startswith("No routes")


def test_sort_inside_clusters() -> None:
    servers = (
        ServerRow("b-1", cluster="b", connections=5),
        ServerRow("a-1", cluster="a", connections=1),
        ServerRow("a-2", cluster="a", connections=9),
        ServerRow("solo", cluster="", connections=100),
        ServerRow("b-2", cluster="b", connections=None, missing=True),
    )
    by_conns = [s.name for s in rows.sort_servers(servers, "conns", reverse=True)]
    assert by_conns == ["a-2", "a-1", "b-1", "b-2", "solo"]
    by_name = [s.name for s in rows.sort_servers(servers, "name", reverse=False)]
    assert by_name == ["a-1", "a-2", "b-1", "b-2", "solo"]
    assert [s.name for s in rows.sort_servers(servers, "nonsense", False)] == by_name


def test_every_column_sorts_a_mixed_table() -> None:
    servers = (ServerRow("x", missing=True), ServerRow("y", cpu=3.0, history=(1.0,)))
    for key in rows.COLUMN_KEYS:
        assert len(rows.sort_servers(servers, key, reverse=False)) == 2


def test_interval_parsing() -> None:
    assert parse_interval(" 5s ") == 5.0
    assert parse_interval("0.5") == 0.5
    for bad in ("", "abc", "0.1", "99999", "-2"):
        try:
            parse_interval(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def age_style(text: Text) -> str:
    start = text.plain.index("updated")
    styles = [str(s.style) for s in text.spans if s.start <= start < s.end]
    return styles[0] if styles else ""


def test_status_line_says_age_interval_pause_and_failures() -> None:
    snap = ClusterSnapshot(
        source="system",
        servers=(ServerRow("a"), ServerRow("b", missing=True)),
        routes=(RouteLink("c1", "a", "b", missing=True),),
        missing_servers=("b",),
        expected=2,
        answered=1,
        taken_at=100.0,
        gather_s=0.038,
    )
    live = status_line(snap, PollState(True, 2.0, False), now=101.4)
    assert live.plain == (
        "system · 1/2 servers · 1 missing · 1 routes missing · updated 1s ago · gather 38ms"
        " · every 2s"
    )
    stale = status_line(snap, PollState(True, 2.0, False, "timeout"), now=107.0)
    assert stale.plain.endswith("updated 7s ago · gather 38ms · every 2s · refresh failed: timeout")
    assert age_style(stale) == "bold red"  # older than three intervals
    assert age_style(live) == ""
    paused = status_line(snap, PollState(True, 2.0, True), now=200.0)
    assert "paused" in paused.plain and age_style(paused) == ""  # old on purpose: not alarming
    assert status_line(None, PollState(False, 2.0, False), 0).plain.startswith(
        "Cluster: not connected"
    )
