"""Fuzz the profile editor's form: any field values validate to a Profile or a FieldError.

The editor validates as you type with `profile_form.validate`, and highlights the widget that
`widget_for_field(error.field)` names (a CSS id query), so an error must name a field that maps
to a usable widget id. A valid form round-trips through `profile_to_form`. The file side of the
same validation (TOML profiles) is fuzzed in tests/unit/test_config_fuzz.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natstui.overrides import from_env
from natstui.profile_form import (
    FormValues,
    form_to_profile,
    profile_to_form,
    validate,
    widget_for_field,
)
from natstui.profile_toml import FieldError

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
CSS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
TEXT = st.text(max_size=25) | st.sampled_from(
    ["", " ", "env://", "env://A B", "env://NATS_PW", "file://", "file:///tmp/x", "~/a.creds"]
)
KINDS = st.sampled_from(["none", "user_password", "token", "nkey", "creds", "jwt", "bogus", ""])
SECRET_ATTRS = ("password", "token", "nkey_seed", "creds", "jwt", "seed")
FORM: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["prod", "", "a b", "é", "x" * 80]) | TEXT,
    "description": TEXT,
    "servers": st.sampled_from(
        ["nats://127.0.0.1:4222", "a:1, b:2", "", "nats://u:p@h:1", "http://x", "tls://[::1]:1"]
    )
    | TEXT,
    "connect_timeout": st.sampled_from(["2", "0", "-1", "nan", "inf", "1e999", "x", ""]) | TEXT,
    "inbox_prefix": st.sampled_from(["_INBOX", "a.>", "a b", "", "_INBOX.me"]) | TEXT,
    "subscriptions": st.sampled_from(["a.>", "a..b", "a, b.*", ""]) | TEXT,
    "monitor_urls": st.sampled_from(["http://127.0.0.1:8222", "ftp://x", ""]) | TEXT,
    "tls-enabled": st.booleans(),
    "tls-verify": st.booleans(),
    "tls-handshake_first": st.booleans(),
    **{f"tls-{k}": TEXT for k in ("ca_file", "cert_file", "key_file", "server_name")},
    **{f"{p}-kind": KINDS for p in ("auth", "sys")},
    **{f"{p}-user": st.sampled_from(["app", "", " "]) | TEXT for p in ("auth", "sys")},
    **{f"{p}-{a}": TEXT for p in ("auth", "sys") for a in SECRET_ATTRS},
}


@FUZZ
@given(st.fixed_dictionaries({}, optional=FORM))
def test_editor_form_validates_to_a_profile_or_names_a_widget(values: FormValues) -> None:
    error = validate(values)
    if error is not None:
        assert isinstance(error, FieldError) and error.message
        widget = widget_for_field(error.field)
        assert CSS_ID.match(widget), f"{error.field!r} maps to an unusable widget id {widget!r}"
        return
    profile = form_to_profile(values)
    again = profile_to_form(profile)
    assert validate(again) is None
    assert form_to_profile(again) == profile


BROKEN_URLS = [
    ("servers", "nats://[::1"),
    ("servers", "nats://["),
    ("servers", "[::1"),
    ("servers", "nats://[zz]:1"),
    ("monitor_urls", "http://[::1"),
    ("monitor_urls", "http://[zz]:8222"),
]


@pytest.mark.parametrize(("field", "url"), BROKEN_URLS)
def test_half_typed_ipv6_urls_are_field_errors(field: str, url: str) -> None:
    error = validate({"name": "v6", field: url})
    assert isinstance(error, FieldError) and error.field.startswith(field)
    if field == "servers":
        with pytest.raises(FieldError):
            from_env({"NATS_URL": url})
