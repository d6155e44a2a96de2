"""Parsing monitoring replies: real-shaped envelopes, gzip, error envelopes, 503, bad JSON."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from natstui.core.monitor_parse import (
    ReplyError,
    ServerReport,
    decompress,
    duration_ms,
    integer,
    items,
    number,
    obj,
    parse_duration,
    parse_envelope,
    status_error,
    text,
)

# Shaped like nats-server 2.15.1 replies captured from a real cluster (trimmed).
SERVER = {
    "name": "eu-1",
    "host": "127.0.0.1",
    "id": "NDRPWXOFPRHCXRLIRWWDUCIU6B5N4ONNAXU2PXKNZT65Q6I5LG6AIYFZ",
    "cluster": "eu",
    "ver": "2.15.1",
    "jetstream": True,
    "flags": 7,
    "seq": 24,
    "time": "2026-12-04T15:40:23.709413876Z",
}
VARZ_REPLY: dict[str, Any] = {
    "server": SERVER,
    "data": {
        "server_id": SERVER["id"],
        "server_name": "eu-1",
        "version": "2.15.1",
        "uptime": "7s",
        "connections": 1,
        "in_msgs": 37,
    },
}
STATSZ_REPLY: dict[str, Any] = {
    "server": SERVER,
    "statsz": {
        "start": "2026-12-04T15:40:16Z",
        "mem": 18956288,
        "active_servers": 4,
        "routes": [{"rid": 9, "name": "eu-2", "pending": 0}],
    },
}
ERROR_REPLY = {
    "server": SERVER,
    "data": None,
    "error": {"code": 500, "description": "invalid sorting option: bogus"},
}


def encode(body: Any) -> bytes:
    return json.dumps(body).encode()


def test_varz_envelope() -> None:
    env = parse_envelope(encode(VARZ_REPLY))
    assert env.server_name == "eu-1"
    assert env.server_id == SERVER["id"]
    assert env.data["in_msgs"] == 37


def test_statsz_envelope_uses_the_statsz_object() -> None:
    env = parse_envelope(encode(STATSZ_REPLY))
    assert env.data["active_servers"] == 4


def test_gzip_reply_is_decompressed() -> None:
    env = parse_envelope(gzip.compress(encode(VARZ_REPLY)), {"Content-Encoding": "gzip"})
    assert env.data["server_name"] == "eu-1"


def test_bad_gzip_is_a_reply_error() -> None:
    with pytest.raises(ReplyError, match="gzip"):
        parse_envelope(b"not gzip at all", {"Content-Encoding": "gzip"})


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import natstui.core.monitor_parse as mp

    monkeypatch.setattr(mp, "MAX_REPLY_BYTES", 1000)
    with pytest.raises(ReplyError, match="larger than"):
        decompress(gzip.compress(b"0" * 100_000), {"Content-Encoding": "gzip"})


def test_error_envelope_names_the_server_and_the_error() -> None:
    with pytest.raises(ReplyError) as err:
        parse_envelope(encode(ERROR_REPLY))
    assert str(err.value) == "eu-1: error 500: invalid sorting option: bogus"


def test_no_responders_status() -> None:
    with pytest.raises(ReplyError, match="no responders"):
        parse_envelope(b"", {"Status": "503"})
    assert status_error({"Status": "408", "Description": "Request Timeout"}) == (
        "status 408 Request Timeout"
    )
    assert status_error(None) is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty reply"),
        (encode(VARZ_REPLY)[:40], "malformed JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"server": {}, "data": [1]}', "no data object"),
        (b'{"server": "x"}', "no data object"),
        (b"\xff\xfe", "malformed JSON"),
    ],
)
def test_unusable_replies(data: bytes, reason: str) -> None:
    with pytest.raises(ReplyError, match=reason):
        parse_envelope(data)


def test_partial_reply_with_unexpected_types_reads_as_unknown() -> None:
    env = parse_envelope(b'{"server": 5, "data": {"connections": "many", "mem": true}}')
    assert env.server_name == ""
    assert integer(env.data, "connections") is None
    assert integer(env.data, "mem") is None  # a bool is not a number


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7s", 7.0),
        ("169µs", 169e-6),
        ("169μs", 169e-6),
        ("3.257889ms", 3.257889e-3),
        ("1h2m3.5s", 3723.5),
        ("3d4h5m6s", 3 * 86400 + 4 * 3600 + 5 * 60 + 6),
        ("1y2d", 367 * 86400.0),
        ("0s", 0.0),
        ("12ns", 12e-9),
        ("", None),
        ("fast", None),
        ("5 s", None),
        ("5sx", None),
        (5, None),
        (None, None),
    ],
)
def test_durations(value: object, seconds: float | None) -> None:
    result = parse_duration(value)
    if seconds is None:
        assert result is None
    else:
        assert result == pytest.approx(seconds)


def test_typed_getters() -> None:
    d = {"i": 3, "f": 2.5, "s": "x", "o": {"a": 1}, "l": [{"a": 1}, 2, "x"], "rtt": "2ms"}
    assert integer(d, "f") == 2 and number(d, "i") == 3.0 and number(d, "s") is None
    assert text(d, "s") == "x" and text(d, "i") == ""
    assert obj(d, "o") == {"a": 1} and obj(d, "l") == {}
    assert items(d, "l") == [{"a": 1}] and items(d, "o") == []
    assert duration_ms(d, "rtt") == pytest.approx(2.0)
    assert integer(None, "x") is None


def test_report_absorbs_identity_from_the_first_envelope() -> None:
    report = ServerReport(name="eu-1")
    report.absorb("varz", parse_envelope(encode(VARZ_REPLY)))
    assert report.cluster == "eu" and report.version == "2.15.1"
    assert report.part("varz")["uptime"] == "7s"
    assert report.part("routez") == {}


def test_monitor_urls_never_show_credentials() -> None:
    from natstui.core.monitor_http import http_get_json, safe_url

    assert safe_url("http://bob:s3cret@10.0.0.1:8222/varz") == "http://***@10.0.0.1:8222/varz"
    assert safe_url("http://10.0.0.1:8222") == "http://10.0.0.1:8222"
    with pytest.raises(ReplyError) as err:
        http_get_json("http://bob:s3cret@127.0.0.1:abc/varz", 0.5)
    assert "s3cret" not in str(err.value)


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"1" + b"0" * 400])
def test_non_finite_numbers_read_as_unknown(raw: bytes) -> None:
    env = parse_envelope(b'{"server": {}, "data": {"mem": ' + raw + b"}}")
    assert integer(env.data, "mem") is None
    assert number(env.data, "mem") is None
