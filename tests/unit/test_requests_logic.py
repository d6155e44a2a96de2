"""Pure request logic: responder identification, outliers, missing list, stop decisions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from natstui.core.publish import PublishError, PublishForm, prepare_publish
from natstui.core.requests import (
    GatherHistory,
    GatherResult,
    GatherSpec,
    Reply,
    RequestError,
    check_request_subject,
    expected_from_replies,
    find_outliers,
    identify_responder,
    missing_responders,
    parse_expected,
)


def reply(i: int, doc: Any, headers: dict[str, str] | None = None) -> Reply:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return Reply(i, 0.001 * i, "_INBOX.x", data, headers, identify_responder(data, headers))


@pytest.mark.parametrize(
    ("data", "headers", "expected"),
    [
        (b'{"server": {"name": "n1", "id": "X"}}', None, "n1"),
        (b'{"type": "io.nats.micro.v1.ping_response", "name": "svc", "id": "ab"}', None, "svc/ab"),
        (b'{"id": "eu-3", "fps": 30}', None, "eu-3"),
        (b'{"instance": "i-9"}', None, "i-9"),
        (b'{"id": "t2", "region": "eu", "fps": 30}', None, "eu/t2"),
        (b'{"fps": 30}', None, None),
        (b"plain text", {"X-Responder": "r7"}, "r7"),
        (b'{"id": "inside"}', {"Responder": "header-wins"}, "header-wins"),
        (b"[1,2]", None, None),
        (b'{"id": true}', None, None),
    ],
)
def test_identify(data: bytes, headers: dict[str, str] | None, expected: str | None) -> None:
    assert identify_responder(data, headers) == expected


def test_outliers_extra_key_missing_key_and_value() -> None:
    base = {"status": "ok", "fps": 30, "codec": "h264"}
    replies = [
        reply(0, {**base, "id": "a"}),
        reply(1, {**base, "id": "b"}),
        reply(2, {**base, "id": "c", "error": "disk full"}),
        reply(3, {"id": "d", "status": "ok", "fps": 30}),
        reply(4, {**base, "id": "e", "status": "degraded"}),
    ]
    out = find_outliers(replies)
    assert set(out) == {2, 3, 4}
    assert "extra key error" in out[2]
    assert "missing key codec" in out[3]
    assert any(n.startswith('status = "degraded"') for n in out[4])


def test_no_outliers_when_values_all_differ() -> None:
    # Counters differ everywhere: no majority value, so nobody is singled out.
    replies = [reply(i, {"id": str(i), "uptime": 100 + i}) for i in range(5)]
    assert find_outliers(replies) == {}


def test_numbers_that_differ_from_a_batch_majority_are_not_outliers() -> None:
    # Five replies share a timestamp (published in one batch), two do not: that is not news.
    replies = [reply(i, {"id": str(i), "ts": 1000.5, "status": "ok"}) for i in range(5)]
    replies += [reply(5, {"id": "5", "ts": 1000.7, "status": "ok"})]
    replies += [reply(6, {"id": "6", "ts": 1000.9, "status": "degraded"})]
    assert find_outliers(replies) == {6: ['status = "degraded" (most: "ok")']}


def test_a_number_where_most_have_a_string_is_flagged() -> None:
    replies = [reply(i, {"id": str(i), "state": "up"}) for i in range(3)]
    replies.append(reply(3, {"id": "3", "state": 1}))
    assert find_outliers(replies) == {3: ['state = 1 (most: "up")']}


def test_non_json_and_status_flagged() -> None:
    replies = [reply(i, {"id": str(i), "ok": True}) for i in range(4)]
    replies.append(reply(4, b"not json"))
    replies.append(
        reply(
            5,
            {"id": "5", "ok": True},
            {"Nats-Service-Error": "boom", "Nats-Service-Error-Code": "500"},
        )
    )
    out = find_outliers(replies)
    assert out[4] == ["not a JSON object (most are)"]
    assert out[5] == ["status 500 boom"]


def test_too_few_replies_have_no_majority() -> None:
    assert find_outliers([reply(0, {"a": 1}), reply(1, {"b": 2})]) == {}


def test_nested_values_compared() -> None:
    replies = [reply(i, {"id": str(i), "cfg": {"mode": "fast"}}) for i in range(3)]
    replies.append(reply(3, {"id": "3", "cfg": {"mode": "slow"}}))
    assert find_outliers(replies)[3] == ['cfg.mode = "slow" (most: "fast")']


def test_missing_responders_in_given_order() -> None:
    replies = [reply(0, {"id": "b"}), reply(1, {"id": "d"})]
    assert missing_responders(["a", "b", "c", "d", "a"], replies) == ["a", "c"]


def test_history_baseline_accumulates_per_subject() -> None:
    hist = GatherHistory()
    spec = GatherSpec("svc.stats")
    hist.add(GatherResult(spec, (reply(0, {"id": "a"}), reply(1, {"id": "b"})), "gap", 0.4))
    hist.add(GatherResult(spec, (reply(0, {"id": "c"}),), "gap", 0.4))
    assert hist.baseline("svc.stats") == ["a", "b", "c"]
    assert hist.baseline("other") == []


def test_stop_wait_is_time_after_last_reply() -> None:
    result = GatherResult(GatherSpec("x"), (reply(1, {}), reply(3, {})), "gap", 0.5)
    assert result.stop_wait == pytest.approx(0.497)


@pytest.mark.parametrize("subject", ["", "a.*", "a.>", "a..b", "a b"])
def test_request_subject_rejected(subject: str) -> None:
    with pytest.raises(RequestError, match="subject"):
        check_request_subject(subject)


@pytest.mark.parametrize(
    ("form", "needle"),
    [
        (PublishForm("a.>"), "subject: cannot publish to a wildcard"),
        (PublishForm("a", reply="r.*"), "reply-to: cannot publish to a wildcard"),
        (PublishForm("a", count=0), "count must be between"),
        (PublishForm("a", interval=-1), "interval must be between"),
        (PublishForm("a", headers="oops"), "header line 1"),
        (PublishForm("a", payload="{{Bad}}"), "payload: template"),
        (PublishForm("a", headers="X-A: {{Nope}}"), "header X-A: template"),
        (PublishForm("a", payload="x" * 2000), "at most 1,000 (max_payload)"),
    ],
)
def test_prepare_publish_errors(form: PublishForm, needle: str) -> None:
    with pytest.raises(PublishError) as info:
        prepare_publish(form, max_payload=1000)
    assert needle in str(info.value)


def test_prepare_publish_counts_headers_against_max_payload() -> None:
    form = PublishForm("a", payload="x" * 990, headers="X-A: " + "y" * 20)
    with pytest.raises(PublishError, match="max_payload"):
        prepare_publish(form, max_payload=1000)


def test_prepare_publish_renders_templates_per_message() -> None:
    prepared = prepare_publish(PublishForm("a", payload="n{{Count}}", headers="X-N: {{Count}}"))
    assert prepared.message(3) == (b"n3", {"X-N": "3"})
    raw = prepare_publish(PublishForm("a", payload="n{{Count}}", templates=False))
    assert raw.message(3) == (b"n{{Count}}", None)


@pytest.mark.parametrize(
    ("text", "baseline", "names", "count"),
    [
        ("", [], (), None),
        ("", ["a", "b"], ("a", "b"), 2),
        ("12", ["a"], (), 12),
        ("a, b c,a", [], ("a", "b", "c"), 3),
    ],
)
def test_parse_expected(
    text: str, baseline: list[str], names: tuple[str, ...], count: int | None
) -> None:
    got = parse_expected(text, baseline)
    assert (got.names, got.count) == (names, count)


def test_parse_expected_rejects_zero() -> None:
    with pytest.raises(RequestError, match="at least 1"):
        parse_expected("0")


def test_expected_from_statsz_replies() -> None:
    statsz = [
        reply(i, {"server": {"name": f"n{i}"}, "statsz": {"active_servers": 3}}) for i in range(2)
    ]
    assert expected_from_replies(statsz) == 3
    assert expected_from_replies([reply(0, {"statsz": {"active_servers": True}})]) is None
    assert expected_from_replies([reply(0, b"x")]) is None


@pytest.mark.parametrize("text", ["²", "٣", "1²"])
def test_parse_expected_odd_digits_say_why(text: str) -> None:
    with pytest.raises(RequestError, match="digits 0-9"):
        parse_expected(text)


@pytest.mark.parametrize("stop", ["count", "gap", "deadline", "no_responders", "error", "limit"])
def test_stop_text_without_gap_or_count(stop: str) -> None:
    # An empty Gap / Stop-at-N field: the summary must still be written for every stop reason.
    spec = GatherSpec("x", gap=None, max_replies=None)
    assert GatherResult(spec, (), stop, 1.0, "boom").stop_text()  # type: ignore[arg-type]
