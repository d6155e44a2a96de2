"""Profile -> nats.connect() arguments, and a session that owns the app's NATS connections.

The session keeps a `ConnectionState` snapshot up to date from nats-py's callbacks and tells its
listeners on every change. It passes its own async callbacks to nats-py: the library's default
error_cb logs tracebacks, which would corrupt a full-screen terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client, RawCredentials
from nats.errors import SlowConsumerError

from natstui.core.connect_errors import (
    Diagnosis,
    FailureKind,
    classify,
    client_cert_diagnosis,
    hostport,
    permission_diagnosis,
    pick_cause,
    timeout_diagnosis,
)
from natstui.core.profile import Auth, AuthKind, Profile, ProfileError, expand_path

# Every TLS close logs a harmless complaint on the asyncio logger; nats-py logs through its own.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)
logging.getLogger("nats").setLevel(logging.CRITICAL)

Status = Literal[
    "idle", "connecting", "connected", "reconnecting", "disconnected", "closed", "failed"
]


@dataclass(frozen=True)
class ConnectionState:
    """What the status bar shows. Never holds a secret."""

    profile: str
    status: Status = "idle"
    url: str | None = None
    server_name: str | None = None
    server_version: str | None = None
    cluster: str | None = None
    tls: bool = False
    tls_version: str | None = None
    tls_verify: bool = True
    user: str | None = None
    account: str | None = None
    is_system: bool = False
    rtt_ms: float | None = None
    reconnects: int = 0
    last_error: str | None = None
    system_connection: bool = False


class ConnectError(Exception):
    """A connection attempt failed; `cause` is plain words, `fix` the likely remedy.

    `kind` (a FailureKind) lets callers and tests tell refused ports from TLS or auth problems.
    """

    def __init__(self, cause: str, fix: str = "", kind: FailureKind = FailureKind.PROTOCOL) -> None:
        super().__init__(cause)
        self.cause = cause
        self.fix = fix
        self.kind = kind

    @classmethod
    def from_diagnosis(cls, diagnosis: Diagnosis) -> ConnectError:
        return cls(diagnosis.cause, diagnosis.fix, diagnosis.kind)


INITIAL_ATTEMPTS_PER_SERVER = 2
# nats-py tries each server twice on the first connect (its max_reconnect_attempts knob cannot
# say "once"); a short pause keeps a refused port at ~0.1 s. Later reconnects wait longer.
INITIAL_RETRY_WAIT = 0.1
RECONNECT_WAIT = 0.5


def tls_context(profile: Profile) -> ssl.SSLContext | None:
    """The SSL context a profile asks for (None when it does not want TLS)."""
    tls = profile.tls
    if not profile.tls_wanted:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if tls.ca_file:
        with _tls_file("tls.ca_file", tls.ca_file):
            ctx.load_verify_locations(cafile=str(expand_path(tls.ca_file)))
    if tls.cert_file:
        key = str(expand_path(tls.key_file)) if tls.key_file else None
        with _tls_file("tls.cert_file / tls.key_file", tls.cert_file):
            ctx.load_cert_chain(str(expand_path(tls.cert_file)), key)
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


@contextlib.contextmanager
def _tls_file(field: str, path: str) -> Iterator[None]:
    """Turn a missing or unreadable PEM file into a ProfileError naming the field."""
    try:
        yield
    except ssl.SSLError as exc:
        raise ProfileError(f"{field} {path}: not a usable PEM file ({exc.reason})") from None
    except OSError as exc:
        raise ProfileError(f"{field} {path}: {exc.strerror or exc}") from None


def profile_fix(message: str) -> str:
    """The fix for a profile that cannot be used as it stands."""
    if "environment variable" in message:
        return "export the variable before starting natstui, or edit the profile"
    if "tls." in message or "file" in message:
        return "check the path (~ and $VAR are expanded) or edit the profile"
    return "edit the profile"


def auth_kwargs(auth: Auth) -> dict[str, Any]:
    """nats.connect() keyword arguments for one Auth; resolves secret references."""
    kind = auth.kind
    if kind is AuthKind.NONE:
        return {}
    if kind is AuthKind.TOKEN:
        return {"token": auth.token.resolve("token")}
    if kind is AuthKind.USER_PASSWORD:
        if not auth.user:
            raise ProfileError("auth.user is empty")
        return {"user": auth.user, "password": auth.password.resolve("password")}
    if kind is AuthKind.NKEY:
        if auth.nkey_seed.file and auth.nkey_seed.inline is None and not auth.nkey_seed.env:
            path = expand_path(auth.nkey_seed.file)
            if not path.is_file():
                raise ProfileError(f"nkey seed file {path} does not exist")
            return {"nkeys_seed": str(path)}
        return {"nkeys_seed_str": auth.nkey_seed.resolve("nkey seed")}
    if kind is AuthKind.CREDS:
        if auth.creds.file and auth.creds.inline is None and not auth.creds.env:
            path = expand_path(auth.creds.file)
            if not path.is_file():
                raise ProfileError(f"creds file {path} does not exist")
            return {"user_credentials": str(path)}
        return {"user_credentials": RawCredentials(auth.creds.resolve("creds"))}
    if kind is AuthKind.JWT:
        jwt = auth.jwt.resolve("user JWT")
        seed = auth.seed.resolve("user seed")
        creds = (
            "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
            "-----BEGIN USER NKEY SEED-----\n" + seed + "\n------END USER NKEY SEED------\n"
        )
        return {"user_credentials": RawCredentials(creds)}
    raise ProfileError(f"unknown auth kind {kind!r}")


def connect_kwargs(profile: Profile, auth: Auth | None = None) -> dict[str, Any]:
    """Everything nats.connect() needs except callbacks."""
    # The first connect must fail fast: no reconnect loop, each server tried at most twice.
    # `NatsSession` switches to reconnect-forever once the first connect succeeded.
    kw: dict[str, Any] = {
        "servers": list(profile.servers),
        "name": f"natstui ({profile.name})",
        # Per attempt: a share of the budget, so one black-holed server cannot use up the
        # whole connect timeout before the healthy ones are tried.
        "connect_timeout": max(0.2, profile.connect_timeout / max(1, len(profile.servers))),
        "inbox_prefix": profile.inbox_prefix,
        "allow_reconnect": False,
        "max_reconnect_attempts": INITIAL_ATTEMPTS_PER_SERVER - 1,
        "reconnect_time_wait": INITIAL_RETRY_WAIT,
        "ping_interval": 10,
        "max_outstanding_pings": 3,
        "pending_size": 8 * 1024 * 1024,
    }
    kw.update(auth_kwargs(auth if auth is not None else profile.auth))
    ctx = tls_context(profile)
    if ctx is not None:
        kw["tls"] = ctx
        if profile.tls.server_name:
            kw["tls_hostname"] = profile.tls.server_name
        kw["tls_handshake_first"] = profile.tls.handshake_first
    return kw


def describe_error(exc: BaseException) -> str:
    """A short, single-line description of a nats-py error."""
    text = str(exc).strip() or type(exc).__name__
    if text.startswith("nats: "):
        text = text[len("nats: ") :]
    return text.strip("'\"")


def transport_tls_version(nc: Client) -> str | None:
    """The negotiated TLS version of the live connection, or None when plaintext."""
    transport = getattr(nc, "_transport", None)
    writer = getattr(transport, "_io_writer", None) or getattr(transport, "_writer", None)
    if writer is None:
        return None
    obj = writer.get_extra_info("ssl_object")
    return obj.version() if obj is not None else None


def link_is_encrypted(nc: Client) -> bool:
    """TLS on the live link: the socket's TLS version, or a wss:// URL (aiohttp's own TLS)."""
    url = nc.connected_url
    if url is not None and getattr(url, "scheme", "") == "wss":
        return True
    return transport_tls_version(nc) is not None


Listener = Callable[[ConnectionState], None]


class NatsSession:
    """Owns the app connection (and the system connection, when the profile has one)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.nc: Client | None = None
        self.sys_nc: Client | None = None
        self.state = ConnectionState(profile=profile.name, tls_verify=profile.tls.verify)
        self._listeners: list[Listener] = []
        self._slow_consumer_listeners: list[Callable[[int | None], None]] = []
        self._errors_seen: list[str] = []
        self._connected_at = 0.0

    # --- listeners -------------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def add_slow_consumer_listener(self, listener: Callable[[int | None], None]) -> None:
        """Called with the subscription id for every slow-consumer drop nats-py reports."""
        self._slow_consumer_listeners.append(listener)

    def _update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        for listener in list(self._listeners):
            listener(self.state)

    # --- nats-py callbacks -----------------------------------------------------------------
    async def _error_cb(self, exc: Exception) -> None:
        if isinstance(exc, SlowConsumerError):
            sid = getattr(exc, "sid", None)
            for listener in list(self._slow_consumer_listeners):
                listener(sid)
            return
        text = describe_error(exc)
        self._errors_seen.append(text)
        if self.state.status in ("connected", "reconnecting", "disconnected"):
            self._update(last_error=text)

    async def _disconnected_cb(self) -> None:
        if self.state.status == "connected":
            self._update(status="reconnecting")

    async def _reconnected_cb(self) -> None:
        self._update(status="connected", reconnects=self.state.reconnects + 1)
        self._refresh_server_info()

    async def _closed_cb(self) -> None:
        if self.state.status not in ("failed", "idle"):
            self._update(status="closed")

    async def _lame_duck_cb(self) -> None:
        self._update(last_error=f"server {self.state.server_name or '?'} entered lame-duck mode")

    def _callbacks(self) -> dict[str, Any]:
        return {
            "error_cb": self._error_cb,
            "disconnected_cb": self._disconnected_cb,
            "reconnected_cb": self._reconnected_cb,
            "closed_cb": self._closed_cb,
            "lame_duck_mode_cb": self._lame_duck_cb,
        }

    def _refresh_server_info(self) -> None:
        nc = self.nc
        if nc is None:
            return
        info: dict[str, Any] = getattr(nc, "_server_info", {}) or {}
        self._update(
            url=_url_text(nc.connected_url),
            server_name=info.get("server_name"),
            server_version=info.get("version"),
            cluster=info.get("cluster"),
            tls_version=transport_tls_version(nc),
            tls=transport_tls_version(nc) is not None,
        )

    # --- lifecycle -------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect within the profile's timeout or raise ConnectError with cause and fix."""
        self._update(status="connecting", last_error=None)
        try:
            self.nc = await self._open(self.profile.auth, self._callbacks())
        except ConnectError as exc:
            self._update(status="failed", last_error=exc.cause)
            raise
        self._connected_at = time.monotonic()
        self._refresh_server_info()
        self._update(status="connected")
        await self._whoami()
        if self.profile.system_auth is not None and not self.state.is_system:
            try:
                self.sys_nc = await self._open(self.profile.system_auth, _quiet_callbacks())
                self._update(system_connection=True)
            except ConnectError as exc:
                self._update(last_error=f"system connection: {exc.cause}")
        elif self.state.is_system:
            self.sys_nc = self.nc

    async def _open(self, auth: Auth, callbacks: dict[str, Any]) -> Client:
        """One connection, fully checked (TLS really on, inbox usable), or ConnectError."""
        try:
            kwargs = connect_kwargs(self.profile, auth)
        except ProfileError as exc:
            raise ConnectError(str(exc), profile_fix(str(exc)), FailureKind.PROFILE) from None
        nc, errors = await open_connection(self.profile, kwargs, callbacks)
        self._errors_seen.extend(describe_error(e) for e in errors)
        return nc

    async def _whoami(self) -> None:
        """Ask `$SYS.REQ.USER.INFO` who we are; quietly skip on servers without it."""
        nc = self.nc
        assert nc is not None
        data = await whoami(nc)
        if data is None:
            return
        account = data.get("account")
        self._update(
            user=data.get("user"),
            account=data.get("account_name") or account,
            is_system=await is_system_user(nc),
        )

    async def measure_rtt(self) -> float | None:
        nc = self.nc
        if nc is None or not nc.is_connected:
            return None
        try:
            rtt = float(await nc.rtt())
        except Exception:
            return None
        self._update(rtt_ms=rtt * 1000.0)
        return rtt

    async def close(self) -> None:
        """Drain and close every connection; never raises."""
        for nc in {id(c): c for c in (self.sys_nc, self.nc) if c is not None}.values():
            with contextlib.suppress(Exception):
                if nc.is_connected:
                    await asyncio.wait_for(nc.drain(), 2.0)
            await abandon(nc)
        if self.state.status != "failed":
            self._update(status="closed")

    @property
    def monitor_nc(self) -> Client | None:
        """The connection for `$SYS` requests: the system one when there is one."""
        return self.sys_nc or self.nc

    @property
    def uptime(self) -> float:
        return time.monotonic() - self._connected_at if self._connected_at else 0.0


