"""Connection doctor: check a profile step by step and say which step fails and how to fix it.

Per server URL: DNS, TCP, NATS INFO (server name, version, cluster, what it requires) and the TLS
handshake (version, certificate expiry, host name). Then for the profile as a whole: connect and
authenticate, permissions (inbox subscribe, `$SYS` access of the system credentials) and RTT.
Every step has its own time bound (the profile's connect timeout). Nothing printed here contains
a secret; server-provided strings are returned as data for the caller to render safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from natstui.core.connect_errors import Diagnosis, classify, hostport
from natstui.core.connection import (
    ConnectError,
    abandon,
    connect_kwargs,
    is_system_user,
    open_connection,
    tls_context,
    whoami,
)
from natstui.core.profile import Auth, Profile, ProfileError

EXPIRY_WARNING_DAYS = 14


@dataclass(frozen=True)
class Step:
    """One check: `ok` True (pass), False (fail) or None (skipped); detail and fix in words."""

    name: str
    target: str
    ok: bool | None
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "target": self.target,
            "ok": self.ok,
            "detail": self.detail,
            "fix": self.fix,
        }


StepCallback = Callable[[Step], None]


def passed(steps: list[Step]) -> bool:
    """True when no step failed (skipped steps do not count as failures)."""
    return all(step.ok is not False for step in steps)


def _fail(name: str, target: str, diagnosis: Diagnosis) -> Step:
    return Step(name, target, False, diagnosis.cause, diagnosis.fix)


@dataclass
class _Probe:
    """One server being probed: its address and the open streams, if any."""

    url: str
    host: str
    port: int
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.transport.abort()


async def run_doctor(profile: Profile, on_step: StepCallback | None = None) -> list[Step]:
    """Run every check; `on_step` sees each result as soon as it is known."""
    steps: list[Step] = []

    def record(step: Step) -> Step:
        steps.append(step)
        if on_step is not None:
            on_step(step)
        return step

    for url in profile.servers:
        await _probe_server(profile, url, record)
    await _probe_session(profile, record)
    return steps


def _split(url: str) -> tuple[str, int]:
    parts = urlsplit(url if "://" in url else f"nats://{url}")
    try:
        port = parts.port or 4222
    except ValueError:
        port = 4222
    return parts.hostname or "", port


async def _probe_server(profile: Profile, url: str, record: Callable[[Step], Step]) -> None:
    host, port = _split(url)
    probe = _Probe(url, host, port)
    timeout = profile.connect_timeout
    try:
        if not record(await _dns(probe, timeout)).ok or not record(await _tcp(probe, timeout)).ok:
            return
        if profile.tls.handshake_first:
            if record(await _tls(probe, profile, timeout, first=True)).ok:
                record((await _info(probe, timeout))[0])
            return
        step, info = await _info(probe, timeout)
        if not record(step).ok:
            return
        if info.get("tls_required") or profile.tls_wanted:
            record(await _tls_after_info(probe, profile, info, timeout))
        else:
            record(Step("TLS", probe.target, None, "not used: neither profile nor server asks"))
    finally:
        probe.close()


async def _tls_after_info(
    probe: _Probe, profile: Profile, info: dict[str, Any], timeout: float
) -> Step:
    if not info.get("tls_required") and not info.get("tls_available"):
        return Step(
            "TLS",
            probe.target,
            False,
            "the profile requires TLS but the server offers only plaintext",
            "enable TLS on the server (a tls block), or turn TLS off in the profile",
        )
    if not info.get("tls_required"):
        return Step(
            "TLS",
            probe.target,
            False,
            "the server offers TLS but does not require it; nats-py would stay in plaintext",
            "set tls { ... } required on the server, or use handshake_first on both sides",
        )
    return await _tls(probe, profile, timeout, first=False)


async def _dns(probe: _Probe, timeout: float) -> Step:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(probe.host, probe.port, type=socket.SOCK_STREAM), timeout
        )
    except (OSError, TimeoutError) as exc:
        return _fail("DNS", probe.target, classify(exc, probe.target, timeout))
    addresses = sorted({str(info[4][0]) for info in infos})
    return Step("DNS", probe.target, True, f"{probe.host} -> {', '.join(addresses)}")


async def _tcp(probe: _Probe, timeout: float) -> Step:
    started = time.monotonic()
    try:
        probe.reader, probe.writer = await asyncio.wait_for(
            asyncio.open_connection(probe.host, probe.port), timeout
        )
    except (OSError, TimeoutError) as exc:
        return _fail("TCP", probe.target, classify(exc, probe.target, timeout))
    took = (time.monotonic() - started) * 1000
    return Step("TCP", probe.target, True, f"connected in {took:.1f} ms")


_INFO_FLAGS = ("tls_required", "tls_verify", "tls_available", "auth_required", "jetstream")


async def _info(probe: _Probe, timeout: float) -> tuple[Step, dict[str, Any]]:
    assert probe.reader is not None
    try:
        line = await asyncio.wait_for(probe.reader.readline(), timeout)
    except TimeoutError:
        detail = f"TCP connected but no INFO within {timeout:g}s"
        fix = (
            "the server may expect TLS first (tls.handshake_first = true), or this port is "
            "not a NATS client port"
        )
        return Step("INFO", probe.target, False, detail, fix), {}
    except OSError as exc:
        return _fail("INFO", probe.target, classify(exc, probe.target, timeout)), {}
    if not line.startswith(b"INFO "):
        fix = "check that this is a NATS client port (not HTTP monitoring, routes or a proxy)"
        return Step("INFO", probe.target, False, "no NATS INFO line from the server", fix), {}
    try:
        info = json.loads(line[5:])
    except ValueError:
        return Step("INFO", probe.target, False, "the INFO line is not valid JSON"), {}
    if not isinstance(info, dict):
        return Step("INFO", probe.target, False, "the INFO line is not a JSON object"), {}
    return Step("INFO", probe.target, True, describe_info(info)), info


def describe_info(info: dict[str, Any]) -> str:
    """One line: server name, version, cluster and what it requires."""
    parts = [f"server {info.get('server_name') or info.get('server_id', '?')}"]
    parts.append(f"version {info.get('version', '?')}")
    if info.get("cluster"):
        parts.append(f"cluster {info['cluster']}")
    flags = [name for name in _INFO_FLAGS if info.get(name)]
    if flags:
        parts.append(", ".join(flags))
    return "; ".join(parts)


async def _tls(probe: _Probe, profile: Profile, timeout: float, *, first: bool) -> Step:
    assert probe.writer is not None
    try:
        ctx = tls_context(profile) or ssl.create_default_context()
    except ProfileError as exc:
        return Step("TLS", probe.target, False, str(exc), "fix the TLS file paths in the profile")
    name = profile.tls.server_name or probe.host
    try:
        await asyncio.wait_for(probe.writer.start_tls(ctx, server_hostname=name), timeout)
    except (OSError, TimeoutError) as exc:
        return _fail("TLS", probe.target, classify(exc, probe.target, timeout))
    obj = probe.writer.get_extra_info("ssl_object")
    return _tls_result(probe.target, obj, profile, first)


def _tls_result(target: str, obj: Any, profile: Profile, first: bool) -> Step:
    version = obj.version() if obj is not None else "?"
    cert = obj.getpeercert() if obj is not None else None
    detail = f"{version}{' (handshake first)' if first else ''}"
    if not profile.tls.verify:
        return Step(
            "TLS",
            target,
            False,
            f"{detail}; certificate NOT verified (tls.verify = false)",
            "set tls.ca_file and turn verification back on",
        )
    if not profile.tls_wanted:
        detail += "; the profile does not ask for TLS (the server does), system CAs used"
    days = _days_left(cert)
    if days is None:
        return Step("TLS", target, True, detail + "; certificate verified")
    detail += f"; certificate verified (issued by {_issuer(cert)}), host name matches, "
    detail += f"expires in {days} days"
    if days < EXPIRY_WARNING_DAYS:
        return Step("TLS", target, False, detail, "renew the server certificate soon")
    return Step("TLS", target, True, detail)


def _issuer(cert: Any) -> str:
    """The issuer's common name (or organisation) from `getpeercert()`."""
    fields = {k: v for rdn in cert.get("issuer", ()) for k, v in rdn}
    return str(fields.get("commonName") or fields.get("organizationName") or "unknown issuer")


