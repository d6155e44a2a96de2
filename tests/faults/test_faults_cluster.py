"""Fault suite: the real app through server crashes, lame duck and a whole-cluster restart.

One scenario on a 3-node cluster of its own (`make_nats(servers=3)`), with the app doing
everything at once: a live tail of `load.>` fed by a background publisher that numbers its
messages, cluster polling every 0.4 s, and scatter-gathers against three responders. Then, one
after another: SIGKILL the node the app is on, SIGKILL another node, lame-duck the node the app
is on, kill all three and bring them back. Through all of it:

- the app never crashes, no traceback reaches the screen and no worker error is notified;
- keys keep working while servers are down (pause/follow, tab switches, re-firing a gather);
- the status bar shows `reconnecting`, then `connected` with a growing reconnect count, and
  names the server the app is on now (not the one that died);
- the Cluster tab flags each dead server as MISSING and shows it again when it is back, with
  no negative rate although the restarted server's counters began again from zero;
- every gather fired before a fault finishes, and one after recovery hears all responders;
- a paced publish run from the Publish tab and a services discovery round straddle the full
  outage: the run ends with a result, discovery finds the micro service again afterwards;
- the tail's counters add up: received = buffered + evicted, received + dropped <= published,
  no message twice, and outside the fault windows the app and a second raw nats-py subscriber
  both got every single message (both may lose in-flight messages only while a fault is open).

A second, shorter scenario runs the node kill on a TLS cluster: the link must come back as
verified TLS (never plaintext) and everything above still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import nats
import pytest
from nats import micro
from nats.aio.client import Client
from nats.aio.msg import Msg
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from natstui.app import NatsTuiApp
from natstui.core.connection import tls_context
from natstui.demo.cluster import LocalNats
from natstui.widgets.cluster_tab import ClusterTab
from natstui.widgets.publish_tab import PublishTab
from natstui.widgets.request_tab import RequestTab
from natstui.widgets.services_tab import ServicesTab
from natstui.widgets.status_bar import StatusBar
from natstui.widgets.tail_status import TailStatus
from natstui.widgets.tail_tab import TailTab
from tests.helpers import MakeNats, profile_for, wait_for
from tests.helpers_screen import screen_text

SIZE = (200, 50)
SUBJECT = "load.>"
GATHER_SUBJECT = "fault.stats"
BUFFER_CAP = 1500  # small, so the run evicts and `received = buffered + evicted` means something
BURST, PACE = 5, 0.02  # ~250 msg/s: a steady stream that a shared 2-core machine keeps up with
PUBLISH_RUN = 100  # messages of the Publish tab's paced run through the full outage
SLOW_REPLY = 0.8  # r0 answers this late: a gather is still open when the fault lands
RECOVERY = 20.0  # generous bound for reconnects / restarts on a loaded machine


# --- the traffic around the app ----------------------------------------------------------------
async def _quiet(_: Exception) -> None:
    return None


async def connect_raw(local: LocalNats, first: int = 0) -> Client:
    """A plain nats-py client of the app account, trying server `first` first, reconnecting."""
    urls = local.client_urls[first:] + local.client_urls[:first]
    tls = tls_context(profile_for(local))  # the run's CA when the cluster uses TLS
    return await nats.connect(
        urls,
        user=local.app_user,
        password=local.app_password,
        dont_randomize=True,
        reconnect_time_wait=0.2,
        max_reconnect_attempts=-1,
        error_cb=_quiet,
        **({"tls": tls} if tls is not None else {}),
    )


@dataclass
class Publisher:
    """Publishes `load.<n>` with payload `n` (n = 0, 1, 2, …) until stopped."""

    nc: Client
    next_seq: int = 0
    sent: int = 0  # publish() calls that returned (nats-py buffers them while reconnecting)
    failed: list[int] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for _ in range(BURST):
                seq = self.next_seq
                self.next_seq += 1
                try:
                    await self.nc.publish(f"load.{seq % 7}", str(seq).encode())
                    self.sent += 1
                except Exception:
                    self.failed.append(seq)
            await asyncio.sleep(PACE)  # pacing of the load, not synchronisation

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.nc.flush(timeout=RECOVERY)


@dataclass
class Seen:
    """Sequence numbers one subscriber received, in arrival order."""

    seqs: list[int] = field(default_factory=list)

    def add(self, data: bytes) -> None:
        self.seqs.append(int(data))

    @property
    def last(self) -> int:
        return self.seqs[-1] if self.seqs else -1

    def first_at_or_after(self, seq: int) -> int | None:
        return next((s for s in self.seqs if s >= seq), None)


async def raw_subscriber(local: LocalNats, seen: Seen) -> Client:
    nc = await connect_raw(local, first=1)

    async def on_msg(msg: Msg) -> None:
        seen.add(msg.data)

    await nc.subscribe(SUBJECT, cb=on_msg, pending_msgs_limit=1_000_000)
    await nc.flush()
    return nc


async def responders(local: LocalNats) -> list[Client]:
    """Three responders to `fault.stats`, one starting on each node; each says who it is.

    r0 answers late, so a gather fired just before a fault is still collecting when it lands."""
    clients = []
    for i in range(3):
        nc = await connect_raw(local, first=i)

        def answer(name: str, nc: Client) -> Callable[[Msg], Awaitable[None]]:
            async def cb(msg: Msg) -> None:
                if name == "r0":
                    # A slow responder keeps each gather open while the fault lands.
                    await asyncio.sleep(SLOW_REPLY)
                with contextlib.suppress(Exception):
                    await nc.publish(msg.reply, f'{{"id": "{name}"}}'.encode())

            return cb

        await nc.subscribe(GATHER_SUBJECT, cb=answer(f"r{i}", nc))
        if i == 1:  # one micro service, for the Services tab
            service = await micro.add_service(nc, name="faultsvc", version="1.0.0")
            await service.add_endpoint(name="ping", subject="fault.svc", handler=_ok)
        await nc.flush()
        clients.append(nc)
    return clients


async def _ok(request: micro.Request) -> None:
    await request.respond(b"ok")


# --- what the app shows ------------------------------------------------------------------------
def bar(app: NatsTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


def reconnects(app: NatsTuiApp) -> int:
    match = re.search(r"reconnects (\d+)", bar(app))
    assert match, f"no reconnect count in the status bar: {bar(app)!r}"
    return int(match.group(1))


def server_rows(app: NatsTuiApp) -> dict[str, str]:
    """Server name -> its state cell, as the Cluster tab's table shows them."""
    table = app.query_one("#cluster-servers", DataTable)
    rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
    return {r[0]: r[2] for r in rows}


