"""Benchmark: scatter-gather to 200 responders and a 10,000-message publish, through the UI.

Run on purpose (pytest never collects tests/perf):

    .venv/bin/python -m tests.perf.bench_requests [--responders 200] [--rounds 5]

Starts one real nats-server, runs the responders in a separate process (so they do not share
the app's event loop), drives `NatsTuiApp` with Pilot, and prints one JSON document:

- gather: per round, time from ctrl+g to the replies table holding every reply; the latency of
  the last reply; and the extra wait the adaptive stop adds after it (the 0.3 s gap).
- publish: ctrl+s with count 10,000 (static 128-byte payload, and a `{{Count}}` template) until
  the result line; the rate; the longest event-loop stall while sending; all arrivals checked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SIZE = (160, 50)
SUBJECT = "bench.stats"


# --- responder process ------------------------------------------------------------------------
async def _responders(url: str, user: str, password: str, count: int) -> None:
    import nats

    async def quiet(_: Exception) -> None:
        return None

    clients = []
    per_conn = 10
    for start in range(0, count, per_conn):
        nc = await nats.connect(url, user=user, password=password, error_cb=quiet)
        clients.append(nc)
        for i in range(start, min(start + per_conn, count)):
            body = json.dumps({"id": f"r{i:03d}", "status": "ok", "fps": 30}).encode()

            async def cb(msg: Any, nc: Any = nc, body: bytes = body) -> None:
                await nc.publish(msg.reply, body)

            await nc.subscribe(SUBJECT, cb=cb)
        await nc.flush()
    counts: dict[str, int] = {}

    async def tally(msg: Any) -> None:
        counts[msg.subject] = counts.get(msg.subject, 0) + 1

    async def report(msg: Any) -> None:
        await clients[0].publish(msg.reply, json.dumps(counts).encode())

    # Arrivals are counted here, in another process, so the app's loop carries only the app.
    await clients[0].subscribe("bench.pub.>", cb=tally, pending_msgs_limit=1_000_000)
    await clients[0].subscribe("bench.count", cb=report)
    await clients[0].flush()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for nc in clients:
        await nc.close()


# --- measurements -----------------------------------------------------------------------------
class LoopLag:
    """The longest time the event loop was busy past a 10 ms tick."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, time.perf_counter() - t0 - 0.01)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def _wait(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark condition not met")
        await asyncio.sleep(0.001)


async def bench_gather(app: Any, pilot: Any, expected: int, rounds: int) -> dict[str, Any]:
    from textual.widgets import Input

    from natstui.widgets.request_replies import ReplyTable
    from natstui.widgets.request_tab import RequestTab

    tab = app.query_one(RequestTab)
    app.action_show_tab("request")
    await pilot.pause()
    app.query_one("#req-subject", Input).value = SUBJECT
    app.query_one("#req-timeout", Input).value = "5"
    table = app.query_one(ReplyTable)
    totals, gathers, last, extra = [], [], [], []
    for n in range(rounds):
        t0 = time.perf_counter()
        await pilot.press("ctrl+g")
        await _wait(lambda n=n: len(tab.records) == n + 1 and table.row_count == expected)
        totals.append(time.perf_counter() - t0)
        result = tab.records[0].gathered
        assert result is not None and len(result.replies) == expected, "missing replies"
        gathers.append(result.elapsed)
        last.append(result.last_reply_latency or 0.0)
        extra.append(result.stop_wait or 0.0)
    return {
        "responders": expected,
        "rounds": rounds,
        "send_to_table_s": _stats(totals),
        "gather_elapsed_s": _stats(gathers),
        "last_reply_latency_s": _stats(last),
        "adaptive_extra_wait_s": _stats(extra),
        "stop": tab.records[0].gathered.stop if tab.records[0].gathered else None,
    }


async def bench_publish(app: Any, pilot: Any, watcher: Any, payload: str) -> dict[str, Any]:
    from textual.widgets import Input, TextArea

    from natstui.widgets.publish_tab import PublishTab

    subject = f"bench.pub.{time.monotonic_ns()}"
    tab = app.query_one(PublishTab)
    app.action_show_tab("publish")
    await pilot.pause()
    app.query_one("#pub-subject", Input).value = subject
    app.query_one("#pub-count", Input).value = "10000"
    app.query_one("#pub-payload", TextArea).load_text(payload)
    await pilot.pause()
    tab.last_result = None
    with LoopLag() as lag:
        t0 = time.perf_counter()
        await pilot.press("ctrl+s")
        await _wait(lambda: tab.last_result is not None)
        wall = time.perf_counter() - t0
    got = await _arrived(watcher, subject, 10000)
    result = tab.last_result
    assert result is not None and result.sent == 10000 and result.error is None
    return {
        "count": 10000,
        "payload_bytes": len(payload.encode()),
        "templated": "{{" in payload,
        "keypress_to_result_s": round(wall, 4),
        "publish_s": round(result.elapsed, 4),
        "msgs_per_s": round(result.rate),
        "worst_loop_stall_ms": round(lag.worst * 1000, 1),
        "received": got,
    }


async def _arrived(nc: Any, subject: str, want: int) -> int:
    """How many messages the responder process counted on `subject` (waits up to 30 s)."""
    deadline = time.perf_counter() + 30
    while True:
        msg = await nc.request("bench.count", b"", timeout=5)
        got = int(json.loads(msg.data).get(subject, 0))
        if got >= want or time.perf_counter() > deadline:
            return got
        await asyncio.sleep(0.05)


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


async def measure(local: Any, responders: int, rounds: int) -> dict[str, Any]:
    import nats

    from natstui.app import NatsTuiApp
    from tests.helpers import profile_for

    url = local.client_urls[0]
    watcher = await nats.connect(url, user=local.app_user, password=local.app_password)
    app = NatsTuiApp(profile=profile_for(local, system_auth=None))
    async with app.run_test(size=SIZE) as pilot:
        await _wait(lambda: app.session is not None and app.session.nc is not None)
        gather_numbers = await bench_gather(app, pilot, responders, rounds)
        static = await bench_publish(app, pilot, watcher, "x" * 128)
        templated = await bench_publish(app, pilot, watcher, '{"n": {{Count}}}' + "x" * 112)
    await watcher.close()
    return {
        "benchmark": "requests",
        "machine_cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "gather": gather_numbers,
        "publish_static": static,
        "publish_template": templated,
    }


def run(responders: int, rounds: int) -> dict[str, Any]:
    """Start the server and the responder process, measure, stop everything."""
    from natstui.demo.cluster import start_nats

    os.environ.setdefault("NATSTUI_DATA_DIR", tempfile.mkdtemp(prefix="natstui-bench-"))
    local = start_nats()
    args = [local.client_urls[0], local.app_user, local.app_password, str(responders)]
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        return asyncio.run(measure(local, responders, rounds))
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(10)
        local.stop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        url, user, password, count = sys.argv[2:6]
        asyncio.run(_responders(url, user, password, int(count)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(args.responders, args.rounds), indent=2))


if __name__ == "__main__":
    main()
