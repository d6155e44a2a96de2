"""Fuzz what operators type: subjects, queue groups, the tail's subscribe line, header lines,
payload templates, the publish form, the request form's numbers and expectations, buffer sizes,
the `NATS_*` environment layer, the Cluster refresh interval, the `[settings]` table, the
tail export's file name and the Publish tab's payload file.

Each input either comes out valid, with the property that makes it safe to send (no white space
or control character reaches a protocol line, wildcards only where NATS allows them), or is
refused with the input path's own error type and a message; never another exception, which in
the app would be a crash or a dropped connection.

Already fuzzed elsewhere and not repeated here: profile TOML files (tests/unit/test_config_fuzz.py),
template compile/literal round trip and header dict round trip (tests/unit/test_templates_props.py).
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natstui.core.headers import MAX_HEADER_BYTES, HeaderError, parse_headers
from natstui.core.profile import Profile
from natstui.core.publish import PublishError, PublishForm, prepare_publish
from natstui.core.requests import RequestError, check_request_subject, parse_expected
from natstui.core.subjects import (
    SubjectError,
    subject_matches,
    validate_publish_subject,
    validate_queue_group,
    validate_subscribe_subject,
)
from natstui.core.tail_buffer import limits_from_env, parse_size
from natstui.core.tail_export import ExportError, resolve_export_path
from natstui.core.templates import MAX_RANDOM, RenderContext, TemplateError, compile_template
from natstui.overrides import apply, from_env
from natstui.profile_toml import FieldError
from natstui.settings import settings_from_table
from natstui.widgets.cluster_interval import MAX_INTERVAL, MIN_INTERVAL, parse_interval
from natstui.widgets.publish_tab import _read_file
from natstui.widgets.tail_subs import parse_subscription

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Text that looks like subjects: tokens of subject-ish characters, dots, wildcards, white space,
# control characters, non-ASCII letters and digits (including ² and ٣, which isdigit() accepts).
SUBJECTISH = st.text(
    alphabet=st.sampled_from(list("ab.*>_-$ \t\r\n\x00\x1b\x7f\u00a0é日²٣:/,9")), max_size=30
)
ANY_TEXT = st.text(max_size=60)
UNSAFE = re.compile("[\x00-\x20\x7f]")
# The server splits protocol lines on white space; a queue group may hold DEL, subjects may not.
WHITE_OR_C0 = re.compile("[\x00-\x20]")


def _subject_inputs() -> st.SearchStrategy[str]:
    return SUBJECTISH | ANY_TEXT


@FUZZ
@given(_subject_inputs())
def test_subscribe_subject(subject: str) -> None:
    try:
        validate_subscribe_subject(subject)
    except SubjectError as exc:
        assert str(exc)
        return
    tokens = subject.split(".")
    assert not UNSAFE.search(subject) and all(tokens)
    assert all(t in ("*", ">") or not set(t) & set("*>") for t in tokens)
    assert ">" not in tokens[:-1]
    assert subject_matches(subject, subject.replace(">", "x").replace("*", "y"))


@FUZZ
@given(_subject_inputs())
def test_publish_subject(subject: str) -> None:
    try:
        validate_publish_subject(subject)
    except SubjectError as exc:
        assert str(exc)
        return
    assert not UNSAFE.search(subject) and "*" not in subject and ">" not in subject
    assert all(subject.split("."))
    assert subject_matches(subject, subject) and subject_matches(">", subject)
    check_request_subject(subject)  # what is publishable can be requested


@FUZZ
@given(_subject_inputs())
def test_queue_group(queue: str) -> None:
    try:
        validate_queue_group(queue)
    except SubjectError as exc:
        assert str(exc)
        return
    assert queue and not WHITE_OR_C0.search(queue)


@FUZZ
@given(_subject_inputs())
def test_tail_subscribe_line(text: str) -> None:
    """The tail's "SUBJECT [QUEUE]" input."""
    try:
        subject, queue = parse_subscription(text)
    except SubjectError as exc:
        assert str(exc)
        return
    validate_subscribe_subject(subject)
    assert queue is None or not WHITE_OR_C0.search(queue)


@FUZZ
@given(_subject_inputs())
def test_request_subject(subject: str) -> None:
    try:
        checked = check_request_subject(subject)
    except RequestError as exc:
        assert str(exc)
        return
    validate_publish_subject(checked)


HEADER_LINES = st.lists(
    st.one_of(
        ANY_TEXT,
        st.builds(
            lambda k, v: f"{k}:{v}",
            st.text(alphabet=st.sampled_from(list("Nats-Msg-Id X_y:é \t#")), max_size=12),
            st.text(max_size=30),
        ),
    ),
    max_size=8,
).map("\n".join)


@FUZZ
@given(HEADER_LINES | ANY_TEXT)
def test_header_lines(text: str) -> None:
    try:
        headers = parse_headers(text)
    except HeaderError as exc:
        assert str(exc)
        return
    size = 0
    for name, value in headers.items():
        assert name and not UNSAFE.search(name) and ":" not in name
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f]", value), "control char in a value"
        size += len(name.encode()) + len(value.encode()) + 4
    assert size <= MAX_HEADER_BYTES
    lowered = [n.lower() for n in headers]
    assert len(lowered) == len(set(lowered))


# Templates: fields with real and broken names and arguments, mixed with literal text.
FIELD_BODY = st.one_of(
    st.sampled_from(["Count", "Cnt", "ID", "Time", "TimeStamp", "Unix", "UnixNano", "Random"]),
    st.builds(
        lambda a, b: f"Random {a} {b}",
        st.sampled_from(["0", "1", "5", "-1", "x", "1e3", str(MAX_RANDOM + 1), "٣"]),
        st.sampled_from(["0", "3", "10", "-2", "y", "", str(MAX_RANDOM)]),
    ),
    st.text(max_size=10),
)
TEMPLATES = st.lists(
    st.one_of(ANY_TEXT, FIELD_BODY.map(lambda body: "{{" + body + "}}"), st.just("{{")),
    max_size=5,
).map("".join)


@FUZZ
@given(TEMPLATES, st.integers(1, 10**6))
def test_templates(text: str, count: int) -> None:
    try:
        template = compile_template(text)
    except TemplateError as exc:
        assert "template at character" in str(exc)
        return
    rendered = template.render(RenderContext(count, 1_700_000_000_000_000_000))
    assert isinstance(rendered, str)


@settings(FUZZ, max_examples=100)
@given(
    subject=_subject_inputs(),
    payload=TEMPLATES,
    headers=HEADER_LINES,
    reply=st.sampled_from(["", "reply.x", "bad reply", "_INBOX.>"]),
    count=st.integers(-5, 2_000_000),
    interval=st.floats(allow_nan=True, allow_infinity=True),
    templates=st.booleans(),
)
def test_publish_form(
    subject: str,
    payload: str,
    headers: str,
    reply: str,
    count: int,
    interval: float,
    templates: bool,
) -> None:
    form = PublishForm(subject, payload, headers, reply, count, interval, templates)
    try:
        prepared = prepare_publish(form, max_payload=1024 * 1024)
    except PublishError as exc:
        assert str(exc)
        return
    validate_publish_subject(prepared.subject)
    data, sent_headers = prepared.message(1, 0)
    assert isinstance(data, bytes)
    for value in (sent_headers or {}).values():
        assert not re.search("[\r\n]", value), "a header template rendered a line break"


@FUZZ
@given(
    SUBJECTISH | ANY_TEXT,
    st.lists(st.text(max_size=5), max_size=3),
)
def test_request_expectation(text: str, baseline: list[str]) -> None:
    """The Request tab's Expect field: a count, names, or empty for who answered before."""
    try:
        expectation = parse_expected(text, baseline)
    except RequestError as exc:
        assert str(exc)
        return
    assert expectation.count is None or expectation.count >= 0


def test_request_expectation_superscript_digit() -> None:
    """'²' is AltGr+2 on many European keyboards; str.isdigit() accepts it, int() does not."""
    with pytest.raises(RequestError):
        parse_expected("²")


@FUZZ
@given(SUBJECTISH | ANY_TEXT | st.sampled_from(["64M", "1.5k", "0", "-1", "1e9", "nan", "inf"]))
def test_buffer_size_settings(text: str) -> None:
    """NATSTUI_TAIL_MAX_MESSAGES / _BYTES: a bad value falls back with a problem line."""
    try:
        assert parse_size(text) >= 1
    except ValueError as exc:
        assert str(exc)
    count, size, problems = limits_from_env(
        {"NATSTUI_TAIL_MAX_MESSAGES": text, "NATSTUI_TAIL_MAX_BYTES": text}
    )
    assert count >= 1 and size >= 1
    assert all(isinstance(p, str) and p for p in problems)


