"""Fuzz the monitoring replies: `$SYS` envelopes, HTTP bodies, INFO, CONNZ, all the way to rows.

A server of another version, a proxy, or a hostile peer in the system account can send anything:
malformed or cut-short JSON, gzip that is not gzip, error envelopes, NaN and 1e999, strings where
numbers belong, objects where lists belong. Every reply must either become part of a snapshot
(fields read as unknown when they have the wrong type) or be reported as a `ReplyError` line;
nothing else may escape, since one bad server must not blank the whole Cluster tab. The models
that come out are then rendered into the tables' cells, which must hold no control character.

Shapes follow NATS-REFERENCE §1-2: STATSZ `{server, statsz}`, other endpoints
`{server, data, error}`, HTTP bodies bare.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.aio.msg import Msg
from rich.text import Text

from natstui.core.cluster_models import ConnzQuery
from natstui.core.monitor import _report_from_info
from natstui.core.monitor_build import RefreshInfo, SnapshotBuilder
from natstui.core.monitor_connz import parse_connz, parse_filter, varz_detail
from natstui.core.monitor_gather import GatherResult
from natstui.core.monitor_http import http_get_json
from natstui.core.monitor_parse import ReplyError, parse_duration, parse_envelope
from natstui.core.monitor_sys import ExpectedServers, SystemGather, _absorb, active_servers
from natstui.widgets import cluster_rows as rows
from natstui.widgets.safe import safe_text

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Field names the parsers look for, so that generated objects often hit real code paths.
FIELDS = (
    "server_name",
    "server_id",
    "name",
    "id",
    "host",
    "cluster",
    "ver",
    "version",
    "uptime",
    "start",
    "now",
    "cpu",
    "mem",
    "cores",
    "connections",
    "total_connections",
    "subscriptions",
    "in_msgs",
    "out_msgs",
    "in_bytes",
    "out_bytes",
    "slow_consumers",
    "active_servers",
    "routes",
    "remotes",
    "gateways",
    "leafnodes",
    "leafs",
    "outbound_gateways",
    "inbound_gateways",
    "jetstream",
    "config",
    "meta",
    "meta_cluster",
    "leader",
    "cluster_size",
    "replicas",
    "current",
    "offline",
    "active",
    "lag",
    "rtt",
    "pending_size",
    "remote_id",
    "remote_name",
    "did_solicit",
    "num_connections",
    "connections_list",
    "conns",
    "cid",
    "kind",
    "ip",
    "port",
    "account",
    "user",
    "lang",
    "tls_version",
    "idle",
    "subscriptions_list",
    "status",
    "errors",
    "error",
    "code",
    "description",
    "data",
    "statsz",
    "sent",
    "received",
    "msgs",
    "bytes",
    "streams",
    "consumers",
    "disabled",
    "memory",
    "storage",
    "total",
    "limit",
    "offset",
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["1h2m3s", "3d4h", "169µs", "-1s", "1e999", "NaN", "ok", "error", ""]),
    # Values that break naive int()/float() handling, drawn often on purpose.
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -1, 2**64, True, "12"]),
)


def json_values(depth: int = 12) -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=8))
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=depth,
    )


# Objects keyed only by real field names: most draws then reach a parser's typed getters.
FIELD_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=8)
    ),
    max_leaves=25,
)
DATA = st.dictionaries(st.sampled_from(FIELDS), FIELD_VALUES, min_size=1, max_size=14)


def server_infos() -> st.SearchStrategy[Any]:
    good = st.fixed_dictionaries(
        {},
        optional={
            "name": st.sampled_from(["n1", "n2", "n3", "\x1b[31mred", ""]) | SCALARS,
            "id": st.sampled_from(["ID1", "ID2", "ID3"]) | SCALARS,
            "cluster": st.sampled_from(["c1", "c2", ""]) | SCALARS,
            "ver": st.just("2.15.1") | SCALARS,
        },
    )
    return good | json_values(4)


def bodies() -> st.SearchStrategy[Any]:
    """An object shaped like a STATSZ / VARZ / ROUTEZ / ... reply, with wrong types mixed in."""
    data = DATA | st.dictionaries(st.sampled_from(FIELDS), json_values(), max_size=10)
    return (
        st.fixed_dictionaries(
            {},
            optional={
                "server": server_infos(),
                "data": data | SCALARS,
                "statsz": data | SCALARS,
                "error": st.none() | json_values(3),
            },
        )
        | json_values()
    )


def encode(value: Any, cut: int | None, zipped: bool) -> bytes:
    raw = json.dumps(value, allow_nan=True).encode()
    if cut is not None:
        raw = raw[: cut % (len(raw) + 1)]
    return gzip.compress(raw) if zipped else raw


@st.composite
def replies(draw: st.DrawFn) -> tuple[bytes, dict[str, str] | None]:
    """One wire reply: a body (maybe cut short, maybe gzipped, maybe raw bytes) and headers."""
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=200))
    else:
        data = encode(draw(bodies()), draw(st.none() | st.integers(0, 400)), draw(st.booleans()))
    headers = draw(
        st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "Content-Encoding": st.sampled_from(["gzip", "x-gzip", "br", ""]),
                "Status": st.sampled_from(["503", "200", "408", "100", "x"]),
                # nats-py splits header lines on CR/LF: a value never holds one.
                "Description": st.text(max_size=10).filter(lambda t: not set(t) & set("\r\n")),
            },
        )
    )
    return data, headers


def msg(data: bytes, headers: dict[str, str] | None) -> Msg:
    return Msg(_client=None, subject="_INBOX.x", data=data, headers=headers)  # type: ignore[arg-type]


def assert_safe(cell: object) -> None:
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    bad = [c for c in plain if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
    assert not bad, f"control characters reach a cell: {plain!r}"


def render_everything(builder: SnapshotBuilder, reports: list[Any], info: RefreshInfo) -> None:
    snap = builder.build(reports, info)
    for server in rows.sort_servers(snap.servers, "cpu", reverse=False):
        for cell in rows.server_cells(server):
            assert_safe(cell)
    for link in snap.routes:
        for cell in rows.route_cells(link):
            assert_safe(cell)
    for gateway in snap.gateways:
        for cell in rows.gateway_cells(gateway):
            assert_safe(cell)
    for leaf in snap.leafs:
        for cell in rows.leaf_cells(leaf):
            assert_safe(cell)
    assert_safe(rows.meta_summary(snap.jetstream))
    if snap.jetstream is not None:
        for replica in (None, *snap.jetstream.replicas):
            for cell in rows.replica_cells(snap.jetstream, replica):
                assert_safe(cell)


# --- $SYS envelopes ----------------------------------------------------------------------------
@FUZZ
@given(replies())
def test_envelope_parses_or_says_why(reply: tuple[bytes, dict[str, str] | None]) -> None:
    data, headers = reply
    try:
        env = parse_envelope(data, headers)
    except ReplyError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(env.server, dict) and isinstance(env.data, dict)
    assert isinstance(env.server_name, str) and isinstance(env.server_id, str)


ENDPOINTS = ("statsz", "varz", "routez", "gatewayz", "leafz", "jsz", "healthz", "connz")


@settings(FUZZ, max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(ENDPOINTS), replies()), max_size=6), st.integers(1, 2))
def test_system_replies_become_a_snapshot_or_error_lines(
    answers: list[tuple[str, tuple[bytes, dict[str, str] | None]]], refreshes: int
) -> None:
    builder = SnapshotBuilder()
    expected = ExpectedServers()
    for n in range(refreshes):  # twice or more: rates and missing servers need a baseline
        result = SystemGather()
        for endpoint, (data, headers) in answers:
            m = msg(data, headers)
            expected(m)
            active_servers(m)
            _absorb(result, endpoint, GatherResult((m,), 0.0, "expected", None))
        info = RefreshInfo("system", now=float(n + 1), errors=tuple(result.errors))
        render_everything(builder, list(result.reports.values()), info)
        for line in result.errors:
            assert "\n" not in line


# Every known field, each present about half the time with any scalar, a nested object or a
# list of them: dense enough that each typed getter meets NaN, 1e999, text and null.
ROW = st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, SCALARS))
FLAT = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(FIELDS, SCALARS | SCALARS | ROW | st.lists(ROW, max_size=2))
)


def build_from_parts(parts: dict[str, dict[str, Any]], name: str) -> None:
    """Wrap each endpoint's data in a well-formed envelope; build twice and render."""
    builder = SnapshotBuilder()
    for n in range(2):  # the second build has rate baselines
        result = SystemGather()
        for endpoint, data in parts.items():
            body = {"server": {"name": name, "id": "ID1", "cluster": "c1"}, "data": data}
            raw = json.dumps(body, allow_nan=True).encode()
            _absorb(result, endpoint, GatherResult((msg(raw, None),), 0.0, "expected", None))
        info = RefreshInfo("system", now=float(n + 1))
        render_everything(builder, list(result.reports.values()), info)


@settings(FUZZ, max_examples=25)
@given(st.dictionaries(st.sampled_from(ENDPOINTS), FLAT, min_size=1), st.sampled_from(["n1", ""]))
def test_any_scalar_in_any_field(parts: dict[str, dict[str, Any]], name: str) -> None:
    """Well-formed envelopes whose fields hold any JSON scalar (NaN, 1e999, text, null, -1)."""
    build_from_parts(parts, name)


TRAPS = (float("inf"), float("nan"), 2**64, -1, "12", True, None, [])
IDENTITY = ("name", "server_name", "server_id", "id", "cluster", "remote_name", "remote_id")


def test_every_field_of_every_endpoint_with_every_trap() -> None:
    """Exhaustive where random draws are thin: every field a parser might read holds the same
    bad value (top level and inside route / gateway / leaf / connection / replica entries),
    for every endpoint and every trap; only the identity fields stay sane."""
    failures = []
    for endpoint in ENDPOINTS:
        for trap in TRAPS:
            row = {k: trap for k in FIELDS if k not in IDENTITY} | {"remote_name": "n2"}
            nested = {
                "routes": [row],
                "leafs": [row],
                "connections": [row],
                "outbound_gateways": {"c2": row},
                "meta_cluster": {**row, "replicas": [row]},
            }
            for data in (row, nested):
                try:
                    build_from_parts({endpoint: data}, "n1")
                except AssertionError:
                    raise
                except Exception as exc:
                    failures.append(f"{endpoint}={trap!r}: {type(exc).__name__}: {exc}")
    assert not failures, f"{len(failures)} poisoned replies raise, e.g. {failures[:6]}"


