"""Benchmark: the live tail under a firehose, against a bare nats-py subscriber, in ONE run.

Run on purpose (pytest never collects tests/perf):

    .venv/bin/python -m tests.perf.bench_tail [--seconds 8] [--presses 60]
    .venv/bin/python -m tests.perf.bench_tail --soak [--soak-messages 1000000]

One local nats-server; a firehose publisher in a separate process (a raw socket writing
pre-built PUB batches of 128-byte payloads over 100 subjects: faster than any client library)
publishes to `bench.fire.<n>` for the whole run. Then, in this process:

1. `raw`: a bare nats-py callback (`count += 1`) on `bench.>`: messages/s.
2. `app`: the real app, headless (`App.run_test`), tailing `bench.>` from its profile:
   ingest rate (the tail's received counter), evicted and slow-consumer counts, RSS and peak
   RSS before the buffer is full, when it fills and at the end; and key-to-screen latency: a
   key event goes in through the driver, and the clock stops at the first frame the compositor
   produces after the list rendered the row under the moved cursor (p50 / p99 over `presses`).
3. `raw_again`: the bare subscriber once more, to show the machine did not change under us.

`--soak` instead publishes exactly N messages with a 10,000-message buffer and samples RSS every
half second: it must stay flat once the buffer is full.

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

SUBJECTS = 100
BATCH = 1000


# --- the firehose (runs in its own process) -----------------------------------------------------
def _watch_pings(sock: socket.socket, ping: threading.Event) -> None:
    """Read everything the server sends; flag PINGs (the writer answers between batches:
    two threads writing one socket would interleave bytes mid-command)."""
    buf = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            buf = (buf + chunk)[-64:]
            if b"PING\r\n" in buf:
                ping.set()
                buf = b""


def firehose(url: str, user: str, password: str, count: int, size: int) -> None:
    """Publish `count` messages (0 = forever) as fast as the socket takes them."""
    host, port = url.split("//")[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.recv(65536)  # INFO
    connect = {"user": user, "pass": password, "verbose": False, "pedantic": False}
    sock.sendall(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
    reply = b""
    while b"PONG" not in reply:
        reply += sock.recv(65536)
        if b"-ERR" in reply:
            raise SystemExit(reply.decode(errors="replace"))
    ping = threading.Event()
    threading.Thread(target=_watch_pings, args=(sock, ping), daemon=True).start()
    payload = (b'{"seq":0,"pad":"' + b"x" * size)[: size - 2] + b'"}'
    batch = b"".join(
        b"PUB bench.fire.%d %d\r\n%s\r\n" % (i % SUBJECTS, len(payload), payload)
        for i in range(BATCH)
    )
    sent = 0
    while count == 0 or sent < count:
        sock.sendall(batch)
        sent += BATCH
        if ping.is_set():
            ping.clear()
            sock.sendall(b"PONG\r\n")
    sock.sendall(b"PING\r\n")
    time.sleep(2)  # let the server take the tail of the stream before we hang up


# --- measurements -------------------------------------------------------------------------------
def rss() -> dict[str, int]:
    """Current and peak resident set size of this process, bytes (Linux /proc)."""
    fields: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields["rss" if key == "VmRSS" else "peak"] = int(value.split()[0]) * 1024
    return fields


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def server_varz(local: Any) -> dict[str, Any]:
    with urllib.request.urlopen(local.http_urls[0] + "/varz", timeout=5) as response:
        varz: dict[str, Any] = json.loads(response.read())
    return {k: varz.get(k) for k in ("slow_consumers", "stalled_clients", "in_msgs", "out_msgs")}


async def raw_rate(local: Any, seconds: float) -> dict[str, Any]:
    """A bare nats-py callback subscriber: the ceiling for any nats-py app."""
    import nats

    from natstui.core.tail import PENDING_BYTES_LIMIT, PENDING_MSGS_LIMIT

    count = 0
    dropped = 0

    async def on_msg(msg: Any) -> None:
        nonlocal count
        count += 1

    async def on_error(exc: Exception) -> None:
        nonlocal dropped
        dropped += 1

    nc = await nats.connect(
        local.client_urls[0],
        user=local.app_user,
        password=local.app_password,
        error_cb=on_error,
        pending_size=8 * 1024 * 1024,
    )
    await nc.subscribe(
        "bench.>",
        cb=on_msg,
        pending_msgs_limit=PENDING_MSGS_LIMIT,
        pending_bytes_limit=PENDING_BYTES_LIMIT,
    )
    await asyncio.sleep(1.0)  # warm-up
    start_count, started = count, time.perf_counter()
    await asyncio.sleep(seconds)
    rate = (count - start_count) / (time.perf_counter() - started)
    await nc.close()
    return {"msgs_per_s": round(rate), "errors": dropped}


class GcTimer:
    """Counts and times the cyclic garbage collector's passes (a suspect for loop stalls)."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.passes: dict[int, list[float]] = {0: [], 1: [], 2: []}
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        elif self.started is not None:
            self.passes[info["generation"]].append((time.perf_counter() - self.started) * 1000)

    def summary(self) -> dict[str, Any]:
        gc.callbacks.remove(self._callback)
        return {
            f"gen{gen}": {
                "count": len(ms),
                "total_ms": round(sum(ms), 1),
                "max_ms": round(max(ms), 1) if ms else 0,
            }
            for gen, ms in self.passes.items()
        }