ENV_NAMES = ("NATS_URL", "NATS_USER", "NATS_PASSWORD", "NATS_TOKEN", "NATS_CREDS", "NATS_CA")


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(ENV_NAMES),
        SUBJECTISH
        | ANY_TEXT
        | st.sampled_from(["nats://a:1,tls://b:2", "nats://u:p@h:1", "http://x", ",", "h:99999"]),
        max_size=4,
    )
)
def test_nats_environment_layer(env: dict[str, str]) -> None:
    """`NATS_*` variables over a profile: applied, or refused with the field that is wrong."""
    try:
        layer = from_env(env)
    except FieldError as exc:
        assert exc.field and exc.message
        return
    profile = apply(Profile(name="p"), layer)
    assert profile.servers
    if env.get("NATS_PASSWORD"):
        secret = "env-SECRET-31337"
        shown = repr(apply(Profile(name="p"), from_env({**env, "NATS_PASSWORD": secret})))
        assert secret not in shown, "the env password was copied into the profile"


@FUZZ
@given(ANY_TEXT | st.sampled_from(["2", "0.5s", " 5 S", "nan", "inf", "1e400", "-1", "0x10"]))
def test_cluster_refresh_interval(text: str) -> None:
    try:
        seconds = parse_interval(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert MIN_INTERVAL <= seconds <= MAX_INTERVAL


EXPORT_PATHS = st.one_of(
    ANY_TEXT,
    st.sampled_from(["", "~", "/", ".", "/proc/x.jsonl", "/tmp/a\x00b.jsonl", "/tmp/" + "x" * 300]),
    st.builds(lambda name: f"/tmp/{name}.jsonl", st.text(max_size=20)),
)


@FUZZ
@given(EXPORT_PATHS)
def test_tail_export_path(text: str) -> None:
    """The export dialog's file name: a writable new file, or ExportError with the reason."""
    try:
        path = resolve_export_path(text)
    except ExportError as exc:
        assert str(exc)
        return
    assert isinstance(path, Path)


# Run in a child with a memory cap: an unbounded read of a device must not take the test
# runner (or the machine) down with it.
_READ_IN_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 29, 1 << 29))
from natstui.core.publish import PublishError
from natstui.widgets.publish_tab import _read_file
try:
    data = _read_file(sys.argv[1])
except PublishError as exc:
    print("PublishError:", exc)
else:
    print("read", len(data))
"""


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom", "/tmp/a\\x00b"])
def test_publish_file_payload_from_special_files(path: str) -> None:
    path = path.replace("\\x00", "\x00")
    if "\x00" in path:
        with pytest.raises(PublishError):
            _read_file(path)
        return
    child = subprocess.run(
        [sys.executable, "-c", _READ_IN_CHILD, path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.stdout.startswith("PublishError:"), child.stdout + child.stderr[-300:]


@pytest.mark.parametrize("value", ["1G", "5G", "100000000000"])
def test_tail_message_cap_has_a_sane_maximum(value: str) -> None:
    count, _, problems = limits_from_env({"NATSTUI_TAIL_MAX_MESSAGES": value})
    assert problems and count <= 10**8, "an unallocatable buffer size was accepted"
    settings, errors = settings_from_table({"tail_max_messages": value})
    assert errors and settings.tail_max_messages <= 10**8


SETTING_VALUES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | SUBJECTISH
    | st.sampled_from(["64M", "1.5k", "0", "-1", "inf", "nan", "2", "0.1"])
    | st.lists(st.integers(), max_size=2)
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["tail_max_messages", "tail_max_bytes", "cluster_interval", "bogus"]),
        SETTING_VALUES,
    )
)
def test_settings_table(table: dict[str, object]) -> None:
    """`[settings]` in the profile file: every bad value is named and keeps its default."""
    settings, errors = settings_from_table(table)
    assert settings.tail_max_messages >= 1 and settings.tail_max_bytes >= 1
    assert math.isfinite(settings.cluster_interval) and settings.cluster_interval > 0
    for error in errors:
        assert error.field.startswith("settings.") and error.message
