"""Subject and queue-group validation and wildcard matching (no server)."""

from __future__ import annotations

import pytest

from natstui.core.subjects import (
    SubjectError,
    subject_matches,
    validate_publish_subject,
    validate_queue_group,
    validate_subscribe_subject,
)


@pytest.mark.parametrize(
    "subject", ["orders", "orders.*", "transcoder.>", "a.*.c", ">", "$SRV.PING"]
)
def test_valid_subscribe_subjects(subject: str) -> None:
    assert validate_subscribe_subject(subject) == subject


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        ("", "empty"),
        ("orders..new", "empty token"),
        (".orders", "empty token"),
        ("orders.", "empty token"),
        ("orders new", "white space"),
        ("orders\tnew", "white space"),
        ("orders\r\nPUB x 1", "white space"),
        ("a.>.c", "last token"),
        ("orders*", "whole tokens"),
        ("a.b>", "whole tokens"),
        ("x" * 5000, "longer than"),
    ],
)
def test_invalid_subscribe_subjects_say_why(subject: str, why: str) -> None:
    with pytest.raises(SubjectError, match=why):
        validate_subscribe_subject(subject)


@pytest.mark.parametrize("subject", ["orders.*", "transcoder.>", "*"])
def test_publish_rejects_wildcards(subject: str) -> None:
    with pytest.raises(SubjectError, match="wildcard"):
        validate_publish_subject(subject)


def test_publish_accepts_plain_subject() -> None:
    assert validate_publish_subject("orders.new.eu") == "orders.new.eu"


def test_queue_group_rules() -> None:
    assert validate_queue_group("workers") == "workers"
    for bad in ("", "two words", "nl\n"):
        with pytest.raises(SubjectError):
            validate_queue_group(bad)


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("orders.*", "orders.new", True),
        ("orders.*", "orders.new.eu", False),
        ("orders.*", "orders", False),
        ("orders.>", "orders.new.eu", True),
        ("orders.>", "orders", False),
        (">", "anything.at.all", True),
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.b.d", False),
        ("a.b", "a.b", True),
        ("a.b", "a.b.c", False),
        ("*.b.>", "x.b.y.z", True),
    ],
)
def test_subject_matches(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected
