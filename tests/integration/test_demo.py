"""`natstui demo --no-ui` as a newcomer uses it: a subprocess, its NATS_* lines, an outside client.

Every demo runs as `python -m natstui demo --no-ui`; cleanup is checked from the outside through
/proc (the nats-server children must be gone, not even left as orphans).
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from natstui.core.profile import Profile
from natstui.demo import runner
from natstui.demo.cluster import LocalNats
from tests.helpers import count_replies, wait_for

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

READY_TIMEOUT = 30.0
DEMO_COMMAND = (sys.executable, "-m", "natstui", "demo", "--no-ui")


@dataclass
class Demo:
    """A running `natstui demo --no-ui` subprocess and what it printed."""

    proc: subprocess.Popen[bytes]
    stderr: Path
    env: dict[str, str] = field(default_factory=dict)
    server_pids: list[int] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return self.env["NATS_URL"].split(",")

    @property
    def workdir(self) -> Path:
        return Path(self.env["NATS_CA"]).parent.parent

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")


def start_demo(tmp_path: Path, servers_per_cluster: int, *extra: str) -> Demo:
    stderr = tmp_path / f"demo-{servers_per_cluster}.err"
    with stderr.open("wb") as err:
        proc = subprocess.Popen(
            [*DEMO_COMMAND, "--servers-per-cluster", str(servers_per_cluster), *extra],
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    demo = Demo(proc, stderr)
    try:
        demo.env = read_until_ready(proc)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    demo.server_pids = nats_children(proc.pid)
    return demo


def read_until_ready(proc: subprocess.Popen[bytes]) -> dict[str, str]:
    """Parse `NAME=value` lines from stdout until `ready`, within READY_TIMEOUT."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + READY_TIMEOUT
    buffer = b""
    while b"\nready\n" not in b"\n" + buffer:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            raise AssertionError(f"demo not ready (exit {proc.poll()}), stdout so far: {buffer!r}")
        readable, _, _ = select.select([fd], [], [], left)
        if readable:
            buffer += os.read(fd, 65536)
    lines = buffer.decode().splitlines()
    return dict(shlex.split(line)[0].split("=", 1) for line in lines if "=" in line)


def nats_children(pid: int) -> list[int]:
    """PIDs of live nats-server processes whose parent is `pid`."""
    return [p for p, ppid in _processes() if ppid == pid and _comm(p) == "nats-server"]


def _processes() -> Iterator[tuple[int, int]]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":  # a zombie has exited; only its parent's wait() is missing
            yield int(entry.name), int(fields[1])


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def tls_context(demo: Demo) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=demo.env["NATS_CA"])


async def _quiet(*_: Any) -> None:
    return None


async def connect(demo: Demo, *, system: bool = False) -> Client:
    prefix = "NATS_SYS_" if system else "NATS_"
    return await asyncio.wait_for(
        nats.connect(
            demo.urls,
            user=demo.env[prefix + "USER"],
            password=demo.env[prefix + "PASSWORD"],
            tls=tls_context(demo),
            error_cb=_quiet,
        ),
        10,
    )


async def assert_stops_cleanly(demo: Demo, sig: signal.Signals) -> None:
    assert demo.server_pids, "the demo's nats-server children were not found"
    demo.proc.send_signal(sig)
    code = await asyncio.to_thread(demo.proc.wait, 15)
    assert code == 0, demo.log()
    assert [p for p in demo.server_pids if alive(p)] == []
    assert not demo.workdir.exists()
    assert "stopped all servers" in demo.log()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    running = start_demo(tmp_path_factory.mktemp("demo"), 1)
    yield running
    running.proc.terminate()
    running.proc.wait(15)


def test_prints_connection_lines(demo: Demo) -> None:
    assert set(demo.env) == {
        "NATS_URL",
        "NATS_CA",
        "NATS_USER",
        "NATS_PASSWORD",
        "NATS_SYS_USER",
        "NATS_SYS_PASSWORD",
    }
    assert len(demo.urls) == 3
    assert len(demo.server_pids) == 3
    assert Path(demo.env["NATS_CA"]).is_file()
    assert "ready in" in demo.log()


async def test_outside_client_connects_over_tls(demo: Demo) -> None:
    nc = await connect(demo)
    try:
        transport = nc._transport._io_writer  # nats-py exposes no public TLS flag
        assert transport.get_extra_info("ssl_object") is not None
    finally:
        await nc.close()


async def test_plaintext_client_is_refused(demo: Demo) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the TLS verify failure surfaces as various types
        await asyncio.wait_for(
            nats.connect(demo.urls[0], user="app", password="x", allow_reconnect=False),
            10,
        )


async def test_sys_user_gets_one_reply_per_server(demo: Demo) -> None:
    nc = await connect(demo, system=True)
    try:
        assert await count_replies(nc, "$SYS.REQ.SERVER.PING", 3) == 3
    finally:
        await nc.close()


