"""Simulated services for the demo, on real NATS connections.

- Transcoders (a few per region, each on its own connection to its region's servers) publish
  JSON telemetry on `transcoder.<region>.<id>.stats` a few times a second, answer the
  scatter-gather request `monitor.transcoders.stats` (every one replies) and register as the
  micro service `transcoder` with a `control` endpoint on `transcoder.<region>.<id>.control`.
- A scheduler per region (micro service `scheduler`, endpoint `assign` on
  `scheduler.<region>.assign`) hands out the least loaded transcoder it has heard from.
- A monitor fires the scatter-gather every few seconds and publishes `monitor.summary`.

`ServicesThread` runs all of it on its own asyncio loop in a background thread, so the Textual
app keeps its own loop to itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats import micro
from nats.aio.client import Client
from nats.aio.msg import Msg

from natstui.demo.telemetry import Transcoder, summarize

GATHER_SUBJECT = "monitor.transcoders.stats"
SUMMARY_SUBJECT = "monitor.summary"
TRANSCODERS_PER_REGION = 3
TELEMETRY_HZ = 4.0
MONITOR_INTERVAL = 3.0
GATHER_WINDOW = 1.0
SERVICE_VERSION = "1.4.2"

# Every TLS close logs "returning true from eof_received()..." on the asyncio logger, and
# anything logged from this thread would land on the app's full-screen terminal.
logging.getLogger("asyncio").setLevel(logging.CRITICAL)
logging.getLogger("nats").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class ServiceTarget:
    """Where the services connect: each region's client URLs, the app user, the run's CA."""

    regions: dict[str, list[str]]
    user: str
    password: str
    ca_file: Path | None = None
    transcoders_per_region: int = TRANSCODERS_PER_REGION

    @property
    def all_urls(self) -> list[str]:
        return [url for urls in self.regions.values() for url in urls]

    def transcoder_keys(self) -> list[str]:
        return [
            f"{region}/tc{n}"
            for region in self.regions
            for n in range(1, self.transcoders_per_region + 1)
        ]


async def _ignore(*_: Any) -> None:
    """nats-py's default error_cb logs tracebacks; the demo's services keep quiet."""


async def connect(target: ServiceTarget, urls: list[str], name: str) -> Client:
    """One service connection; reconnects forever so a killed server is only a blip."""
    tls = ssl.create_default_context(cafile=str(target.ca_file)) if target.ca_file else None
    return await nats.connect(
        servers=urls,
        name=name,
        user=target.user,
        password=target.password,
        tls=tls,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        error_cb=_ignore,
        disconnected_cb=_ignore,
        reconnected_cb=_ignore,
        closed_cb=_ignore,
    )


async def _close(nc: Client) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(nc.drain(), 2.0)
    with contextlib.suppress(Exception):
        await nc.close()


class _Periodic:
    """Runs `step` every `interval` seconds (never overlapping) until cancelled."""

    def __init__(self, interval: float, step: Callable[[], Awaitable[None]]) -> None:
        self.interval = interval
        self.step = step
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            with contextlib.suppress(Exception):  # a publish during a reconnect may fail
                await self.step()
            await asyncio.sleep(max(0.0, self.interval - (loop.time() - began)))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


class TranscoderNode:
    """A transcoder on its own connection: telemetry, scatter-gather replies, micro service."""

    def __init__(self, model: Transcoder, nc: Client) -> None:
        self.model = model
        self.nc = nc
        self.subject = f"transcoder.{model.region}.{model.id}"
        self._ticker = _Periodic(1.0 / TELEMETRY_HZ, self._publish)
        self._service: Any = None

    async def start(self) -> None:
        await self.nc.subscribe(GATHER_SUBJECT, cb=self._on_gather)
        self._service = await micro.add_service(
            self.nc,
            name="transcoder",
            version=SERVICE_VERSION,
            description="Simulated video transcoder",
            metadata={"region": self.model.region, "transcoder": self.model.id},
        )
        await self._service.add_endpoint(
            name="control", subject=f"{self.subject}.control", handler=self._on_control
        )
        self._ticker.start()

    async def _publish(self) -> None:
        self.model.tick(1.0 / TELEMETRY_HZ)
        await self.nc.publish(f"{self.subject}.stats", self._stats_bytes())

    def _stats_bytes(self) -> bytes:
        return json.dumps(self.model.stats()).encode()

    async def _on_gather(self, msg: Msg) -> None:
        if msg.reply:
            await self.nc.publish(msg.reply, self._stats_bytes())

    async def _on_control(self, request: Any) -> None:
        """Actions: `status` (default), `degrade`, `recover`; anything else is a 400 error."""
        try:
            action = json.loads(request.data or b"{}").get("action", "status")
        except (ValueError, AttributeError):
            await request.respond_error("400", "body must be a JSON object")
            return
        if action == "degrade":
            self.model.degrade(40)
        elif action == "recover":
            self.model.recover()
        elif action != "status":
            await request.respond_error("400", f"unknown action {action!r}")
            return
        await request.respond(self._stats_bytes())

    async def stop(self) -> None:
        await self._ticker.stop()
        if self._service is not None:
            with contextlib.suppress(Exception):
                await self._service.stop()


class SchedulerNode:
    """Per region: tracks transcoder load from telemetry, assigns the least loaded one."""

    def __init__(self, region: str, nc: Client) -> None:
        self.region = region
        self.nc = nc
        self.load: dict[str, float] = {}
        self._service: Any = None

    async def start(self) -> None:
        await self.nc.subscribe(f"transcoder.{self.region}.*.stats", cb=self._on_stats)
        self._service = await micro.add_service(
            self.nc,
            name="scheduler",
            version=SERVICE_VERSION,
            description="Assigns streams to the least loaded transcoder of a region",
            metadata={"region": self.region},
        )
        await self._service.add_endpoint(
            name="assign", subject=f"scheduler.{self.region}.assign", handler=self._on_assign
        )

    async def _on_stats(self, msg: Msg) -> None:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(msg.data)
            self.load[str(data["id"])] = float(data["cpu"])

    async def _on_assign(self, request: Any) -> None:
        if not self.load:
            await request.respond_error("503", "no transcoder heard from yet")
            return
        best = min(self.load, key=lambda key: self.load[key])
        body = {"region": self.region, "transcoder": best, "cpu": self.load[best]}
        await request.respond(json.dumps(body).encode())

    async def stop(self) -> None:
        if self._service is not None:
            with contextlib.suppress(Exception):
                await self._service.stop()


class MonitorNode:
    """Fires the scatter-gather periodically and publishes a summary of who answered."""

    def __init__(self, nc: Client, expected: list[str]) -> None:
        self.nc = nc
        self.expected = expected
        self.rounds = 0
        self._ticker = _Periodic(MONITOR_INTERVAL, self._round)

    def start(self) -> None:
        self._ticker.start()

    async def _round(self) -> None:
        replies = await gather(self.nc, GATHER_SUBJECT, len(self.expected), GATHER_WINDOW)
        summary = summarize(replies, self.expected)
        summary["round"] = self.rounds = self.rounds + 1
        await self.nc.publish(SUMMARY_SUBJECT, json.dumps(summary).encode())

    async def stop(self) -> None:
        await self._ticker.stop()


async def gather(nc: Client, subject: str, expected: int, window: float) -> list[dict[str, Any]]:
    """Scatter-gather: replies to one request until `expected` arrived or `window` passed."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    replies: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + window
    try:
        await nc.publish(subject, b"{}", reply=inbox)
        while len(replies) < expected and (left := deadline - loop.time()) > 0:
            msg = await sub.next_msg(timeout=left)
            with contextlib.suppress(ValueError):
                replies.append(json.loads(msg.data))
    except (TimeoutError, nats.errors.TimeoutError):
        pass
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    return replies