class KeyToScreen:
    """Times a key press until the compositor produced a frame showing its effect."""

    def __init__(self, app: Any, lst: Any) -> None:
        self.app = app
        self.lst = lst
        self.target: int | None = None
        self.rendered_at: float | None = None
        self.frame_at: float | None = None
        self.shown = asyncio.Event()  # set by the frame hook: no polling that would steal the loop
        original_line = lst.render_line
        original_display = app._display

        def render_line(y: int) -> Any:
            strip = original_line(y)
            if (
                self.target is not None
                and self.rendered_at is None
                and lst.cursor == self.target
                and lst.scroll_offset.y + y == self.target
            ):
                self.rendered_at = time.perf_counter()
            return strip

        def display(screen: Any, renderable: Any) -> None:
            original_display(screen, renderable)
            if self.rendered_at is not None and self.frame_at is None:
                self.frame_at = time.perf_counter()
                self.shown.set()

        lst.render_line = render_line
        app._display = display

    async def press(self, key: str, target: int, timeout: float = 5.0) -> float:
        from textual import events

        self.target, self.rendered_at, self.frame_at = target, None, None
        self.shown.clear()
        started = time.perf_counter()
        self.app._driver.send_message(events.Key(key, None))
        try:
            await asyncio.wait_for(self.shown.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no frame showed {key!r} within {timeout}s") from None
        self.target = None
        assert self.frame_at is not None
        return (self.frame_at - started) * 1000


async def app_phase(local: Any, seconds: float, presses: int) -> dict[str, Any]:
    """The real app tailing the firehose: ingest, memory, key-to-screen."""
    from textual import events

    from natstui.app import NatsTuiApp
    from natstui.widgets.tail_list import TailList
    from natstui.widgets.tail_tab import TailTab
    from tests.helpers import profile_for, wait_for

    reset_peak_rss()
    memory: dict[str, Any] = {"before_app": rss()}
    app = NatsTuiApp(profile=profile_for(local, subscriptions=("bench.>",)))
    async with app.run_test(size=(200, 50)) as pilot:
        tab = app.query_one(TailTab)
        await wait_for(lambda: tab.tail is not None and tab.tail.subscriptions(), 20)
        await pilot.press("2")
        lst = app.query_one(TailList)
        await wait_for(lambda: lst.has_focus, 5)
        tail = tab.tail
        assert tail is not None
        memory["connected"] = rss()
        await wait_for(lambda: tail.buffer.evicted > 0, 60)
        memory["buffer_full"] = rss()
        memory["buffer_full_at_received"] = tail.received
        # Still following, no keys: memory must not grow once the buffer is full.
        follow_start, follow_received = time.perf_counter(), tail.received
        await asyncio.sleep(3.0)
        memory["full_plus_3s_following"] = rss()
        follow_rate = (tail.received - follow_received) / (time.perf_counter() - follow_start)
        start_received, start_slow = tail.received, tail.slow_consumers
        start_evicted, started = tail.buffer.evicted, time.perf_counter()
        timer = KeyToScreen(app, lst)
        gc_timer = GcTimer()
        # One press to pause (the list leaves follow mode), then the measured presses.
        app._driver.send_message(events.Key("up", None))
        await wait_for(lambda: not tab.view.following, 10)
        latencies = []
        samples = []
        for _ in range(presses):
            await asyncio.sleep(random.uniform(0.03, 0.08))
            latencies.append(await timer.press("up", lst.cursor - 1))
            samples.append(rss()["rss"])
        remaining = seconds - (time.perf_counter() - started)
        if remaining > 0:
            await asyncio.sleep(remaining)
        elapsed = time.perf_counter() - started
        received = tail.received - start_received
        # Paused, no keys: separates the cost of being paused from the cost of the presses.
        quiet_start, quiet_received = time.perf_counter(), tail.received
        await asyncio.sleep(3.0)
        paused_rate = (tail.received - quiet_received) / (time.perf_counter() - quiet_start)
        memory["end_paused"] = rss()  # the paused view holds a snapshot: up to 2x the buffer
        result = {
            "gc_in_window": gc_timer.summary(),
            "msgs_per_s": round(received / elapsed),
            "msgs_per_s_following_no_keys": round(follow_rate),
            "msgs_per_s_paused_no_keys": round(paused_rate),
            "seconds": round(elapsed, 2),
            "received_total": tail.received,
            "buffer": {
                "max_messages": tail.buffer.max_messages,
                "max_bytes": tail.buffer.max_bytes,
                "held": len(tail.buffer),
                "bytes": tail.buffer.bytes,
            },
            "evicted_in_window": tail.buffer.evicted - start_evicted,
            "evicted_total": tail.buffer.evicted,
            "slow_consumer_drops_in_window": tail.slow_consumers - start_slow,
            "slow_consumer_drops_total": tail.slow_consumers,
            "key_to_screen_ms": {
                "presses": len(latencies),
                "p50": round(statistics.median(latencies), 1),
                "p99": round(percentile(latencies, 99), 1),
                "max": round(max(latencies), 1),
            },
            "rss_mib_during_presses": {
                "min": round(min(samples) / 2**20, 1),
                "max": round(max(samples) / 2**20, 1),
            },
            "memory_mib": {
                k: {kk: round(vv / 2**20, 1) for kk, vv in v.items()} if isinstance(v, dict) else v
                for k, v in memory.items()
            },
        }
        await app.action_quit()
    return result


async def soak(local: Any, messages: int, buffer: int) -> dict[str, Any]:
    """N messages through a small buffer: RSS must stay flat once the buffer is full."""
    from natstui.app import NatsTuiApp
    from natstui.widgets.tail_tab import TailTab
    from tests.helpers import profile_for, wait_for

    os.environ["NATSTUI_TAIL_MAX_MESSAGES"] = str(buffer)
    app = NatsTuiApp(profile=profile_for(local, subscriptions=("bench.>",)))
    samples: list[tuple[float, int, int]] = []
    async with app.run_test(size=(200, 50)) as pilot:
        tab = app.query_one(TailTab)
        await wait_for(lambda: tab.tail is not None and tab.tail.subscriptions(), 20)
        await pilot.press("2")
        tail = tab.tail
        assert tail is not None
        pub = start_publisher(local, messages)
        started = time.perf_counter()
        full_at = None
        last_total, idle_since = -1, time.perf_counter()
        while True:
            await asyncio.sleep(0.5)
            total = tail.received + tail.slow_consumers
            samples.append((time.perf_counter() - started, tail.received, rss()["rss"]))
            if full_at is None and tail.buffer.evicted > 0:
                full_at = len(samples) - 1
            if total >= messages:
                break
            if total != last_total:
                last_total, idle_since = total, time.perf_counter()
            elif time.perf_counter() - idle_since > 10:
                break  # the publisher is done and nothing more arrives
        elapsed = time.perf_counter() - started
        pub.wait(timeout=30)
        after_full = [s[2] for s in samples[(full_at or 0) + 1 :]] or [samples[-1][2]]
        first_after = after_full[0]
        result = {
            "messages_published": messages,
            "received": tail.received,
            "slow_consumer_drops": tail.slow_consumers,
            "evicted": tail.buffer.evicted,
            "buffer_max_messages": tail.buffer.max_messages,
            "held": len(tail.buffer),
            "seconds": round(elapsed, 1),
            "msgs_per_s": round(tail.received / elapsed),
            "rss_mib": {
                "at_buffer_full": round(first_after / 2**20, 1),
                "min_after_full": round(min(after_full) / 2**20, 1),
                "max_after_full": round(max(after_full) / 2**20, 1),
                "end": round(samples[-1][2] / 2**20, 1),
                "growth_after_full_pct": round(
                    100 * (max(after_full) - first_after) / first_after, 1
                ),
            },
            "rss_mib_samples": [
                round(s[2] / 2**20, 1) for s in samples[:: max(1, len(samples) // 20)]
            ],
        }
        await app.action_quit()
    return result


def start_publisher(local: Any, count: int, size: int = 128) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "tests.perf.bench_tail",
        "--publisher",
        local.client_urls[0],
        local.app_user,
        str(count),
        str(size),
    ]
    env = dict(os.environ, BENCH_NATS_PASSWORD=local.app_password)
    return subprocess.Popen(args, env=env, cwd=Path(__file__).resolve().parents[2])


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from natstui.demo.cluster import start_nats

    local = start_nats()
    try:
        if args.soak:
            return {"soak": await soak(local, args.soak_messages, args.soak_buffer)}
        pub = start_publisher(local, 0)
        try:
            await asyncio.sleep(1.0)
            raw = await raw_rate(local, args.seconds)
            app = await app_phase(local, args.seconds, args.presses)
            raw_again = await raw_rate(local, args.seconds)
            varz = server_varz(local)
        finally:
            pub.kill()
            pub.wait()
        raw_best = max(raw["msgs_per_s"], raw_again["msgs_per_s"])
        return {
            "payload_bytes": 128,
            "raw": raw,
            "app": app,
            "raw_again": raw_again,
            "ratio_app_to_raw": round(app["msgs_per_s"] / raw["msgs_per_s"], 3),
            "ratio_following_to_raw": round(
                app["msgs_per_s_following_no_keys"] / raw["msgs_per_s"], 3
            ),
            "ratio_paused_no_keys_to_raw": round(
                app["msgs_per_s_paused_no_keys"] / raw["msgs_per_s"], 3
            ),
            "ratio_app_to_best_raw": round(app["msgs_per_s"] / raw_best, 3),
            "server": varz,
            "cpus": os.cpu_count(),
        }
    finally:
        local.stop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--publisher":
        url, user, count, size = sys.argv[2:6]
        firehose(url, user, os.environ["BENCH_NATS_PASSWORD"], int(count), int(size))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--soak", action="store_true")
    parser.add_argument("--soak-messages", type=int, default=1_000_000)
    parser.add_argument("--soak-buffer", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args)), indent=2))


if __name__ == "__main__":
    main()