@FUZZ
@given(DATA | json_values(20))
def test_server_info_of_a_plain_user(info: Any) -> None:
    """The limited source builds a row from the connection's INFO block."""
    if not isinstance(info, dict):
        info = {"server_name": "n1", "x": info}
    info.setdefault("server_name", "n1")
    report = _report_from_info(info)
    render_everything(SnapshotBuilder(), [report], RefreshInfo("limited", now=1.0))


# --- drill-down: CONNZ pages, VARZ detail, the connections filter -----------------------------
@FUZZ
@given(DATA | json_values(25), st.sampled_from(["msgs_from", "idle", "subs"]), st.text(max_size=10))
def test_connz_and_varz_detail(data: Any, sort: str, needle: str) -> None:
    data = data if isinstance(data, dict) else {"connections": data}
    query = ConnzQuery(sort=sort, text=needle)
    page = parse_connz("n1", query, data)
    for conn in page.rows:
        for cell in rows.conn_cells(conn):
            assert_safe(cell)
    detail = varz_detail("n1", data)
    for label, value in detail.fields:  # the drill-down screen shows them through safe_text
        assert isinstance(label, str) and isinstance(value, str)
        assert_safe(safe_text(value))


@FUZZ
@given(st.text(max_size=60))
def test_connections_filter_text(text: str) -> None:
    try:
        query = parse_filter(text, ConnzQuery())
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(query, ConnzQuery)


@FUZZ
@given(st.one_of(st.text(max_size=30), SCALARS))
def test_durations(value: Any) -> None:
    seconds = parse_duration(value)
    assert seconds is None or isinstance(seconds, float)


# --- HTTP monitoring: a real HTTP server that answers with fuzzed bodies ----------------------
class _Body:
    status = 200
    data = b""
    encoding = ""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(_Body.status)
        if _Body.encoding:
            self.send_header("Content-Encoding", _Body.encoding)
        self.send_header("Content-Length", str(len(_Body.data)))
        self.end_headers()
        self.wfile.write(_Body.data)

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        return


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@settings(FUZZ, max_examples=60)
@given(replies(), st.sampled_from([200, 200, 503, 404, 500]))
def test_http_bodies(http_url: str, reply: tuple[bytes, dict[str, str] | None], code: int) -> None:
    data, headers = reply
    _Body.status, _Body.data = code, data
    _Body.encoding = (headers or {}).get("Content-Encoding", "")
    try:
        value = http_get_json(f"{http_url}/varz", 5.0)
    except ReplyError as exc:
        assert str(exc)
        return
    assert isinstance(value, dict)
    from natstui.core.monitor_parse import ServerReport

    report = ServerReport(name="n1", url=http_url, parts=dict.fromkeys(ENDPOINTS, value))
    render_everything(SnapshotBuilder(), [report], RefreshInfo("http", now=1.0))
