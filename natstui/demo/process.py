"""Spawn nats-server children that cannot outlive us, and find free ports for them.

Each child gets its own process group (so a signal reaches only it and its group) and, on Linux,
`PR_SET_PDEATHSIG = SIGKILL`. The kernel sends that signal when the *thread* that forked the child
exits, not the process, so every spawn runs on one long-lived spawner thread: a server restarted
from a short-lived worker thread would otherwise be killed when that worker ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PR_SET_PDEATHSIG = 1

_spawner_lock = threading.Lock()
_spawner: ThreadPoolExecutor | None = None


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that were free a moment ago (bound to port 0, then released).

    All sockets stay open until every port is picked so the OS cannot hand out one twice.
    Another process may still grab one before the server binds it: callers retry on that.
    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _load_prctl() -> Callable[..., int] | None:
    """Resolve libc's prctl in the parent, once.

    The child must not dlopen/dlsym between fork and exec: if another thread held the dynamic
    loader's lock at fork time, the child would block forever (and Popen with it).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _load_prctl()


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: ask the kernel to SIGKILL us if we're orphaned."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _preexec() -> Callable[[], None] | None:
    return _die_with_parent if _PRCTL is not None else None


def _spawner_pool() -> ThreadPoolExecutor:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nats-spawner")
        return _spawner


def spawn_server(binary: Path, config: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start `nats-server -c config` with output appended to `log`; returns the child."""

    def start() -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(
                [str(binary), "-c", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_preexec(),  # safe: runs on the single spawner thread
                close_fds=True,
            )

    return _spawner_pool().submit(start).result()


def signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send `sig` to the child's process group; a child that is already gone is fine."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def kill_and_wait(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGKILL the child's group and reap it."""
    signal_group(proc, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)


def terminate_and_wait(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM (nats-server shuts down at once, no lame duck), escalating to SIGKILL."""
    signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        kill_and_wait(proc)
