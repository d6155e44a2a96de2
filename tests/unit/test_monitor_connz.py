"""Drill-down helpers, number formats and the expected-server count learnt from STATSZ."""

from __future__ import annotations

import json
from typing import Any

import pytest
from nats.aio.msg import Msg

from natstui.core import monitor_format as fmt
from natstui.core.cluster_models import ConnzQuery
from natstui.core.monitor_connz import (
    connz_body,
    connz_params,
    parse_connz,
    parse_filter,
    varz_detail,
)
from natstui.core.monitor_sys import ExpectedServers, active_servers

CONNZ: dict[str, Any] = {
    "num_connections": 2,
    "total": 120,
    "connections": [
        {
            "cid": 9,
            "kind": "Client",
            "ip": "127.0.0.1",
            "port": 42724,
            "rtt": "1.02ms",
            "name": "transcoder-eu-1",
            "account": "APP",
            "authorized_user": "app",
            "lang": "python3",
            "version": "2.16.0",
            "in_msgs": 5,
            "pending_bytes": 12,
        },
        {
            "cid": 10,
            "kind": "Client",
            "ip": "10.1.1.1",
            "port": 1,
            "name": "billing",
            "account": "BILL",
            "lang": "go",
        },
        "not a connection",
    ],
}


def test_parse_connz_rows_and_total() -> None:
    page = parse_connz("eu-1", ConnzQuery(), CONNZ)
    assert page.total == 120 and len(page.rows) == 2
    first = page.rows[0]
    assert first.cid == 9 and first.address == "127.0.0.1:42724" and first.user == "app"
    assert first.rtt_ms == pytest.approx(1.02) and first.pending_bytes == 12


@pytest.mark.parametrize(
    ("needle", "cids"),
    [("transcoder", [9]), ("bill", [10]), ("GO", [10]), ("10.1.1", [10]), ("nothing", [])],
)
def test_text_filter_is_applied_locally(needle: str, cids: list[int]) -> None:
    page = parse_connz("eu-1", ConnzQuery(text=needle), CONNZ)
    assert [r.cid for r in page.rows] == cids


def test_filter_syntax() -> None:
    base = ConnzQuery(sort="bytes_to", limit=25, offset=50)
    q = parse_filter("acc:APP subj:transcoder.*.stats eu", base)
    assert (q.account, q.subject, q.text, q.sort, q.limit, q.offset) == (
        "APP",
        "transcoder.*.stats",
        "eu",
        "bytes_to",
        25,
        0,
    )
    assert parse_filter("", base).account == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("subj:foo", "needs an account"),
        ("acc:APP subj:foo..bar", "subject filter"),
        ("acc:APP subj:>.foo", "subject filter"),
    ],
)
def test_bad_filters_explain_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_filter(text, ConnzQuery())


def test_request_options_for_both_transports() -> None:
    q = ConnzQuery(sort="bogus", limit=10, offset=20, account="APP", subject="a.>")
    assert connz_body(q) == {
        "sort": "msgs_from",
        "limit": 10,
        "offset": 20,
        "auth": True,
        "acc": "APP",
        "filter_subject": "a.>",
    }
    assert connz_params(ConnzQuery(sort="idle")) == {
        "sort": "idle",
        "limit": 50,
        "offset": 0,
        "auth": 1,
    }


def test_varz_detail_survives_a_sparse_varz() -> None:
    detail = varz_detail("x", {"server_name": "x", "mem": 2048, "cpu": 3})
    fields = dict(detail.fields)
    assert fields["cpu / mem"].startswith("3% · 2.0 KiB")
    assert fields["uptime"] == fmt.DASH


@pytest.mark.parametrize(
    ("func", "value", "shown"),
    [
        (fmt.size, 512, "512 B"),
        (fmt.size, 1536, "1.5 KiB"),
        (fmt.size, None, fmt.DASH),
        (fmt.count, 999, "999"),
        (fmt.count, 12345, "12.3k"),
        (fmt.count, 2.5, "2.5"),
        (fmt.rate, 1500.0, "1.5k/s"),
        (fmt.byte_rate, 2048, "2.0 KiB/s"),
        (fmt.duration, 93784, "1d2h"),
        (fmt.duration, 59, "59s"),
        (fmt.duration, 0, "0s"),
        (fmt.millis, 0.169, "169µs"),
        (fmt.millis, 12.34, "12.3ms"),
        (fmt.percent, 7.4, "7%"),
    ],
)
def test_formats(func: Any, value: Any, shown: str) -> None:
    assert func(value) == shown


def test_sparkline_scales_to_its_maximum_and_keeps_the_tail() -> None:
    assert fmt.sparkline([0, 5, 10], width=3) == "▁▅█"
    assert fmt.sparkline([0, 0]) == "▁▁"
    assert fmt.sparkline([]) == ""
    assert len(fmt.sparkline(list(range(100)), width=12)) == 12


def statsz_msg(name: str, cluster: str, routes: list[str], gateways: list[str], active: int) -> Msg:
    body = {
        "server": {"name": name, "cluster": cluster},
        "statsz": {
            "active_servers": active,
            "routes": [{"name": r} for r in routes],
            "gateways": [{"name": g} for g in gateways],
        },
    }
    return Msg(_client=None, data=json.dumps(body).encode())


def test_expected_servers_from_topology_when_active_servers_lags() -> None:
    expect = ExpectedServers()
    # Just after start-up eu-1 believes 2 servers are active, but it routes to two peers and
    # gateways to two other clusters: at least 3 + 1 + 1 servers exist.
    assert expect(statsz_msg("eu-1", "eu", ["eu-2", "eu-2", "eu-3"], ["us", "ap"], 2)) == 5
    assert expect(statsz_msg("us-1", "us", ["us-2"], ["eu", "ap"], 2)) == 6
    assert expect(statsz_msg("ap-1", "ap", [], ["eu", "us"], 9)) == 9


def test_expected_servers_ignores_garbage() -> None:
    expect = ExpectedServers()
    assert expect(Msg(_client=None, data=b"{oops")) is None
    assert active_servers(Msg(_client=None, data=b"[]")) is None
