"""Secrets never show in repr, str or f-strings."""

from __future__ import annotations

import pickle

import pytest

from natstui.core.profile import Auth, AuthKind, Profile, ProfileError, SecretRef
from natstui.core.secret import Secret


def test_secret_hides_value_everywhere() -> None:
    s = Secret("hunter2")
    for shown in (repr(s), str(s), f"{s}", f"{s!r}", repr([s]), repr(SecretRef(inline=s))):
        assert "hunter2" not in shown
    assert s.reveal() == "hunter2"


def test_profile_repr_hides_inline_password() -> None:
    profile = Profile(
        name="p",
        auth=Auth(
            kind=AuthKind.USER_PASSWORD, user="u", password=SecretRef(inline=Secret("pw-123"))
        ),
    )
    assert "pw-123" not in repr(profile)


def test_secret_is_not_picklable() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_secret_ref_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATSTUI_TEST_PW", "from-env")
    assert SecretRef(env="NATSTUI_TEST_PW").resolve("password") == "from-env"
    monkeypatch.delenv("NATSTUI_TEST_PW")
    with pytest.raises(ProfileError, match=r"\$NATSTUI_TEST_PW is not set"):
        SecretRef(env="NATSTUI_TEST_PW").resolve("password")


def test_secret_ref_file_error_names_file_not_value() -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        SecretRef(file="/nonexistent/secret").resolve("token")
