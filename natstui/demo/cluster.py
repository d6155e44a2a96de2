"""Run a local NATS system (single server, cluster or supercluster) on real nats-server processes.

`start_nats()` picks free ports, writes configs into a temp dir, spawns the servers and waits
until monitoring says every route and gateway is formed. The returned `LocalNats` has helpers to
kill, stop, restart and lame-duck one server, and `stop()` that ends everything and removes the
temp dir. It is synchronous (pytest fixtures, the CLI); `arestart`/`await_ready` run the blocking
parts in a thread for async tests that must keep their NATS clients running meanwhile.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from natstui.demo.binary import find_nats_server
from natstui.demo.certs import TlsFiles, make_tls_files
from natstui.demo.config import (
    Credentials,
    NatsOptions,
    ServerPlan,
    plan_servers,
    ports_needed,
    render_config,
)
from natstui.demo.process import (
    free_ports,
    kill_and_wait,
    signal_group,
    spawn_server,
    terminate_and_wait,
)
from natstui.demo.readiness import Member, not_ready

POLL_INTERVAL = 0.02
DEFAULT_READY_TIMEOUT = 30.0
START_ATTEMPTS = 3
PORT_IN_USE = "address already in use"

# Every LocalNats still running at interpreter exit is stopped (belt and braces: the children
# also get SIGKILL from the kernel when we die, see process.py).
_running: weakref.WeakSet[LocalNats] = weakref.WeakSet()


class NatsStartError(RuntimeError):
    """The servers did not start or did not become ready; the message has their log tail."""


class _PortCollision(NatsStartError):
    """A port we picked was taken before the server could bind it: `start_nats` picks new ones
    (a `restart` cannot, and reports it as the NatsStartError it is)."""


@dataclass
class ServerHandle:
    """One server of a LocalNats: its plan, files and (while running) its process."""

    plan: ServerPlan
    config_path: Path
    log_path: Path
    tls: bool
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    # False after kill/stop_server: readiness then ignores it; a wanted server that died is fatal.
    wanted: bool = False

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def cluster(self) -> str | None:
        return self.plan.cluster

    @property
    def client_port(self) -> int:
        return self.plan.ports.client

    @property
    def http_port(self) -> int:
        return self.plan.ports.http

    @property
    def client_url(self) -> str:
        scheme = "tls" if self.tls else "nats"
        return f"{scheme}://127.0.0.1:{self.client_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class LocalNats:
    """A running set of local nats-server processes. Use `start_nats()` to make one."""

    def __init__(
        self,
        options: NatsOptions,
        binary: Path,
        workdir: Path,
        credentials: Credentials,
        tls_files: TlsFiles | None,
    ) -> None:
        self.options = options
        self.binary = binary
        self.workdir = workdir
        self.credentials = credentials
        self.tls_files = tls_files
        self.servers: list[ServerHandle] = []
        self._stopped = False

    # --- properties tests and the demo read ---------------------------------------------------
    @property
    def client_urls(self) -> list[str]:
        return [s.client_url for s in self.servers]

    @property
    def http_urls(self) -> list[str]:
        return [s.http_url for s in self.servers]

    @property
    def ca_file(self) -> Path | None:
        return self.tls_files.ca_file if self.tls_files else None

    @property
    def client_cert(self) -> Path | None:
        return self.tls_files.client_cert if self.tls_files else None

    @property
    def client_key(self) -> Path | None:
        return self.tls_files.client_key if self.tls_files else None

    @property
    def app_user(self) -> str:
        return self.credentials.app_user

    @property
    def app_password(self) -> str:
        return self.credentials.app_password

    @property
    def sys_user(self) -> str:
        return self.credentials.sys_user

    @property
    def sys_password(self) -> str:
        return self.credentials.sys_password

    def cluster_servers(self, cluster: str | None) -> list[ServerHandle]:
        return [s for s in self.servers if s.cluster == cluster]

    # --- lifecycle ---------------------------------------------------------------------------
    def write_configs(self, plans: list[ServerPlan]) -> None:
        """Write one config per server for this plan (no process is started)."""
        tls = self.options.tls
        self.servers = []
        for plan in plans:
            store = self.workdir / "jetstream" / plan.name if self.options.jetstream else None
            text = render_config(plan, plans, self.options, self.credentials, self.tls_files, store)
            config = self.workdir / f"{plan.name}.conf"
            config.write_text(text)
            log = self.workdir / f"{plan.name}.log"
            self.servers.append(ServerHandle(plan, config, log, tls))

    def _spawn(self, server: ServerHandle) -> None:
        server.proc = spawn_server(self.binary, server.config_path, server.log_path)
        server.wanted = True

    def _start_all(self, timeout: float) -> None:
        for server in self.servers:
            self._spawn(server)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = DEFAULT_READY_TIMEOUT) -> None:
        """Block until every running server is healthy and meshed, or raise NatsStartError."""
        deadline = time.monotonic() + timeout
        expected = [s for s in self.servers if s.wanted]
        while True:
            self._check_alive(expected)
            members = [Member(s.name, s.cluster, s.http_url) for s in expected]
            reason = not_ready(members)
            if reason is None:
                return
            if time.monotonic() > deadline:
                raise NatsStartError(f"not ready after {timeout:g}s: {reason}\n{self._tails()}")
            time.sleep(POLL_INTERVAL)  # polling interval, not a stand-in for synchronisation

    def _check_alive(self, expected: list[ServerHandle]) -> None:
        for server in expected:
            if server.running:
                continue
            tail = server.log_tail()
            if PORT_IN_USE in tail.lower():
                raise _PortCollision(server.name)
            raise NatsStartError(f"{server.name} exited during start-up:\n{tail}")

    def _tails(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.log_tail(8)}" for s in self.servers)

    def stop(self) -> None:
        """Kill every server, reap them and remove the temp dir. Safe to call more than once."""
        for server in self.servers:
            server.wanted = False
            if server.proc is not None:
                kill_and_wait(server.proc)
        if not self._stopped:
            self._stopped = True
            shutil.rmtree(self.workdir, ignore_errors=True)
        _running.discard(self)

    def __enter__(self) -> LocalNats:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- one-server helpers ------------------------------------------------------------------
    def kill(self, index: int) -> None:
        """SIGKILL server `index` (a crash) and reap it."""
        server = self.servers[index]
        server.wanted = False
        if server.proc is not None:
            kill_and_wait(server.proc)

    def stop_server(self, index: int) -> None:
        """SIGTERM server `index` (a clean, immediate shutdown) and reap it."""
        server = self.servers[index]
        server.wanted = False
        if server.proc is not None:
            terminate_and_wait(server.proc)

    def lame_duck(self, index: int) -> None:
        """SIGUSR2 server `index`: it tells clients at once, then closes them slowly."""
        server = self.servers[index]
        if server.proc is not None:
            signal_group(server.proc, signal.SIGUSR2)

    def restart(self, index: int, timeout: float = DEFAULT_READY_TIMEOUT) -> None:
        """(Re)start server `index` on the same ports and config; wait until all are ready."""
        server = self.servers[index]
        if server.proc is not None and server.running:
            terminate_and_wait(server.proc)
        self._spawn(server)
        self.wait_ready(timeout)

    def wait_exited(self, index: int, timeout: float = 40.0) -> int:
        """Wait for server `index` to exit on its own (e.g. after lame duck); its exit code."""
        proc = self.servers[index].proc
        if proc is None:
            raise ValueError(f"server {index} was never started")
        return proc.wait(timeout)

    async def arestart(self, index: int, timeout: float = DEFAULT_READY_TIMEOUT) -> None:
        """`restart` without blocking the event loop (clients keep reconnecting meanwhile)."""
        await asyncio.to_thread(self.restart, index, timeout)

    async def await_ready(self, timeout: float = DEFAULT_READY_TIMEOUT) -> None:
        """`wait_ready` without blocking the event loop."""
        await asyncio.to_thread(self.wait_ready, timeout)


def start_nats(
    options: NatsOptions | None = None,
    /,
    *,
    binary: str | os.PathLike[str] | None = None,
    ready_timeout: float = DEFAULT_READY_TIMEOUT,
    credentials: Credentials | None = None,
    **fields: Any,
) -> LocalNats:
    """Start a local NATS system and return it once every route and gateway is up.

    Pass a `NatsOptions` or its fields as keywords (`start_nats(servers=3, tls=True)`).
    Raises `NatsServerNotFound` or `NatsStartError`; nothing is left running on failure.
    """
    opts = NatsOptions(**fields) if options is None else replace(options, **fields)
    path = find_nats_server(binary)
    workdir = Path(tempfile.mkdtemp(prefix="natstui-nats-"))
    local: LocalNats | None = None
    try:
        tls_files = make_tls_files(workdir / "tls") if opts.tls else None
        local = LocalNats(opts, path, workdir, credentials or Credentials(), tls_files)
        _running.add(local)
        _start_with_retries(local, ready_timeout)
        return local
    except BaseException:
        # Covers KeyboardInterrupt as well: nothing may outlive a failed start.
        if local is not None:
            local.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _start_with_retries(local: LocalNats, timeout: float) -> None:
    for attempt in range(START_ATTEMPTS):
        ports = free_ports(ports_needed(local.options))
        local.write_configs(plan_servers(local.options, iter(ports)))
        try:
            local._start_all(timeout)
            return
        except _PortCollision as exc:
            for server in local.servers:
                if server.proc is not None:
                    kill_and_wait(server.proc)
            if attempt == START_ATTEMPTS - 1:
                raise NatsStartError(f"port collision on {exc} in every attempt") from None


@atexit.register
def _stop_leftovers() -> None:
    for local in list(_running):
        local.stop()
