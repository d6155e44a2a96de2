"""`natstui doctor` against real servers: every step passes on a good profile, the right step
fails with a fix on a bad one, and the exit code says which."""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import replace

from natstui.core.doctor import passed, run_doctor
from natstui.core.profile import Auth, AuthKind, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats
from natstui.doctor_cli import run_doctor_cli
from tests.helpers import MakeNats, profile_for


def outcome(steps: list) -> list[tuple[str, bool | None]]:  # type: ignore[type-arg]
    return [(s.name, s.ok) for s in steps]


async def test_all_steps_pass_over_tls_with_system_credentials(nats_tls: LocalNats) -> None:
    steps = await run_doctor(profile_for(nats_tls))
    assert outcome(steps) == [
        ("DNS", True),
        ("TCP", True),
        ("INFO", True),
        ("TLS", True),
        ("connect+auth", True),
        ("permissions", True),
        ("RTT", True),
        ("system connect", True),
        ("system access", True),
    ]
    info = next(s for s in steps if s.name == "INFO")
    assert "server n1" in info.detail and "version 2." in info.detail
    assert "tls_required" in info.detail and "auth_required" in info.detail
    tls = next(s for s in steps if s.name == "TLS")
    assert tls.detail.startswith("TLSv1.") and "expires in" in tls.detail
    assert "as app in account APP" in steps[4].detail
    assert passed(steps)


async def test_unknown_ca_fails_at_tls_with_fix(nats_tls: LocalNats) -> None:
    profile = profile_for(nats_tls, system_auth=None)
    steps = await run_doctor(replace(profile, tls=replace(profile.tls, ca_file=None)))
    tls = next(s for s in steps if s.name == "TLS")
    assert tls.ok is False and "unknown CA" in tls.detail and "tls.ca_file" in tls.fix
    assert not passed(steps)


async def test_wrong_password_fails_at_auth(nats_single: LocalNats) -> None:
    bad = Auth(kind=AuthKind.USER_PASSWORD, user="app", password=SecretRef(inline=Secret("x")))
    steps = await run_doctor(profile_for(nats_single, auth=bad, system_auth=None))
    assert outcome(steps)[:4] == [("DNS", True), ("TCP", True), ("INFO", True), ("TLS", None)]
    auth = steps[4]
    assert (auth.name, auth.ok) == ("connect+auth", False)
    assert "rejected the credentials" in auth.detail


async def test_tls_profile_against_plaintext_server(nats_single: LocalNats) -> None:
    steps = await run_doctor(profile_for(nats_single, tls=TlsSettings(enabled=True)))
    tls = next(s for s in steps if s.name == "TLS")
    assert tls.ok is False and "only plaintext" in tls.detail


async def test_system_credentials_that_are_not_system(nats_single: LocalNats) -> None:
    app_auth = profile_for(nats_single, system_auth=None).auth
    steps = await run_doctor(profile_for(nats_single, system_auth=app_auth))
    access = steps[-1]
    assert (access.name, access.ok) == ("system access", False)
    assert "system_account" in access.fix


async def test_handshake_first(make_nats: MakeNats) -> None:
    local = make_nats(tls=True, handshake_first=True)
    steps = await run_doctor(profile_for(local, system_auth=None))
    assert passed(steps)
    assert "(handshake first)" in next(s for s in steps if s.name == "TLS").detail


async def test_cli_exit_codes_and_json(nats_single: LocalNats) -> None:
    good = profile_for(nats_single)
    out = io.StringIO()
    assert await asyncio.to_thread(run_doctor_cli, good, out) == 0
    assert "all checks passed" in out.getvalue() and "PASS  RTT" in out.getvalue()
    dead = replace(good, servers=("nats://127.0.0.1:1",))
    out = io.StringIO()
    assert await asyncio.to_thread(run_doctor_cli, dead, out, as_json=True) == 1
    data = json.loads(out.getvalue())
    assert data["ok"] is False
    tcp = next(s for s in data["steps"] if s["step"] == "TCP")
    assert tcp["ok"] is False and "refused" in tcp["detail"]


async def test_handshake_first_server_without_it_in_the_profile(make_nats: MakeNats) -> None:
    local = make_nats(tls=True, handshake_first=True)
    profile = profile_for(local, system_auth=None, connect_timeout=1.0)
    steps = await run_doctor(replace(profile, tls=replace(profile.tls, handshake_first=False)))
    info = next(s for s in steps if s.name == "INFO")
    assert info.ok is False and "handshake_first" in info.fix