@dataclass
class Harness:
    """Everything one scenario needs, with the checks it repeats after every step."""

    app: NatsTuiApp
    pilot: Pilot[None]
    local: LocalNats
    publisher: Publisher
    raw: Seen
    in_app: Seen
    calm: list[tuple[int, int]] = field(default_factory=list)  # [start, end] seq windows
    calm_from: int = 0
    collector: asyncio.Task[None] | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (severity, message)

    @property
    def tail(self) -> TailTab:
        return self.app.query_one(TailTab)

    @property
    def requests(self) -> RequestTab:
        return self.app.query_one(RequestTab)

    def app_index(self) -> int:
        """Index of the server the app's connection is on."""
        session = self.app.session
        assert session is not None and session.nc is not None
        url = session.nc.connected_url
        assert url is not None
        return next(i for i, s in enumerate(self.local.servers) if s.client_port == url.port)

    def record_notifications(self) -> None:
        """Keep every notification (they expire from the screen) to check them all later."""
        original = self.app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.notes.append((str(kwargs.get("severity", "information")), str(message)))
            original(message, **kwargs)

        self.app.notify = notify  # type: ignore[method-assign]

    def assert_healthy_screen(self, when: str) -> None:
        text = screen_text(self.app)
        assert "Traceback" not in text, f"traceback on screen {when}"
        errors = [message for severity, message in self.notes if severity == "error"]
        assert not errors, f"error notifications {when}: {errors}"
        assert self.app._exception is None

    async def keys_answer(self, when: str, *, switch_tabs: bool = False) -> None:
        """Pause and resume the tail with `p` (and hop to Request and back): the UI is alive.

        Tab hops are kept for the worst moment: each `pilot.press` that switches tabs waits
        out the tab underline animation (~0.5 s; the app itself reacts in < 0.1 s)."""
        status = self.app.query_one(TailStatus)
        await self.pilot.press("p")
        await wait_for(lambda: "PAUSED" in status.text.plain, message=f"pause {when}")
        await self.pilot.press("p")
        await wait_for(lambda: "FOLLOWING" in status.text.plain, message=f"follow {when}")
        if not switch_tabs:
            return
        tabs = self.app.query_one("#tabs", TabbedContent)
        await self.pilot.press("alt+4")
        await wait_for(lambda: tabs.active == "request", message=f"alt+4 {when}")
        await self.pilot.press("alt+2")
        await wait_for(lambda: tabs.active == "tail", message=f"alt+2 {when}")
        await wait_for(lambda: self.app.focused is self.tail.tail_list, message="tail focus")

    async def fire_gather(self) -> int:
        """Start a gather (the form is filled in at start); returns the record count before.

        Called as the tab's action rather than through keys: every `pilot.press` that switches
        tabs waits out the tab underline animation (~0.5 s), and `keys_answer` covers keys."""
        before = len(self.requests.records)
        self.requests.action_gather()
        await wait_for(self.gathering, message="gather started")
        return before

    def gathering(self) -> bool:
        return any(w.group == "request" and w.is_running for w in self.requests.workers)

    async def gather_hears_everyone(self, when: str) -> None:
        async def all_three() -> bool:
            before = await self.fire_gather()
            await wait_for(lambda: len(self.requests.records) > before, RECOVERY)
            got = self.requests.records[0].gathered
            assert got is not None
            return {r.responder for r in got.replies} == {"r0", "r1", "r2"}

        await wait_for(all_three, RECOVERY, message=f"all responders answer {when}")

    async def drained(self) -> int:
        """Wait until both subscribers got everything published so far; returns that seq."""
        mark = self.publisher.next_seq - 1
        await wait_for(
            lambda: self.raw.last >= mark and self.in_app.last >= mark,
            RECOVERY,
            message=f"both subscribers reach seq {mark}",
        )
        return mark

    async def begin_fault(self) -> None:
        """Close the calm window: everything published so far must have reached both."""
        end = await self.drained()
        self.calm.append((self.calm_from, end))

    async def end_fault(self, when: str) -> None:
        """After recovery, a new calm window starts at the first seq both received again."""
        mark = self.publisher.next_seq
        await wait_for(
            lambda: self.raw.last >= mark and self.in_app.last >= mark,
            RECOVERY,
            message=f"messages flow again {when}",
        )
        raw_first = self.raw.first_at_or_after(mark)
        app_first = self.in_app.first_at_or_after(mark)
        assert raw_first is not None and app_first is not None
        self.calm_from = max(raw_first, app_first)

    async def status_names_the_server(self, when: str) -> None:
        """The status bar names the server the app is on now, not the one that died."""
        server = self.local.servers[self.app_index()]
        await wait_for(
            lambda: f":{server.client_port} ({server.name}" in bar(self.app),
            RECOVERY,
            message=f"status bar shows {server.name} {when}",
        )

    async def wait_status(self, word: str, when: str) -> None:
        await wait_for(lambda: f"│ {word} │" in bar(self.app), RECOVERY, message=f"{word} {when}")

    async def wait_missing(self, name: str, when: str) -> None:
        """The model flags `name` as missing, and the Cluster table shows it (switched to: a
        hidden tab need not repaint)."""
        tab = self.app.query_one(ClusterTab)
        await wait_for(
            lambda: tab.snapshot is not None and name in tab.snapshot.missing_servers,
            RECOVERY,
            message=f"{name} missing in the snapshot {when}",
        )
        await self.on_cluster_tab(
            lambda rows: rows.get(name) == "MISSING", f"{name} shown MISSING {when}"
        )

    async def on_cluster_tab(self, shows: Callable[[dict[str, str]], bool], what: str) -> None:
        """Switch to Cluster with its key, wait until its table `shows` it, switch back."""
        tabs = self.app.query_one("#tabs", TabbedContent)
        await self.pilot.press("alt+1")
        await wait_for(lambda: tabs.active == "cluster", message=f"alt+1 ({what})")
        await wait_for(lambda: shows(server_rows(self.app)), RECOVERY, message=what)
        await self.pilot.press("alt+2")
        await wait_for(lambda: tabs.active == "tail", message=f"alt+2 ({what})")
        await wait_for(lambda: self.app.focused is self.tail.tail_list, message="tail focus")

    def assert_rates_sane(self, when: str) -> None:
        """A restarted server's counters start again from zero: no rate may go negative."""
        snap = self.app.query_one(ClusterTab).snapshot
        assert snap is not None
        for row in snap.servers:
            for rate in (
                row.in_msgs_rate,
                row.out_msgs_rate,
                row.in_bytes_rate,
                row.out_bytes_rate,
            ):
                assert rate is None or rate >= 0, f"{row.name} shows a negative rate {when}"
        for link in snap.routes:
            for rate in (link.in_msgs_rate, link.out_msgs_rate):
                assert rate is None or rate >= 0, f"route {link.source}->{link.remote} {when}"

    async def wait_all_back(self, when: str, *, on_screen: bool = False) -> None:
        tab = self.app.query_one(ClusterTab)
        names = {s.name for s in self.local.servers}
        await wait_for(
            lambda: (
                tab.snapshot is not None
                and tab.snapshot.answered == 3
                and {r.name for r in tab.snapshot.servers} == names
                and not tab.snapshot.missing_servers
            ),
            RECOVERY,
            message=f"all servers back {when}",
        )
        refreshes = tab.refreshes
        await wait_for(lambda: tab.refreshes >= refreshes + 2, RECOVERY, message="two refreshes")
        self.assert_rates_sane(when)
        if on_screen:
            await self.on_cluster_tab(
                lambda rows: set(rows) == names and "MISSING" not in rows.values(),
                f"every server shown again {when}",
            )


