"""Every connect failure of issue 3 against real servers: the right cause, a fix, and fast.

Each case uses `connect_timeout = 2 s` and asserts the error arrives within that bound (plus a
little slack for a loaded 2-core machine), instead of nats-py's minutes of retries.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import trustme

from natstui.core.connection import ConnectError, FailureKind, NatsSession
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats
from tests.helpers import MakeNats, profile_for

TIMEOUT = 2.0
SLACK = 0.75


SHORT = 1.0  # for the cases that must wait out the whole timeout


async def fail(profile: Profile, timeout: float = TIMEOUT) -> tuple[ConnectError, float]:
    """Connect, expect a ConnectError; return it and the time it took."""
    session = NatsSession(replace(profile, connect_timeout=timeout))
    started = time.monotonic()
    with pytest.raises(ConnectError) as info:
        await session.connect()
    elapsed = time.monotonic() - started
    assert session.state.status == "failed"
    assert info.value.fix, "every failure comes with a fix"
    assert "Traceback" not in info.value.cause
    return info.value, elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never says anything (a hung or proxied host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield int(server.getsockname()[1])
    server.close()


@pytest.fixture
def expired_tls(make_nats: MakeNats, tmp_path: Path) -> tuple[LocalNats, Path]:
    """A server whose certificate expired in 2021 (signed by a CA we trust)."""
    ca = trustme.CA()
    leaf = ca.issue_cert(
        "127.0.0.1",
        not_before=datetime.datetime(2020, 1, 1),
        not_after=datetime.datetime(2021, 1, 1),
    )
    leaf.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    leaf.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    tls = f'tls {{ cert_file: "{tmp_path}/cert.pem", key_file: "{tmp_path}/key.pem", timeout: 5 }}'
    return make_nats(extra_config=tls), tmp_path / "ca.pem"


async def test_refused_port() -> None:
    profile = Profile(name="p", servers=(f"nats://127.0.0.1:{free_port()}",), ephemeral=True)
    err, elapsed = await fail(profile)
    assert err.kind is FailureKind.REFUSED
    assert "connection refused" in err.cause and "nats-server is running" in err.fix
    assert elapsed < TIMEOUT


async def test_unknown_host_name() -> None:
    profile = Profile(name="p", servers=("nats://no-such-host.invalid:4222",), ephemeral=True)
    err, elapsed = await fail(profile)
    assert err.kind is FailureKind.DNS
    assert "cannot resolve the host name of no-such-host.invalid:4222" in err.cause
    assert elapsed < TIMEOUT + SLACK


async def test_host_that_never_answers(silent_port: int) -> None:
    profile = Profile(name="p", servers=(f"nats://127.0.0.1:{silent_port}",), ephemeral=True)
    err, elapsed = await fail(profile, SHORT)
    assert err.kind is FailureKind.TIMEOUT
    assert f"no answer from 127.0.0.1:{silent_port} within 1s" in err.cause
    assert SHORT - 0.1 <= elapsed < SHORT + SLACK


async def test_unreachable_host() -> None:
    # An IPv6 documentation address: no route on most machines (EHOSTUNREACH/ENETUNREACH);
    # where packets are silently dropped it is a timeout. Either way: plain words, in time.
    profile = Profile(name="p", servers=("nats://[2001:db8::1]:4222",), ephemeral=True)
    err, elapsed = await fail(profile, SHORT)
    assert err.kind in (FailureKind.UNREACHABLE, FailureKind.TIMEOUT)
    assert "2001:db8::1:4222" in err.cause
    assert elapsed < SHORT + SLACK


async def test_failover_to_second_server_when_first_refuses(nats_single: LocalNats) -> None:
    dead = f"nats://127.0.0.1:{free_port()}"
    profile = profile_for(nats_single, servers=(dead, *nats_single.client_urls))
    session = NatsSession(replace(profile, connect_timeout=TIMEOUT, system_auth=None))
    await session.connect()
    try:
        assert session.state.status == "connected"
        assert session.state.url == nats_single.client_urls[0]
    finally:
        await session.close()


async def test_tls_unknown_ca(nats_tls: LocalNats) -> None:
    profile = profile_for(nats_tls, system_auth=None)
    err, elapsed = await fail(replace(profile, tls=replace(profile.tls, ca_file=None)))
    assert err.kind is FailureKind.TLS_UNKNOWN_CA
    assert "signed by an unknown CA" in err.cause and "tls.ca_file" in err.fix
    assert elapsed < TIMEOUT


async def test_tls_host_name_mismatch(nats_tls: LocalNats) -> None:
    profile = profile_for(nats_tls, system_auth=None)
    err, elapsed = await fail(replace(profile, tls=replace(profile.tls, server_name="evil.test")))
    assert err.kind is FailureKind.TLS_HOSTNAME
    assert "not valid for that host name" in err.cause and "evil.test" in err.cause
    assert elapsed < TIMEOUT


async def test_tls_expired_certificate(expired_tls: tuple[LocalNats, Path]) -> None:
    local, ca = expired_tls
    profile = Profile(
        name="p",
        servers=tuple(local.client_urls),
        tls=TlsSettings(enabled=True, ca_file=str(ca)),
        ephemeral=True,
    )
    err, elapsed = await fail(profile)
    assert err.kind is FailureKind.TLS_EXPIRED
    assert "has expired" in err.cause and "renew" in err.fix
    assert elapsed < TIMEOUT


async def test_tls_server_wants_client_certificate(make_nats: MakeNats) -> None:
    local = make_nats(tls=True, verify=True)
    profile = profile_for(local, system_auth=None)
    no_cert = replace(profile.tls, cert_file=None, key_file=None)
    err, elapsed = await fail(replace(profile, tls=no_cert))
    assert err.kind is FailureKind.TLS_CLIENT_CERT
    assert "requires a client certificate" in err.cause and "tls.cert_file" in err.fix
    assert elapsed < TIMEOUT


async def test_profile_wants_tls_but_server_is_plaintext(nats_single: LocalNats) -> None:
    profile = profile_for(nats_single, system_auth=None, tls=TlsSettings(enabled=True))
    err, elapsed = await fail(profile)
    assert err.kind is FailureKind.TLS_NOT_OFFERED
    assert "plaintext" in err.cause and "refused to continue" in err.cause
    assert elapsed < TIMEOUT


async def test_auth_violation(nats_single: LocalNats) -> None:
    bad = Auth(kind=AuthKind.USER_PASSWORD, user="app", password=SecretRef(inline=Secret("nope")))
    err, elapsed = await fail(profile_for(nats_single, system_auth=None, auth=bad))
    assert err.kind is FailureKind.AUTH
    assert "rejected the credentials" in err.cause and "password" in err.fix
    assert elapsed < TIMEOUT


async def test_missing_secret_reference_is_a_profile_error(nats_single: LocalNats) -> None:
    ref = SecretRef(env="NATSTUI_TEST_UNSET_VARIABLE")
    auth = Auth(kind=AuthKind.USER_PASSWORD, user="app", password=ref)
    err, _ = await fail(profile_for(nats_single, system_auth=None, auth=auth))
    assert err.kind is FailureKind.PROFILE
    assert "$NATSTUI_TEST_UNSET_VARIABLE is not set" in err.cause
    assert "export the variable" in err.fix


PERMISSIONS = """
accounts {
  APP: { users: [
    {user: limited, password: limited-pw, permissions: {subscribe: {deny: ["_INBOX.>"]}}}
  ] }
}
"""


async def test_permission_violation_on_inbox(make_nats: MakeNats) -> None:
    local = make_nats(auth_config=PERMISSIONS)
    auth = Auth(
        kind=AuthKind.USER_PASSWORD, user="limited", password=SecretRef(inline=Secret("limited-pw"))
    )
    err, elapsed = await fail(profile_for(local, auth=auth))
    assert err.kind is FailureKind.PERMISSION
    assert "may not subscribe to _INBOX.>" in err.cause
    assert "inbox_prefix" in err.fix
    assert elapsed < TIMEOUT


@pytest.fixture
async def loop_is_clean() -> AsyncIterator[None]:
    yield
    # No task may outlive a failed connect (nats-py tasks left behind would reconnect forever).
    current = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert not [t for t in left if "nats" in repr(t.get_coro())]


async def test_failed_tls_connect_leaves_no_tasks(nats_tls: LocalNats, loop_is_clean: None) -> None:
    profile = profile_for(nats_tls, system_auth=None)
    await fail(replace(profile, tls=replace(profile.tls, ca_file=None)))


async def test_missing_ca_file_names_the_field(nats_tls: LocalNats, tmp_path: Path) -> None:
    profile = profile_for(nats_tls, system_auth=None)
    missing = str(tmp_path / "nope" / "ca.pem")
    err, elapsed = await fail(replace(profile, tls=replace(profile.tls, ca_file=missing)))
    assert err.kind is FailureKind.PROFILE
    assert f"tls.ca_file {missing}: No such file" in err.cause and "path" in err.fix
    assert elapsed < 0.5


async def test_garbage_ca_file_names_the_field(nats_tls: LocalNats, tmp_path: Path) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate")
    profile = profile_for(nats_tls, system_auth=None)
    err, _ = await fail(replace(profile, tls=replace(profile.tls, ca_file=str(garbage))))
    assert err.kind is FailureKind.PROFILE and "tls.ca_file" in err.cause


async def test_a_silent_server_does_not_eat_the_whole_budget(
    nats_single: LocalNats, silent_port: int
) -> None:
    # nats-py shuffles the servers: over a few connects the silent one comes first at least
    # once (15/16), and the healthy one must still be reached within the timeout.
    servers = (f"nats://127.0.0.1:{silent_port}", *nats_single.client_urls)
    profile = profile_for(nats_single, system_auth=None, servers=servers)
    for _ in range(4):
        session = NatsSession(replace(profile, connect_timeout=SHORT))
        started = time.monotonic()
        await session.connect()
        assert time.monotonic() - started < SHORT
        assert session.state.url == nats_single.client_urls[0]
        await session.close()
