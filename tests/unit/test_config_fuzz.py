"""Fuzz the profile file: any bytes load without raising; a broken file is never written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from natstui.config import ConfigError, load, save_profile
from natstui.core.profile import Profile

KEYS = st.sampled_from(
    [
        "servers",
        "description",
        "connect_timeout",
        "inbox_prefix",
        "subscriptions",
        "monitor_urls",
        "auth",
        "tls",
        "system_auth",
        "kind",
        "user",
        "password",
        "password_env",
        "token_file",
        "creds",
        "nkey",
        "jwt",
        "seed_env",
        "enabled",
        "ca_file",
        "cert_file",
        "key_file",
        "verify",
        "handshake_first",
        "server_name",
        "bogus",
    ]
)
SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.sampled_from(["nats://x:4222", "tls://[::1]:1", "user_password", "token", "jwt", "_INBOX"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
PROFILES = st.dictionaries(st.text(max_size=12), st.dictionaries(KEYS, VALUES, max_size=6))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(path: Path) -> None:
    before = path.read_bytes()
    loaded = load(path)  # must not raise
    for error in loaded.errors:
        assert str(path) in str(error)
    try:
        save_profile(path, Profile(name="fuzz-added"))
    except ConfigError:
        assert path.read_bytes() == before, "a file that failed to load was changed"
        return
    assert not loaded.errors, "a file with errors was written"
    assert "fuzz-added" in load(path).profiles


@SETTINGS
@given(PROFILES)
def test_structured_profiles(profiles: dict[str, dict[str, object]]) -> None:
    try:
        text = tomlkit.dumps({"profiles": profiles})
    except Exception:  # values TOML cannot hold (e.g. NaN in some versions): nothing to test
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_text(text)
        _check(path)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_bytes(b"[profiles.x]\n" + data)
        _check(path)
