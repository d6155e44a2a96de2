"""The real-server harness: topologies start, clients connect, and the node helpers do their job."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from typing import Any

import nats
import pytest
from nats.aio.client import Client, RawCredentials
from nats.aio.msg import Msg

from natstui.core.connection import connect_kwargs, transport_tls_version
from natstui.core.profile import TlsSettings
from natstui.demo import cluster
from natstui.demo.cluster import LocalNats, NatsStartError
from natstui.demo.operator import operator_mode
from natstui.demo.readiness import get_json
from tests.helpers import MakeNats, count_replies, password_auth, profile_for, wait_for


async def _quiet(*_: Any) -> None:
    return None


async def connect(local: LocalNats, *, system: bool = False, **extra: Any) -> Client:
    """A nats-py client for `local` built from profile_for (so that is tested too)."""
    kwargs = connect_kwargs(profile_for(local, system=system))
    # Reconnect on: failover tests need it (the app itself turns it on after the first connect).
    kwargs.update(
        error_cb=_quiet, allow_reconnect=True, max_reconnect_attempts=20, reconnect_time_wait=0.1
    )
    kwargs.update(extra)
    return await asyncio.wait_for(nats.connect(**kwargs), 10)


async def roundtrip(nc: Client, other: Client | None = None) -> bytes:
    """Subscribe on `nc`, publish from `other` (or `nc`) until a message arrives; return it.

    Publishing repeatedly is the sync: interest crosses routes and gateways asynchronously.
    """
    received: list[bytes] = []

    async def on_msg(msg: Msg) -> None:
        received.append(bytes(msg.data))

    sub = await nc.subscribe("harness.echo", cb=on_msg)
    await nc.flush()
    publisher = other or nc

    async def delivered() -> bool:
        await publisher.publish("harness.echo", b"hello")
        await publisher.flush()
        return bool(received)

    try:
        await wait_for(delivered, timeout=10, interval=0.05)
    finally:
        await sub.unsubscribe()
    return received[0]


async def test_single_app_user_roundtrip(nats_single: LocalNats) -> None:
    nc = await connect(nats_single)
    try:
        assert await roundtrip(nc) == b"hello"
        assert nats_single.servers[0].name == "n1"
        assert nats_single.servers[0].cluster is None
    finally:
        await nc.close()


async def test_single_wrong_password_is_refused(nats_single: LocalNats) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization"):
        await nats.connect(
            nats_single.client_urls,
            user="app",
            password="wrong",
            allow_reconnect=False,
            error_cb=_quiet,
        )


async def test_sys_user_is_in_system_account(nats_single: LocalNats) -> None:
    nc = await connect(nats_single, system=True)
    try:
        reply = await nc.request("$SYS.REQ.USER.INFO", b"", timeout=5)
        assert json.loads(reply.data)["data"]["account"] == "SYS"
    finally:
        await nc.close()


async def test_tls_server_speaks_tls_with_run_ca(nats_tls: LocalNats) -> None:
    assert nats_tls.ca_file is not None and nats_tls.ca_file.is_file()
    nc = await connect(nats_tls)
    try:
        assert transport_tls_version(nc) is not None
        assert await roundtrip(nc) == b"hello"
    finally:
        await nc.close()


async def test_tls_verify_requires_client_cert(make_nats: MakeNats) -> None:
    local = make_nats(tls=True, verify=True)
    nc = await connect(local)  # profile_for presents the client cert when verify is on
    await nc.close()
    no_cert = profile_for(local, tls=TlsSettings(enabled=True, ca_file=str(local.ca_file)))
    kwargs = connect_kwargs(no_cert)
    kwargs.update(error_cb=_quiet, allow_reconnect=False, connect_timeout=2)
    with pytest.raises(Exception):  # noqa: B017 - the TLS alert surfaces as various types
        await asyncio.wait_for(nats.connect(**kwargs), 10)


async def test_tls_handshake_first(make_nats: MakeNats) -> None:
    local = make_nats(tls=True, handshake_first=True)
    nc = await connect(local)
    try:
        assert transport_tls_version(nc) is not None
    finally:
        await nc.close()


async def test_cluster3_routes_carry_messages(nats_cluster3: LocalNats) -> None:
    assert [s.name for s in nats_cluster3.servers] == ["c1-1", "c1-2", "c1-3"]
    routez = get_json(f"{nats_cluster3.servers[0].http_url}/routez") or {}
    assert {r["remote_name"] for r in routez["routes"]} == {"c1-2", "c1-3"}
    first = await connect(nats_cluster3, servers=[nats_cluster3.client_urls[0]])
    last = await connect(nats_cluster3, servers=[nats_cluster3.client_urls[2]])
    try:
        assert await roundtrip(first, last) == b"hello"
    finally:
        await first.close()
        await last.close()


async def test_kill_then_restart_same_ports(nats_cluster3: LocalNats) -> None:
    reconnected = asyncio.Event()

    async def on_reconnect() -> None:
        reconnected.set()

    nc = await connect(
        nats_cluster3,
        servers=nats_cluster3.client_urls,
        dont_randomize=True,
        reconnected_cb=on_reconnect,
    )
    try:
        old_pid = nats_cluster3.servers[0].pid
        nats_cluster3.kill(0)
        assert not nats_cluster3.servers[0].running
        await asyncio.wait_for(reconnected.wait(), 10)
        await nats_cluster3.arestart(0)
        assert nats_cluster3.servers[0].running
        assert nats_cluster3.servers[0].pid != old_pid
        health = get_json(f"{nats_cluster3.servers[0].http_url}/healthz")
        assert health == {"status": "ok"}
        assert await roundtrip(nc) == b"hello"
    finally:
        await nc.close()


async def test_stop_server_is_clean_exit(nats_cluster3: LocalNats) -> None:
    nats_cluster3.stop_server(1)
    assert nats_cluster3.servers[1].proc is not None
    assert nats_cluster3.servers[1].proc.returncode is not None
    # The remaining two still form a ready set (readiness only counts running servers).
    await nats_cluster3.await_ready(10)


async def test_lame_duck_tells_clients(nats_single: LocalNats) -> None:
    lame = asyncio.Event()

    async def on_lame_duck() -> None:
        lame.set()

    nc = await connect(nats_single, lame_duck_mode_cb=on_lame_duck)
    try:
        nats_single.lame_duck(0)
        await asyncio.wait_for(lame.wait(), 10)
    finally:
        await nc.close()


def test_stop_kills_everything_and_removes_files(make_nats: MakeNats) -> None:
    local = make_nats(servers=2)
    pids = [s.pid for s in local.servers]
    local.stop()
    local.stop()  # idempotent
    assert not local.workdir.exists()
    for pid in pids:
        assert pid is not None
        assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_token_auth_via_auth_config(make_nats: MakeNats) -> None:
    local = make_nats(auth_config='authorization { token: "s3cret-token" }')
    nc = await nats.connect(local.client_urls, token="s3cret-token", error_cb=_quiet)
    try:
        assert await roundtrip(nc) == b"hello"
    finally:
        await nc.close()
    with pytest.raises(nats.errors.Error, match="Authorization"):
        await nats.connect(local.client_urls, token="nope", allow_reconnect=False, error_cb=_quiet)


async def test_nkey_user_via_auth_config(make_nats: MakeNats) -> None:
    import nkeys

    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    public = nkeys.from_seed(seed).public_key.decode()
    local = make_nats(auth_config=f'accounts {{ APP {{ users: [{{nkey: "{public}"}}] }} }}')
    nc = await nats.connect(local.client_urls, nkeys_seed_str=seed.decode(), error_cb=_quiet)
    try:
        assert await roundtrip(nc) == b"hello"
    finally:
        await nc.close()


async def test_profile_for_custom_auth_takes_overrides(make_nats: MakeNats) -> None:
    local = make_nats(auth_config='authorization { user: "solo", password: "pw" }')
    profile = profile_for(local, auth=password_auth("solo", "pw"))
    assert profile.system_auth is None
    kwargs = connect_kwargs(profile)
    nc = await nats.connect(**kwargs, error_cb=_quiet)
    await nc.close()


async def test_operator_mode_creds(make_nats: MakeNats) -> None:
    op = operator_mode()
    local = make_nats(auth_config=op.auth_config, servers=2)
    app = await nats.connect(
        local.client_urls,
        user_credentials=RawCredentials(op.app_user.creds_text()),
        error_cb=_quiet,
    )
    sys_nc = await nats.connect(
        local.client_urls,
        user_credentials=RawCredentials(op.sys_user.creds_text()),
        error_cb=_quiet,
    )
    try:
        info = json.loads((await app.request("$SYS.REQ.USER.INFO", b"", timeout=5)).data)
        assert info["data"]["account"] == op.app_account
        assert await count_replies(sys_nc, "$SYS.REQ.SERVER.PING", 2) == 2
        assert await roundtrip(app) == b"hello"
    finally:
        await app.close()
        await sys_nc.close()


async def test_jetstream_cluster_ready_for_r3_stream(make_nats: MakeNats) -> None:
    local = make_nats(servers=3, jetstream=True)
    nc = await connect(local)
    try:
        js = nc.jetstream()
        info = await js.add_stream(name="HARNESS", subjects=["harness.js.>"], num_replicas=3)
        assert info.config.num_replicas == 3
        ack = await js.publish("harness.js.one", b"x")
        assert ack.seq == 1
    finally:
        await nc.close()


def test_bad_config_fails_fast_with_log(make_nats: MakeNats) -> None:
    with pytest.raises(NatsStartError, match="n1"):
        make_nats(extra_config="this is { not valid", ready_timeout=10)


async def test_supercluster_all_servers_answer_sys_ping(nats_super: LocalNats) -> None:
    assert len(nats_super.servers) == 9
    assert {s.cluster for s in nats_super.servers} == {"eu", "us-west", "us-east"}
    nc = await connect(nats_super, system=True)
    try:
        assert await count_replies(nc, "$SYS.REQ.SERVER.PING", 9) == 9
    finally:
        await nc.close()


async def test_supercluster_gateways_carry_messages(nats_super: LocalNats) -> None:
    eu = await connect(nats_super, servers=[nats_super.cluster_servers("eu")[0].client_url])
    east = await connect(nats_super, servers=[nats_super.cluster_servers("us-east")[2].client_url])
    try:
        assert await roundtrip(eu, east) == b"hello"
    finally:
        await eu.close()
        await east.close()


def test_port_taken_before_start_is_retried(
    make_nats: MakeNats, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    picks: list[list[int]] = []
    real_free_ports = cluster.free_ports

    def first_pick_collides(count: int) -> list[int]:
        ports = real_free_ports(count)
        if not picks:
            ports[0] = taken  # as if another process grabbed it between pick and bind
        picks.append(ports)
        return ports

    monkeypatch.setattr(cluster, "free_ports", first_pick_collides)
    try:
        local = make_nats()
    finally:
        blocker.close()
    assert len(picks) == 2
    assert local.servers[0].client_port != taken and local.servers[0].running


async def test_gateways_reform_after_restart(make_nats: MakeNats) -> None:
    local = make_nats(servers=2, clusters=("a", "b"))
    local.kill(3)
    await local.arestart(3)  # waits until b-2's gateways to `a` are back, in and out
    gatewayz = get_json(f"{local.servers[3].http_url}/gatewayz") or {}
    assert (gatewayz["outbound_gateways"]["a"] or {}).get("connection")
    first = await connect(local, servers=[local.client_urls[0]])
    last = await connect(local, servers=[local.client_urls[3]])
    try:
        assert await roundtrip(first, last) == b"hello"
    finally:
        await first.close()
        await last.close()