async def collect_app_seqs(tab: TailTab, seen: Seen) -> None:
    """Copy the seqs of the app's buffered messages as they arrive (before eviction can hit)."""
    last = 0
    while True:
        tail = tab.tail
        if tail is not None:
            for entry in tail.buffer.since(last):
                seen.add(entry.data)
                last = entry.seq
            if tail.buffer.evicted and tail.buffer.first_seq > last + 1:
                raise AssertionError("the collector fell behind the buffer")
        await asyncio.sleep(0.05)  # a poll of the buffer, not a synchronisation


Traffic = tuple[LocalNats, Publisher, Seen]


@pytest.fixture
async def make_traffic(make_nats: MakeNats) -> AsyncIterator[Callable[..., Awaitable[Traffic]]]:
    """Start a 3-node cluster (with `make_nats` options) plus publisher, raw subscriber and
    responders; everything is closed at teardown."""
    clients: list[Client] = []
    publishers: list[Publisher] = []

    async def make(**options: Any) -> Traffic:
        local = make_nats(servers=3, **options)
        seen = Seen()
        clients.append(await raw_subscriber(local, seen))
        clients.extend(await responders(local))
        publisher = Publisher(await connect_raw(local, first=2))
        publishers.append(publisher)
        clients.append(publisher.nc)
        return local, publisher, seen

    yield make
    for publisher in publishers:
        if publisher.task is not None:
            publisher.task.cancel()
    for nc in clients:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(nc.close(), 2.0)


