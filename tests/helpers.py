"""Helpers for tests against real local servers: profiles for a LocalNats, and condition waits.

    from tests.helpers import profile_for, wait_for

Tests never sleep to synchronise: they `await wait_for(lambda: <condition>)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from nats.aio.client import Client
from nats.aio.msg import Msg

from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.demo.cluster import LocalNats

T = TypeVar("T")

# The type of the `make_nats` fixture: takes NatsOptions fields, returns a running LocalNats.
MakeNats = Callable[..., LocalNats]


def password_auth(user: str, password: str) -> Auth:
    """An Auth for user/password with the password held inline (hidden)."""
    return Auth(kind=AuthKind.USER_PASSWORD, user=user, password=SecretRef(inline=Secret(password)))


def tls_settings_for(local: LocalNats) -> TlsSettings:
    """TLS settings that trust the run's CA (and present the client cert when verify is on)."""
    if not local.options.tls:
        return TlsSettings()
    mutual = local.options.verify
    return TlsSettings(
        enabled=True,
        ca_file=str(local.ca_file),
        cert_file=str(local.client_cert) if mutual else None,
        key_file=str(local.client_key) if mutual else None,
        handshake_first=local.options.handshake_first,
    )


def profile_for(local: LocalNats, *, system: bool = False, **overrides: Any) -> Profile:
    """A Profile reaching `local` as the app user (or the sys user with `system=True`).

    With the default accounts, an app-user profile also carries `system_auth` (the sys user),
    like the demo's profile; pass `system_auth=None` to test the no-system-user path. With a
    custom `auth_config` the profile has no auth: pass `auth=...` yourself. `overrides` replace
    any Profile field.
    """
    auth = Auth()
    system_auth = None
    if local.options.default_accounts:
        sys_auth = password_auth(local.sys_user, local.sys_password)
        auth = sys_auth if system else password_auth(local.app_user, local.app_password)
        system_auth = None if system else sys_auth
    profile = Profile(
        name="test-system" if system else "test",
        servers=tuple(local.client_urls),
        auth=auth,
        tls=tls_settings_for(local),
        system_auth=system_auth,
        monitor_urls=tuple(local.http_urls),
        ephemeral=True,
    )
    return replace(profile, **overrides)


async def wait_for(
    predicate: Callable[[], T | Awaitable[T]],
    timeout: float = 5.0,
    interval: float = 0.02,
    message: str = "",
) -> T:
    """Poll `predicate` (sync or async) until it returns something truthy; return that value.

    Raises AssertionError after `timeout` seconds, naming `message` or the predicate.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            what = message or getattr(predicate, "__qualname__", repr(predicate))
            raise AssertionError(f"condition not met within {timeout:g}s: {what}")
        await asyncio.sleep(interval)


async def count_replies(nc: Client, subject: str, expected: int, timeout: float = 5.0) -> int:
    """Scatter-gather: publish `{}` with an inbox reply and count replies, stopping at
    `expected` or after `timeout` seconds (so a missing responder costs the timeout, no more)."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    await nc.publish(subject, b"{}", reply=inbox)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    count = 0
    try:
        while count < expected:
            await sub.next_msg(timeout=max(0.01, deadline - loop.time()))
            count += 1
    except TimeoutError:
        pass
    finally:
        await sub.unsubscribe()
    return count


async def collect(nc: Client, subject: str, publisher: Client) -> list[Msg]:
    """Subscribe on `nc` and return the list that fills with `subject`'s messages.

    Primes first: nats-server can drop the first message published on another connection
    right after a SUB it has already acknowledged (nats-server#5677), so probes go out from
    `publisher` until one arrives; probes are not collected.
    """
    got: list[Msg] = []
    primed = asyncio.Event()

    async def cb(msg: Msg) -> None:
        if (msg.headers or {}).get("X-Probe"):
            primed.set()
        else:
            got.append(msg)

    await nc.subscribe(subject, cb=cb)
    await nc.flush()
    for _ in range(250):
        await publisher.publish(subject, b"", headers={"X-Probe": "1"})
        await publisher.flush()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(primed.wait(), 0.02)
            return got
    raise AssertionError(f"subscription on {subject} never received a probe")