async def test_services_answer_srv_ping_and_gather(demo: Demo) -> None:
    nc = await connect(demo)
    try:
        # 3 transcoders per region + 1 scheduler per region.
        assert await count_replies(nc, "$SRV.PING", 12) == 12
        assert await count_replies(nc, "$SRV.PING.transcoder", 9) == 9
        assert await count_replies(nc, "monitor.transcoders.stats", 9) == 9
    finally:
        await nc.close()


async def test_telemetry_flows_from_every_region(demo: Demo) -> None:
    nc = await connect(demo)
    regions: set[str] = set()

    async def on_msg(msg: Msg) -> None:
        data = json.loads(msg.data)
        assert msg.subject == f"transcoder.{data['region']}.{data['id']}.stats"
        regions.add(data["region"])

    try:
        await nc.subscribe("transcoder.>", cb=on_msg)
        await wait_for(lambda: regions == {"eu", "us-west", "us-east"}, timeout=10)
    finally:
        await nc.close()


async def test_monitor_publishes_summary(demo: Demo) -> None:
    nc = await connect(demo)
    try:
        sub = await nc.subscribe("monitor.summary")
        summary = json.loads((await sub.next_msg(timeout=10)).data)
        assert summary["expected"] == 9
    finally:
        await nc.close()


async def test_default_size_nine_servers_then_sigterm(tmp_path: Path) -> None:
    began = time.monotonic()
    demo = await asyncio.to_thread(start_demo, tmp_path, 3)
    startup = time.monotonic() - began
    try:
        assert len(demo.urls) == 9 and len(demo.server_pids) == 9
        nc = await connect(demo, system=True)
        try:
            assert await count_replies(nc, "$SYS.REQ.SERVER.PING", 9) == 9
        finally:
            await nc.close()
        await assert_stops_cleanly(demo, signal.SIGTERM)
    finally:
        demo.proc.kill()
        demo.proc.wait()
    print(f"demo 3x3 startup {startup:.2f}s")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP])
async def test_signal_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    demo = await asyncio.to_thread(start_demo, tmp_path, 1)
    try:
        await assert_stops_cleanly(demo, sig)
    finally:
        demo.proc.kill()
        demo.proc.wait()


async def test_sigkill_of_demo_takes_servers_down(tmp_path: Path) -> None:
    """No clean-up code runs on SIGKILL: the kernel's parent-death signal must do it."""
    demo = await asyncio.to_thread(start_demo, tmp_path, 1)
    demo.proc.kill()
    demo.proc.wait()
    try:
        await wait_for(lambda: not any(alive(p) for p in demo.server_pids), timeout=10)
    finally:
        shutil.rmtree(demo.workdir, ignore_errors=True)  # nobody else is left to remove it


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [*DEMO_COMMAND, "--nats-server", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "not an executable" in result.stderr
    assert result.stdout == ""


class _FakeApp:
    """Stands in for NatsTuiApp: records the profile, then returns or crashes."""

    profiles: ClassVar[list[Profile]] = []
    crash = False
    return_code: int | None = None

    def __init__(self, profile: Profile | None = None) -> None:
        assert profile is not None
        self.profiles.append(profile)

    def run(self) -> None:
        if self.crash:
            raise RuntimeError("boom")


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[LocalNats]]:
    """Run the demo's UI path in-process with a fake app; yields the LocalNats it started."""
    import natstui.app

    started: list[LocalNats] = []
    real_start = runner.start_everything

    def recording_start(args: Any) -> tuple[LocalNats, Any]:
        local, services = real_start(args)
        started.append(local)
        return local, services

    _FakeApp.profiles = []
    monkeypatch.setattr(natstui.app, "NatsTuiApp", _FakeApp)
    monkeypatch.setattr(runner, "start_everything", recording_start)
    yield started
    for local in started:
        local.stop()


def _assert_all_stopped(local: LocalNats) -> None:
    assert all(s.proc is not None and s.proc.poll() is not None for s in local.servers)
    assert not local.workdir.exists()
    assert not any(t.name == "demo-services" for t in threading.enumerate())


def test_ui_path_opens_app_on_demo_profile_then_cleans_up(fake_app: list[LocalNats]) -> None:
    assert runner.main(["--servers-per-cluster", "1"]) == 0
    (profile,) = _FakeApp.profiles
    (local,) = fake_app
    assert profile.name == "demo" and profile.servers == tuple(local.client_urls)
    assert profile.tls.enabled and profile.system_auth is not None
    _assert_all_stopped(local)


def test_app_crash_still_cleans_up(
    fake_app: list[LocalNats], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_FakeApp, "crash", True)
    with pytest.raises(RuntimeError, match="boom"):
        runner.main(["--servers-per-cluster", "1"])
    _assert_all_stopped(fake_app[0])