class DemoServices:
    """All simulated services of the demo, started and stopped together on one loop."""

    def __init__(self, target: ServiceTarget, seed: int | None = None) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.transcoders: list[TranscoderNode] = []
        self.schedulers: list[SchedulerNode] = []
        self.monitor: MonitorNode | None = None
        self._connections: list[Client] = []

    async def _connect(self, urls: list[str], name: str) -> Client:
        nc = await connect(self.target, urls, name)
        self._connections.append(nc)
        return nc

    async def start(self) -> None:
        for region, urls in self.target.regions.items():
            for n in range(1, self.target.transcoders_per_region + 1):
                model = Transcoder(region, f"tc{n}", random.Random(self.rng.random()))
                nc = await self._connect(urls, f"demo transcoder {model.key}")
                self.transcoders.append(TranscoderNode(model, nc))
            nc = await self._connect(urls, f"demo scheduler {region}")
            self.schedulers.append(SchedulerNode(region, nc))
        for transcoder in self.transcoders:
            await transcoder.start()
        for scheduler in self.schedulers:
            await scheduler.start()
        nc = await self._connect(self.target.all_urls, "demo monitor")
        self.monitor = MonitorNode(nc, self.target.transcoder_keys())
        self.monitor.start()

    async def stop(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()
        for transcoder in self.transcoders:
            await transcoder.stop()
        for scheduler in self.schedulers:
            await scheduler.stop()
        await asyncio.gather(*(_close(nc) for nc in self._connections))
        self._connections.clear()


class ServicesError(RuntimeError):
    """The simulated services could not start."""


class ServicesThread:
    """Runs `DemoServices` on a private event loop in a daemon thread."""

    def __init__(self, target: ServiceTarget) -> None:
        self.target = target
        self._thread = threading.Thread(target=self._run, name="demo-services", daemon=True)
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start the services; returns once every service is connected and registered."""
        self._thread.start()
        if not self._started.wait(timeout):
            self.stop()
            raise ServicesError(f"demo services did not start within {timeout:g}s")
        if self._error is not None:
            self.stop()
            raise ServicesError(f"demo services failed to start: {self._error}") from self._error

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        services = DemoServices(self.target)
        try:
            await services.start()
        except BaseException as exc:  # reported to the starting thread, not lost in this one
            self._error = exc
        self._started.set()
        if self._error is None:
            await self._stop.wait()
        await services.stop()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every service and close its connections. Safe to call more than once."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                loop.call_soon_threadsafe(stop.set)
        if self._thread.is_alive():
            self._thread.join(timeout)