def fill_request_form(app: NatsTuiApp) -> None:
    """Gather until all three answered or 1.5 s passed; the slow r0 keeps it open ~0.8 s."""
    for widget_id, value in (
        ("req-subject", GATHER_SUBJECT),
        ("req-timeout", "1.5"),
        ("req-max", "3"),
        ("req-gap", "5"),  # longer than the timeout: no early stop on a quiet spell
    ):
        app.query_one(f"#{widget_id}", Input).value = value
    app.query_one("#req-payload", TextArea).load_text("{}")


@pytest.mark.timeout(120)
async def test_app_survives_kills_lame_duck_and_full_restart(
    make_traffic: Callable[..., Awaitable[Traffic]], monkeypatch: pytest.MonkeyPatch
) -> None:
    local, publisher, raw = await make_traffic()
    monkeypatch.setenv("NATSTUI_TAIL_MAX_MESSAGES", str(BUFFER_CAP))
    app = NatsTuiApp(profile=profile_for(local, subscriptions=(SUBJECT,)))
    async with app.run_test(size=SIZE) as pilot:
        h = Harness(app, pilot, local, publisher, raw, Seen())
        await start(h)
        await kill_and_restart(h, h.app_index(), "kill the app's node")
        await kill_and_restart(h, (h.app_index() + 1) % 3, "kill another node")
        await lame_duck(h)
        await restart_everything(h)
        await finish(h)
    assert app._exception is None