async def whoami(nc: Client, timeout: float = 1.0) -> dict[str, Any] | None:
    """`$SYS.REQ.USER.INFO` data ({user, account, permissions, expires}) or None."""
    try:
        msg = await nc.request("$SYS.REQ.USER.INFO", b"", timeout=timeout)
        data = json.loads(msg.data).get("data")
    except Exception:  # old server, no responders, bad JSON: we just don't know
        return None
    return data if isinstance(data, dict) else None


async def is_system_user(nc: Client, timeout: float = 1.0) -> bool:
    """Only system-account users get an answer to a server IDZ ping (others: no responders)."""
    try:
        msg = await nc.request("$SYS.REQ.SERVER.PING.IDZ", b"", timeout=timeout)
    except Exception:
        return False
    return not (msg.headers or {}).get("Status")


async def open_connection(
    profile: Profile, kwargs: dict[str, Any], callbacks: dict[str, Any]
) -> tuple[Client, list[BaseException]]:
    """Connect with `kwargs` within the profile's timeout; classify any failure.

    Returns the client (switched to reconnect-forever) and the errors nats-py reported on the
    way (e.g. a first server that refused before a second one answered). A server that takes
    the TCP connection but then hangs or hangs up is moved to the end of the list and the
    others are tried with what is left of the budget (nats-py would give up on it).
    """
    errors: list[BaseException] = []
    collecting = [True]  # only while connecting and probing: a session must not grow a list
    user_error_cb = callbacks.get("error_cb")

    async def error_cb(exc: Exception) -> None:
        if collecting[0]:
            errors.append(exc)
        if user_error_cb is not None:
            await user_error_cb(exc)

    timeout = max(0.1, profile.connect_timeout)
    deadline = time.monotonic() + timeout
    where = hostport(profile.servers)
    servers = list(kwargs["servers"])
    while True:
        nc = Client()
        attempt = {**kwargs, "servers": servers, **callbacks, "error_cb": error_cb}
        if servers != kwargs["servers"]:
            attempt["dont_randomize"] = True  # keep the server that hung last
        try:
            await asyncio.wait_for(nc.connect(**attempt), max(0.05, deadline - time.monotonic()))
            break
        except BaseException as exc:
            await abandon(nc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            diagnosis = _failure(exc, errors, where, timeout)
            hung = _current_url(nc, servers)
            if _try_others(diagnosis, hung, servers, deadline):
                assert hung is not None
                servers = [s for s in servers if s != hung] + [hung]
                continue
            info: dict[str, Any] = getattr(nc, "_server_info", None) or {}
            raise ConnectError.from_diagnosis(refine(diagnosis, profile, info, where)) from None
    await _verify_link(nc, profile, where, timeout, errors)
    collecting[0] = False
    # From now on behave like a long-lived client: reconnect forever to any server in the pool.
    nc.options["allow_reconnect"] = True
    nc.options["max_reconnect_attempts"] = -1
    nc.options["reconnect_time_wait"] = RECONNECT_WAIT
    return nc, errors


def _try_others(
    diagnosis: Diagnosis, hung: str | None, servers: list[str], deadline: float
) -> bool:
    """Worth another round: a server-specific failure, other servers, time left."""
    specific = diagnosis.kind in (FailureKind.TIMEOUT, FailureKind.PROTOCOL)
    return (
        specific
        and hung is not None
        and len(servers) > 1
        and servers[-1] != hung
        and deadline - time.monotonic() > 0.1
    )


def _current_url(nc: Client, servers: list[str]) -> str | None:
    """Which of `servers` the failed client was talking to (nats-py keeps it privately)."""
    uri = getattr(getattr(nc, "_current_server", None), "uri", None)
    if uri is None:
        return None
    for url in servers:
        parts = urlsplit(url if "://" in url else f"nats://{url}")
        if (parts.hostname, parts.port or 4222) == (uri.hostname, uri.port or 4222):
            return url
    return None


def refine(diagnosis: Diagnosis, profile: Profile, info: dict[str, Any], where: str) -> Diagnosis:
    """Use what the server's INFO told us to sharpen a vague transport failure."""
    vague = diagnosis.kind in (FailureKind.PROTOCOL, FailureKind.TLS_OTHER)
    if vague and info.get("tls_verify") and info.get("tls_required"):
        # The server asks for a client certificate; a reset right after the handshake is the
        # server refusing ours (or our lack of one).
        return client_cert_diagnosis(where)
    if diagnosis.kind is FailureKind.TIMEOUT and profile.tls_wanted and not info:
        return replace(
            diagnosis,
            fix=diagnosis.fix + "; if the server uses TLS handshake-first, set "
            "tls.handshake_first = true",
        )
    return diagnosis


def _failure(
    exc: BaseException, errors: list[BaseException], where: str, timeout: float
) -> Diagnosis:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        cause = pick_cause(errors)
        if cause is None or isinstance(cause, TimeoutError | asyncio.TimeoutError):
            return timeout_diagnosis(where, timeout)
        return classify(cause, where, timeout)
    if type(exc).__name__ == "NoServersError":
        cause = pick_cause(errors)
        return classify(cause, where, timeout) if cause else timeout_diagnosis(where, timeout)
    return classify(exc, where, timeout)


async def _verify_link(
    nc: Client, profile: Profile, where: str, timeout: float, errors: list[BaseException]
) -> None:
    """Refuse plaintext when the profile wants TLS; check that the inbox can be subscribed."""
    if profile.tls_wanted and not link_is_encrypted(nc):
        await abandon(nc)
        raise ConnectError(
            f"the profile requires TLS but {where} offered a plaintext connection; "
            "natstui refused to continue unencrypted",
            "enable TLS on the server, or turn TLS off in the profile if plaintext is intended",
            FailureKind.TLS_NOT_OFFERED,
        )
    denied = await _inbox_denied(nc, profile.inbox_prefix, timeout, errors)
    if denied is not None:
        await abandon(nc)
        raise ConnectError.from_diagnosis(permission_diagnosis(profile.inbox_prefix))


async def _inbox_denied(
    nc: Client, prefix: str, timeout: float, errors: list[BaseException]
) -> str | None:
    """Subscribe to an inbox and flush: the server answers a denied SUB before the PONG."""
    seen = len(errors)
    try:
        sub = await nc.subscribe(f"{prefix}.natstui-probe.{nc.new_inbox().rsplit('.', 1)[-1]}")
        # nats-server may write the -ERR for a denied SUB just after the PONG of the first
        # flush (seen ~1 in 5 runs); a second round trip gives it time to arrive.
        for _ in range(2):
            await nc.flush(timeout=max(0.5, timeout))
        await sub.unsubscribe()
    except Exception as exc:
        errors.append(exc)
    for err in errors[seen:]:
        text = describe_error(err)
        if "permissions violation" in text.lower():
            return text
    return None


def _quiet_callbacks() -> dict[str, Any]:
    async def _ignore(*_: Any) -> None:
        return None

    return {
        "error_cb": _ignore,
        "disconnected_cb": _ignore,
        "reconnected_cb": _ignore,
        "closed_cb": _ignore,
    }


def _url_text(url: Any) -> str | None:
    if url is None:
        return None
    # ParseResult: rebuild without any user:password@ part.
    host = getattr(url, "hostname", None)
    port = getattr(url, "port", None)
    scheme = getattr(url, "scheme", "nats")
    return f"{scheme}://{host}:{port}" if host else None


async def abandon(nc: Client) -> None:
    """Close a client we give up on, without waiting out a broken TLS shutdown."""
    _abort_sockets(nc)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(nc.close(), 2.0)


def _abort_sockets(nc: Client) -> None:
    # After a failed TLS handshake nats-py's close() waits forever on the plain stream, whose
    # protocol was swapped out by start_tls. Abort the sockets and forget the writers so close()
    # only cancels tasks and runs callbacks. Only for clients that never got connected.
    if nc.is_connected:
        return
    transport = getattr(nc, "_transport", None)
    for name in ("_io_writer", "_bare_io_writer"):
        writer = getattr(transport, name, None)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.transport.abort()
            setattr(transport, name, None)


__all__ = [
    "ConnectError",
    "ConnectionState",
    "FailureKind",
    "NatsSession",
    "auth_kwargs",
    "connect_kwargs",
    "describe_error",
    "nats",
    "open_connection",
]
