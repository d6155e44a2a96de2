"""$SRV reply parsing: Go timestamps, missing data, null metadata, junk; grouping by name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from natstui.core.services import group_instances, parse_reply, parse_time

GO_STATS = {
    "type": "io.nats.micro.v1.stats_response",
    "name": "transcoder",
    "id": "GOID1",
    "version": "1.2.0",
    "metadata": None,
    "started": "2024-05-01T10:20:30.123456789Z",
    "endpoints": [
        {
            "name": "stats",
            "subject": "monitor.transcoders.stats",
            "queue_group": "q",
            "num_requests": 10,
            "num_errors": 1,
            "last_error": "boom",
            "processing_time": 5000,
            "average_processing_time": 500,
        }
    ],
}


def enc(doc: Any) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:20:30.123456789Z", datetime(2024, 5, 1, 10, 20, 30, 123456, UTC)),
        ("2024-05-01T10:20:30Z", datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-05-01T10:20:30.5+00:00", datetime(2024, 5, 1, 10, 20, 30, 500000, UTC)),
        ("not a time", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_time(text: object, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_go_stats_reply_without_data_and_null_metadata() -> None:
    inst = parse_reply(enc(GO_STATS))
    assert inst is not None
    assert inst.started == datetime(2024, 5, 1, 10, 20, 30, 123456, UTC)
    assert inst.metadata == ()
    (ep,) = inst.endpoints
    assert (ep.num_requests, ep.num_errors, ep.last_error) == (10, 1, "boom")
    assert ep.average_processing_time_ns == 500 and ep.has_stats
    assert inst.answered == {"STATS"}


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        enc({"type": "io.nats.micro.v1.ping_response", "name": "x"}),  # no id
        enc({"type": "something.else", "name": "x", "id": "1"}),
        b"\xff\xfe",
    ],
)
def test_junk_is_skipped(data: bytes) -> None:
    assert parse_reply(data) is None


def test_wrong_types_do_not_crash() -> None:
    doc = {**GO_STATS, "endpoints": [{"name": "e", "subject": 5, "num_requests": "many"}, 7]}
    inst = parse_reply(enc(doc))
    assert inst is not None
    assert inst.endpoints[0].num_requests == 0 and inst.endpoints[0].subject == ""


def test_grouping_merges_verbs_and_sums_endpoints() -> None:
    info = {
        "type": "io.nats.micro.v1.info_response",
        "name": "transcoder",
        "id": "GOID1",
        "version": "1.2.0",
        "description": "video",
        "metadata": {"region": "eu"},
        "endpoints": [
            {"name": "stats", "subject": "monitor.transcoders.stats", "queue_group": "q"}
        ],
    }
    other = {**GO_STATS, "id": "GOID2", "version": "1.3.0"}
    other["endpoints"] = [
        {
            **GO_STATS["endpoints"][0],
            "num_requests": 30,
            "average_processing_time": 100,
            "last_error": "",
        }
    ]
    ping = {
        "type": "io.nats.micro.v1.ping_response",
        "name": "other",
        "id": "Z",
        "version": "0.1.0",
    }
    insts = [parse_reply(enc(d)) for d in (info, GO_STATS, other, ping)]
    groups = group_instances(i for i in insts if i is not None)
    assert [g.name for g in groups] == ["other", "transcoder"]
    tc = groups[1]
    assert tc.versions == ("1.2.0", "1.3.0")
    assert [i.id for i in tc.instances] == ["GOID1", "GOID2"]
    first = tc.instances[0]
    assert first.answered == {"INFO", "STATS"}
    assert first.description == "video" and first.metadata == (("region", "eu"),)
    (ep,) = tc.endpoints
    assert (ep.instances, ep.num_requests, ep.num_errors) == (2, 40, 2)
    assert ep.average_processing_time_ns == (500 * 10 + 100 * 30) // 40
    assert ep.last_error == "boom"
    assert groups[0].endpoints == ()


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1e999])
def test_non_finite_counters_count_as_zero(value: float) -> None:
    doc = {**GO_STATS, "endpoints": [{"name": "e", "subject": "e", "num_requests": value}]}
    inst = parse_reply(json.dumps(doc).encode())
    assert inst is not None and inst.endpoints[0].num_requests == 0
