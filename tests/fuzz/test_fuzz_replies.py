"""Fuzz the replies other services send: `$SRV` PING/INFO/STATS and scatter-gather answers.

A `$SRV` reply is usable (an `Instance`) or ignored (`None`, counted as unparsed); nothing may
raise, whatever a Go, Python or broken service puts in it (ADR-32 shapes with wrong types,
NaN, 1e999, 9-digit fractions, `"metadata": null`). Grouping and the tables' number formats
take whatever parsing produced. Scatter-gather replies: naming the responder, flattening and
the majority-difference check, and the summary line for every way a gather can end with any
spec the form can produce.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natstui.core.requests import (
    GatherResult,
    GatherSpec,
    Reply,
    find_outliers,
    flatten_json,
    identify_responder,
)
from natstui.core.services import group_instances, parse_reply, parse_time
from natstui.widgets.request_replies import gather_summary
from natstui.widgets.services_tables import format_age, format_ns

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TRAPS = st.sampled_from([float("inf"), float("-inf"), float("nan"), 2**64, -1, True, "12", None])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | TRAPS
)
TIMES = st.sampled_from(
    ["2024-05-01T10:00:00.123456789Z", "2024-05-01T10:00:00Z", "yesterday", "", "2024-13-45T99"]
)
ENDPOINT = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["stats", "", "x"]) | SCALARS,
        "subject": st.sampled_from(["monitor.stats", "", "a.b"]) | SCALARS,
        "queue_group": st.just("q") | SCALARS,
        "num_requests": SCALARS,
        "num_errors": SCALARS,
        "processing_time": SCALARS,
        "average_processing_time": SCALARS,
        "last_error": SCALARS,
        "data": SCALARS,
        "metadata": st.none() | st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
    },
)
SRV_REPLY = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            [
                "io.nats.micro.v1.ping_response",
                "io.nats.micro.v1.info_response",
                "io.nats.micro.v1.stats_response",
                "other",
            ]
        )
        | SCALARS,
        "name": st.sampled_from(["transcoder", "\x1b[31mevil"]) | SCALARS,
        "id": st.sampled_from(["A1", "B2"]) | SCALARS,
        "version": st.just("1.0.0") | SCALARS,
        "description": SCALARS,
        "metadata": st.none() | st.dictionaries(st.text(max_size=4), SCALARS, max_size=3),
        "started": TIMES | SCALARS,
        "endpoints": st.lists(ENDPOINT | SCALARS, max_size=3) | SCALARS,
    },
)


def wire(value: Any, cut: int | None) -> bytes:
    raw = json.dumps(value, allow_nan=True).encode()
    return raw if cut is None else raw[:cut]


@FUZZ
@given(st.lists(st.tuples(SRV_REPLY, st.none() | st.integers(0, 200)), max_size=6))
def test_service_replies_parse_or_are_ignored(docs: list[tuple[Any, int | None]]) -> None:
    instances = []
    for doc, cut in docs:
        instance = parse_reply(wire(doc, cut))
        if instance is not None:
            assert instance.name and instance.id
            instances.append(instance)
    for group in group_instances(instances):
        for summary in group.endpoints:
            format_ns(summary.average_processing_time_ns)
            assert isinstance(summary.num_requests, int)
    for instance in instances:
        if instance.started is not None:
            format_age(instance.started.timestamp())


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), 1e999])
def test_service_stats_with_infinite_counter(value: float) -> None:
    doc = {
        "type": "io.nats.micro.v1.stats_response",
        "name": "svc",
        "id": "A1",
        "endpoints": [{"name": "e", "subject": "e", "num_requests": value}],
    }
    instance = parse_reply(json.dumps(doc).encode())
    assert instance is not None and instance.endpoints[0].num_requests == 0


@FUZZ
@given(st.binary(max_size=120) | TIMES.map(str.encode))
def test_arbitrary_bytes_as_service_reply(data: bytes) -> None:
    instance = parse_reply(data)
    assert instance is None or (instance.name and instance.id)
    parse_time(data.decode("utf-8", "replace"))


JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "name", "server", "status", "region", "type", "x"]), inner
        )
    ),
    max_leaves=12,
)
HEADERS = st.none() | st.dictionaries(
    st.sampled_from(["Nats-Responder", "Status", "Nats-Service-Error", "X"]),
    st.text(max_size=8),
    max_size=3,
)


@FUZZ
@given(st.lists(st.tuples(JSON_VALUES | st.binary(max_size=30), HEADERS), max_size=6))
def test_gather_replies_are_named_and_compared(
    raw: list[tuple[Any, dict[str, str] | None]],
) -> None:
    replies = []
    for i, (value, headers) in enumerate(raw):
        data = value if isinstance(value, bytes) else json.dumps(value, allow_nan=True).encode()
        who = identify_responder(data, headers)
        assert who is None or (isinstance(who, str) and 0 < len(who) <= 80)
        if isinstance(value, dict):
            flatten_json(value)
        replies.append(Reply(i, 0.001 * i, "_INBOX.x", data, headers, who))
    outliers = find_outliers(replies)
    assert set(outliers) <= {r.index for r in replies}


STOPS = st.sampled_from(["count", "gap", "deadline", "no_responders", "error", "limit"])
SPECS = st.builds(
    GatherSpec,
    subject=st.just("a.b"),
    timeout=st.floats(0.01, 600),
    max_replies=st.none() | st.integers(1, 10**9),
    gap=st.none() | st.floats(0.01, 600),
)


@FUZZ
@given(SPECS, STOPS, st.none() | st.integers(0, 100), st.integers(0, 5))
def test_gather_summary_for_any_spec(
    spec: GatherSpec, stop: str, expected: int | None, differ: int
) -> None:
    result = GatherResult(spec, (), stop, 1.0, "boom" if stop == "error" else None)  # type: ignore[arg-type]
    text, cls = gather_summary(result, expected, [], differ)
    assert text and cls in ("-ok", "-warning", "-error")
