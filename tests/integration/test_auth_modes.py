"""Every auth mode and TLS mode connects to a real nats-server, and the state says who we are."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import nkeys
import pytest

from natstui.core.connection import NatsSession
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats
from natstui.demo.operator import Identity, operator_mode
from tests.helpers import MakeNats, profile_for, wait_for


@pytest.fixture
async def connected() -> AsyncIterator[list[NatsSession]]:
    """Collects sessions a test opened and closes them afterwards."""
    sessions: list[NatsSession] = []
    yield sessions
    for session in sessions:
        await session.close()


async def connect(profile: Profile, sessions: list[NatsSession]) -> NatsSession:
    session = NatsSession(replace(profile, connect_timeout=3.0))
    sessions.append(session)
    await session.connect()
    assert session.state.status == "connected"
    return session


async def test_token_from_env(
    make_nats: MakeNats, monkeypatch: pytest.MonkeyPatch, connected: list[NatsSession]
) -> None:
    # Token auth cannot share a config with accounts: its own node, account $G.
    local = make_nats(auth_config='authorization { token: "tok-3f9a" }')
    monkeypatch.setenv("NATSTUI_TEST_TOKEN", "tok-3f9a")
    auth = Auth(kind=AuthKind.TOKEN, token=SecretRef(env="NATSTUI_TEST_TOKEN"))
    session = await connect(profile_for(local, auth=auth), connected)
    assert session.state.account == "$G"


async def test_user_password_from_file(
    nats_single: LocalNats, tmp_path: Path, connected: list[NatsSession]
) -> None:
    secret = tmp_path / "pw"
    secret.write_text(nats_single.app_password + "\n")
    auth = Auth(kind=AuthKind.USER_PASSWORD, user="app", password=SecretRef(file=str(secret)))
    session = await connect(profile_for(nats_single, auth=auth), connected)
    assert (session.state.user, session.state.account) == ("app", "APP")
    assert session.state.system_connection and session.sys_nc is not None
    assert session.monitor_nc is session.sys_nc


async def test_system_user_uses_one_connection(
    nats_single: LocalNats, connected: list[NatsSession]
) -> None:
    session = await connect(profile_for(nats_single, system=True), connected)
    assert session.state.is_system and session.monitor_nc is session.nc


@pytest.mark.parametrize("form", ["file", "inline"])
async def test_nkey_seed(
    make_nats: MakeNats, tmp_path: Path, form: str, connected: list[NatsSession]
) -> None:
    user = Identity.create(nkeys.PREFIX_BYTE_USER)
    local = make_nats(auth_config=f"accounts {{ APP: {{ users: [{{nkey: {user.public_key}}}] }} }}")
    if form == "file":
        seed_file = tmp_path / "user.nk"
        seed_file.write_text(user.seed)
        ref = SecretRef(file=str(seed_file))
    else:
        ref = SecretRef(inline=Secret(user.seed))
    session = await connect(
        profile_for(local, auth=Auth(kind=AuthKind.NKEY, nkey_seed=ref)), connected
    )
    assert session.state.account == "APP"


async def test_creds_file_operator_mode(
    make_nats: MakeNats, tmp_path: Path, connected: list[NatsSession]
) -> None:
    setup = operator_mode()
    local = make_nats(auth_config=setup.auth_config)
    creds = tmp_path / "app.creds"
    creds.write_text(setup.app_user.creds_text())
    auth = Auth(kind=AuthKind.CREDS, creds=SecretRef(file=str(creds)))
    session = await connect(profile_for(local, auth=auth), connected)
    assert session.state.account is not None and session.state.account.startswith("A")


async def test_jwt_and_seed_operator_mode(
    make_nats: MakeNats, monkeypatch: pytest.MonkeyPatch, connected: list[NatsSession]
) -> None:
    setup = operator_mode()
    local = make_nats(auth_config=setup.auth_config)
    monkeypatch.setenv("NATSTUI_TEST_SEED", setup.app_user.seed)
    auth = Auth(
        kind=AuthKind.JWT,
        jwt=SecretRef(inline=Secret(setup.app_user.jwt)),
        seed=SecretRef(env="NATSTUI_TEST_SEED"),
    )
    session = await connect(profile_for(local, auth=auth), connected)
    assert session.nc is not None and session.nc.is_connected


async def test_tls_with_custom_ca(nats_tls: LocalNats, connected: list[NatsSession]) -> None:
    session = await connect(profile_for(nats_tls), connected)
    assert session.state.tls and (session.state.tls_version or "").startswith("TLS")


async def test_mutual_tls(make_nats: MakeNats, connected: list[NatsSession]) -> None:
    local = make_nats(tls=True, verify=True)
    session = await connect(profile_for(local), connected)
    assert session.state.tls


async def test_tls_handshake_first(make_nats: MakeNats, connected: list[NatsSession]) -> None:
    local = make_nats(tls=True, handshake_first=True)
    profile = profile_for(local)
    assert profile.tls.handshake_first
    session = await connect(profile, connected)
    assert session.state.tls


async def test_failover_keeps_subscriptions(
    nats_cluster3: LocalNats, connected: list[NatsSession]
) -> None:
    session = await connect(profile_for(nats_cluster3, system_auth=None), connected)
    states: list[str] = []
    session.add_listener(lambda state: states.append(state.status))
    nc = session.nc
    assert nc is not None
    got: list[bytes] = []

    async def on_msg(msg: object) -> None:
        got.append(msg.data)  # type: ignore[attr-defined]

    await nc.subscribe("failover.test", cb=on_msg)
    await nc.flush()
    first = session.state.server_name
    index = [s.name for s in nats_cluster3.servers].index(first)
    nats_cluster3.kill(index)
    await wait_for(lambda: "reconnecting" in states, timeout=5)
    await wait_for(lambda: session.state.status == "connected" and session.state.reconnects == 1)
    assert session.state.server_name != first

    async def delivered() -> bool:
        await nc.publish("failover.test", b"after")
        await nc.flush()
        await asyncio.sleep(0.05)  # poll interval of this predicate, not synchronisation
        return b"after" in got

    await wait_for(delivered, timeout=5)