@pytest.mark.timeout(90)
async def test_tls_cluster_failover_keeps_tls_and_the_tail(
    make_traffic: Callable[..., Awaitable[Traffic]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over TLS (the production case): the app's node dies; the link comes back verified TLS,
    not plaintext, and the tail, polling and gathers carry on."""
    local, publisher, raw = await make_traffic(tls=True)
    monkeypatch.setenv("NATSTUI_TAIL_MAX_MESSAGES", str(BUFFER_CAP // 3))  # a shorter run
    app = NatsTuiApp(profile=profile_for(local, subscriptions=(SUBJECT,)))
    async with app.run_test(size=SIZE) as pilot:
        h = Harness(app, pilot, local, publisher, raw, Seen())
        await start(h)
        assert "TLS TLSv1." in bar(app) and "PLAINTEXT" not in bar(app)
        await kill_and_restart(h, h.app_index(), "kill the app's TLS node")
        await wait_for(lambda: "TLS TLSv1." in bar(app), message="TLS shown after reconnect")
        assert "PLAINTEXT" not in bar(app) and "UNVERIFIED" not in bar(app)
        await finish(h, windows=2, reconnected=1)
    assert app._exception is None


async def start(h: Harness) -> None:
    h.record_notifications()
    tab = h.tail
    await wait_for(lambda: tab.tail is not None and tab.tail.subscriptions(), RECOVERY)
    cluster = h.app.query_one(ClusterTab)
    cluster.set_refresh_interval(0.4)
    fill_request_form(h.app)
    await h.pilot.press("2")
    await wait_for(lambda: h.app.focused is tab.tail_list, message="tail list focused")
    h.collector = asyncio.create_task(collect_app_seqs(tab, h.in_app))
    h.publisher.start()
    await h.wait_all_back("at start")
    await h.wait_status("connected", "at start")
    await h.drained()
    await h.gather_hears_everyone("at start")
    h.assert_healthy_screen("at start")


async def kill_and_restart(h: Harness, victim: int, when: str) -> None:
    name = h.local.servers[victim].name
    was_on_victim = victim == h.app_index()
    before = reconnects(h.app)
    await h.begin_fault()
    pending = await h.fire_gather()
    assert h.gathering(), "the gather should still be open when the fault lands"
    h.local.kill(victim)
    await h.wait_missing(name, when)
    await h.keys_answer(f"while {name} is down")
    await wait_for(
        lambda: len(h.requests.records) > pending, RECOVERY, message="in-flight gather ends"
    )
    if was_on_victim:
        await wait_for(lambda: reconnects(h.app) > before, RECOVERY, message=f"reconnect {when}")
        assert h.app_index() != victim
        await h.status_names_the_server(f"after {when}")
    await h.local.arestart(victim)
    await h.wait_all_back(f"after {when}")
    await h.wait_status("connected", f"after {when}")
    await h.end_fault(when)
    await h.gather_hears_everyone(f"after {when}")
    h.assert_healthy_screen(f"after {when}")


async def lame_duck(h: Harness) -> None:
    victim = h.app_index()
    name = h.local.servers[victim].name
    before = reconnects(h.app)
    await h.begin_fault()
    pending = await h.fire_gather()
    assert h.gathering(), "the gather should still be open when the fault lands"
    h.local.lame_duck(victim)
    await wait_for(lambda: "lame-duck" in bar(h.app), RECOVERY, message="lame duck shown")
    await h.keys_answer(f"while {name} is in lame duck")
    await wait_for(
        lambda: len(h.requests.records) > pending, RECOVERY, message="in-flight gather ends"
    )
    assert await asyncio.to_thread(h.local.wait_exited, victim, 40) == 0
    await h.wait_missing(name, "after lame duck")
    await wait_for(
        lambda: reconnects(h.app) > before, RECOVERY, message="reconnect after lame duck"
    )
    await h.status_names_the_server("after lame duck")
    await h.local.arestart(victim)
    await h.wait_all_back("after lame duck")
    await h.end_fault("lame duck")
    await h.gather_hears_everyone("after lame duck")
    h.assert_healthy_screen("after lame duck")


async def restart_everything(h: Harness) -> None:
    before = reconnects(h.app)
    await h.begin_fault()
    publish = start_publish_run(h.app)
    pending = await h.fire_gather()
    assert h.gathering(), "the gather should still be open when the fault lands"
    for i in range(3):
        h.local.kill(i)
    await h.wait_status("reconnecting", "with every node down")
    assert "reconnecting" in screen_text(h.app)
    cluster = h.app.query_one(ClusterTab)
    await wait_for(
        lambda: cluster.last_error != "", RECOVERY, message="cluster refresh fails in place"
    )
    await h.keys_answer("with every node down", switch_tabs=True)
    await wait_for(
        lambda: len(h.requests.records) > pending, RECOVERY, message="in-flight gather ends"
    )
    # A single request with no server at all: an outcome on screen, not a hang or a crash.
    pending = len(h.requests.records)
    h.requests.action_send()
    await wait_for(lambda: len(h.requests.records) > pending, RECOVERY, message="request ends")
    single = h.requests.records[0].single
    assert single is not None and single.outcome in ("timeout", "error"), single
    services = h.app.query_one(ServicesTab)
    services.action_refresh()  # a discovery round with no server at all
    await wait_for(lambda: not services._discovering(), RECOVERY, message="discovery ends")
    h.assert_healthy_screen("with every node down")
    for i in range(3):
        await h.local.arestart(i)
    await h.wait_status("connected", "after the full restart")
    assert reconnects(h.app) > before
    await h.status_names_the_server("after the full restart")
    await h.wait_all_back("after the full restart", on_screen=True)
    await h.end_fault("full restart")
    await h.gather_hears_everyone("after the full restart")
    # The publish run that straddled the outage ended with a result, whatever it was.
    result = await wait_for(lambda: publish.last_result, RECOVERY, message="publish run ends")
    assert result.requested == PUBLISH_RUN
    assert result.sent == PUBLISH_RUN or result.error, result
    # Discovery finds the micro service again.
    services.action_refresh()
    await wait_for(
        lambda: (
            services.snapshot is not None
            and any(g.name == "faultsvc" for g in services.snapshot.services)
        ),
        RECOVERY,
        message="the micro service is discovered after the restart",
    )
    h.assert_healthy_screen("after the full restart")


def start_publish_run(app: NatsTuiApp) -> PublishTab:
    """A paced publish run (~2 s) from the Publish tab that the outage will interrupt."""
    publish = app.query_one(PublishTab)
    app.query_one("#pub-subject", Input).value = "pubrun.x"
    app.query_one("#pub-payload", TextArea).load_text("{{Count}}")
    app.query_one("#pub-count", Input).value = str(PUBLISH_RUN)
    app.query_one("#pub-interval", Input).value = "0.02"
    publish.last_result = None
    publish.action_send()
    return publish


async def finish(h: Harness, *, windows: int = 5, reconnected: int = 3) -> None:
    await h.publisher.stop()
    end = await h.drained()
    h.calm.append((h.calm_from, end))
    tail = h.tail.tail
    assert tail is not None
    await wait_for(lambda: h.in_app.last == end and len(h.in_app.seqs) == tail.received)
    assert h.collector is not None and not h.collector.done(), "the collector stopped"
    h.collector.cancel()
    counters = tail.counters()
    published = h.publisher.sent
    # Counters add up, and the status line says what the model says.
    assert counters.received == counters.buffered + counters.evicted
    assert counters.evicted > 0, "the small buffer should have evicted"
    assert counters.received + counters.slow_consumers <= published
    assert tail.subscriptions()[0].received == counters.received
    await wait_for(
        lambda: f"received {counters.received:,}" in h.app.query_one(TailStatus).text.plain
    )
    # Nothing twice, nothing that was never published.
    for who, seen in (("app", h.in_app), ("raw subscriber", h.raw)):
        assert len(seen.seqs) == len(set(seen.seqs)), f"{who} got a message twice"
        assert set(seen.seqs) <= set(range(h.publisher.next_seq)) - set(h.publisher.failed)
    # Outside the fault windows, both got every message.
    app_set, raw_set = set(h.in_app.seqs), set(h.raw.seqs)
    assert len(h.calm) == windows
    for start, stop in h.calm:
        window = set(range(start, stop + 1)) - set(h.publisher.failed)
        assert window <= app_set, f"app lost {sorted(window - app_set)[:10]} in a calm window"
        assert window <= raw_set, f"raw lost {sorted(window - raw_set)[:10]} in a calm window"
    assert reconnects(h.app) >= reconnected
    h.assert_healthy_screen("at the end")
    windows = [(a[1] + 1, b[0] - 1) for a, b in zip(h.calm, h.calm[1:], strict=False)]
    for lo, hi in windows:
        span = set(range(lo, hi + 1))
        print(f"fault window {lo}-{hi}: app lost {len(span - app_set)}, raw {len(span - raw_set)}")
    print(
        f"published {published}, app received {counters.received} "
        f"(evicted {counters.evicted}, dropped {counters.slow_consumers}), "
        f"raw received {len(h.raw.seqs)}, reconnects {reconnects(h.app)}"
    )