def _days_left(cert: Any) -> int | None:
    if not isinstance(cert, dict) or "notAfter" not in cert:
        return None
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
    return (expires - datetime.now(UTC)).days


async def _probe_session(profile: Profile, record: Callable[[Step], Step]) -> None:
    """Connect as the profile does: auth, permissions, RTT; then the system credentials."""
    target = hostport(profile.servers)
    nc = await _connect(profile, profile.auth, "connect+auth", target, record)
    if nc is None:
        return
    try:
        record(await _permissions(nc, target))
        record(await _rtt(nc, target))
    finally:
        await _abandon_connected(nc)
    if profile.system_auth is not None:
        await _probe_system(profile, profile.system_auth, target, record)


async def _connect(
    profile: Profile, auth: Auth, name: str, target: str, record: Callable[[Step], Step]
) -> Any:
    try:
        kwargs = connect_kwargs(profile, auth)
        nc, _ = await open_connection(profile, kwargs, _quiet())
    except ProfileError as exc:
        record(Step(name, target, False, str(exc), "edit the profile"))
        return None
    except ConnectError as exc:
        record(Step(name, target, False, exc.cause, exc.fix))
        return None
    who = await whoami(nc)
    where = f" on {nc.connected_url.netloc.rsplit('@', 1)[-1]}" if nc.connected_url else ""
    if who is not None:
        user, account = who.get("user", "?"), who.get("account_name") or who.get("account", "?")
        record(Step(name, target, True, f"connected{where} as {user} in account {account}"))
    else:
        record(Step(name, target, True, f"connected{where} (server does not say who we are)"))
    return nc


async def _permissions(nc: Any, target: str) -> Step:
    sys_access = await is_system_user(nc)
    detail = "inbox subscribe allowed; " + (
        "system account ($SYS monitoring available)"
        if sys_access
        else "not a system user (cluster view limited unless system_auth is set)"
    )
    return Step("permissions", target, True, detail)


async def _rtt(nc: Any, target: str) -> Step:
    try:
        rtt = float(await asyncio.wait_for(nc.rtt(), 5.0)) * 1000
    except Exception:
        return Step("RTT", target, False, "no PONG within 5 s", "the link or server is overloaded")
    return Step("RTT", target, True, f"{rtt:.2f} ms")


async def _probe_system(
    profile: Profile, auth: Auth, target: str, record: Callable[[Step], Step]
) -> None:
    nc = await _connect(profile, auth, "system connect", target, record)
    if nc is None:
        return
    try:
        if await is_system_user(nc):
            record(Step("system access", target, True, "$SYS requests answered"))
        else:
            record(
                Step(
                    "system access",
                    target,
                    False,
                    "the system credentials connect but are not in the system account",
                    "use a user of the server's system_account for system_auth",
                )
            )
    finally:
        await _abandon_connected(nc)


async def _abandon_connected(nc: Any) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(nc.close(), 2.0)
    await abandon(nc)


def _quiet() -> dict[str, Any]:
    async def ignore(*_: Any) -> None:
        return None

    return {"error_cb": ignore, "disconnected_cb": ignore, "closed_cb": ignore}
