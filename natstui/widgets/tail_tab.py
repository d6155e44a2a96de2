"""The Live tail tab: subscriptions, a list that never freezes, filter, detail, export.

Data flow: nats-py callbacks append to the core `Tail`'s ring buffer (nothing else per
message). A 20 Hz timer pulls: the `TailView` filters new messages within a time budget and
feeds the subject stats, then the `TailList` repaints only its visible rows. Counters, the
subscriptions table and the subject browser refresh at lower rates. NATS I/O (subscribe,
unsubscribe) runs in workers; the JSONL export runs in a thread worker with progress.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Label, ProgressBar
from textual.worker import get_current_worker

from natstui.commands import PaletteCommand
from natstui.core.connection import NatsSession
from natstui.core.subject_stats import SubjectStats
from natstui.core.tail import Tail, TailError
from natstui.core.tail_buffer import RingBuffer, TailEntry, limits_from_env
from natstui.core.tail_export import ExportError, resolve_export_path, write_jsonl
from natstui.core.tail_filters import FilterError, parse_filter
from natstui.core.tail_view import ExportSource, TailView
from natstui.core.textsafe import decode, printable
from natstui.widgets.tab_base import MainTab
from natstui.widgets.tail_detail import TailDetail
from natstui.widgets.tail_export_screen import ExportRequest, TailExportScreen
from natstui.widgets.tail_list import TailList
from natstui.widgets.tail_status import TailStatus, status_text
from natstui.widgets.tail_subjects import SubjectBrowser, SubjectTable
from natstui.widgets.tail_subs import SubsTable, TailSubscriptions

TICK = 0.05  # pull + repaint at 20 Hz
STATUS_EVERY = 0.2
SLOW_EVERY = 1.0  # subscriptions table, subject browser
DETAIL_SETTLE = 0.12  # the detail follows the cursor once it rests this long


class TailTab(MainTab):
    """Live tail of one or more subscriptions."""

    DEFAULT_FOCUS = "#tail-list"

    DEFAULT_CSS = """
    TailTab #tail-filter-row { height: auto; }
    TailTab #tail-filter { width: 1fr; }
    TailTab #tail-filter-error { color: $error; height: auto; padding: 0 1; }
    TailTab #tail-main { height: 1fr; }
    TailTab #tail-export-progress { display: none; height: 1; }
    TailTab #tail-export-progress.-active { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "toggle_pause", "Pause/Resume"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("s", "focus_subscribe", "Subscribe"),
        Binding("b", "toggle_subjects", "Subjects"),
        Binding("d", "toggle_detail", "Detail"),
        Binding("e", "export", "Export"),
        Binding("c", "copy_payload", "Copy payload", show=False),
        Binding("y", "copy_subject", "Copy subject", show=False),
        Binding("r", "republish", "Re-publish"),
        Binding("ctrl+l", "clear_buffer", "Clear buffer", show=False),
        Binding("escape", "focus_list", "To list", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tail: Tail | None = None
        self.view = TailView(RingBuffer(1, 1))
        self.stats = SubjectStats()
        self._timer: Timer | None = None
        self._last_status = 0.0
        self._last_slow = 0.0
        self._selected: TailEntry | None = None
        self._detail_timer: Timer | None = None

    # --- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TailSubscriptions(id="tail-subs")
        with Horizontal(id="tail-filter-row"):
            yield Input(
                placeholder='filter: text  /regex/i  subject:a.*  header:X=y  .status == "failed"',
                id="tail-filter",
            )
        yield Label("", id="tail-filter-error", markup=False)
        yield TailStatus(id="tail-status")
        yield ProgressBar(id="tail-export-progress", show_eta=False)
        with Horizontal(id="tail-main"):
            yield TailList(self.view, id="tail-list")
            yield TailDetail(id="tail-detail")
            yield SubjectBrowser(id="tail-subjects", classes="-hidden")

    @property
    def tail_list(self) -> TailList:
        return self.query_one(TailList)

    def on_show(self) -> None:
        # Switching to the tab puts the keyboard on the list, so the tab's keys work at once.
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            self.call_after_refresh(self.tail_list.focus)

    # --- lifecycle ----------------------------------------------------------------------------
    async def attach(self, session: NatsSession) -> None:
        await super().attach(session)
        max_messages, max_bytes, problems = limits_from_env(
            os.environ, self.settings.tail_max_messages, self.settings.tail_max_bytes
        )
        for problem in problems:
            self.notify(printable(problem), title="Tail buffer", severity="warning")
        tail = Tail(session.nc, RingBuffer(max_messages, max_bytes))
        # Under a firehose anything that lives more than a few ms reaches the oldest GC
        # generation, and each full collection then walked every object of the app (~170k):
        # 100+ ms stalls every few seconds (tests/perf/bench_tail.py). Objects alive now (the
        # widget tree, the buffer's slot lists) stay alive, so exempt them from collection
        # passes; reference counting still frees them. `detach` unfreezes, so anything frozen
        # that died in a reference cycle meanwhile is collected then.
        gc.freeze()
        self.tail = tail
        session.add_slow_consumer_listener(
            lambda sid: tail.on_slow_consumer(sid) if self.tail is tail else None
        )
        self.stats = SubjectStats()
        self.view = TailView(tail.buffer, self.stats)
        self.tail_list.view = self.view
        self.tail_list.reset()
        self._apply_filter_text(self.query_one("#tail-filter", Input).value, quiet=True)
        self._timer = self.set_interval(TICK, self._tick)
        if session.profile.subscriptions:
            self.subscribe_defaults(tuple(session.profile.subscriptions))

    async def detach(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        tail, self.tail = self.tail, None
        if tail is not None:
            await tail.close()
            tail.clear()  # the session is going away: let its messages go now
            self.view.clear()  # and a paused view's snapshot with them
        gc.unfreeze()
        await super().detach()

    # --- NATS I/O workers ---------------------------------------------------------------------
    @work(exclusive=True, group="tail-defaults", exit_on_error=False)
    async def subscribe_defaults(self, subjects: tuple[str, ...]) -> None:
        """Subscribe to the profile's default subjects; a bad one is reported, not fatal."""
        for subject in subjects:
            await self._do_subscribe(subject, None, from_profile=True)

    # Not exclusive: cancelling a subscribe half-way could orphan a nats-py subscription.
    @work(group="tail-subscribe", exit_on_error=False)
    async def subscribe(self, subject: str, queue: str | None = None) -> None:
        """Add one tail subscription."""
        await self._do_subscribe(subject, queue, from_profile=False)

    async def _do_subscribe(self, subject: str, queue: str | None, *, from_profile: bool) -> None:
        panel = self.query_one(TailSubscriptions)
        if self.tail is None:
            panel.show_error("not connected")
            return
        try:
            info = await self.tail.subscribe(subject, queue)
        except TailError as exc:
            where = "profile subscription: " if from_profile else ""
            panel.show_error(f"{where}{exc}")
            self.notify(printable(f"{where}{exc}"), title="Tail", severity="error")
            return
        if not from_profile:
            panel.subscribed()
        panel.show(self.tail.subscriptions())
        self.notify(printable(f"tailing {info.label}"), title="Tail", timeout=2)

    @work(group="tail-subscribe", exit_on_error=False)
    async def unsubscribe(self, sub_id: int) -> None:
        """Remove one tail subscription."""
        if self.tail is None:
            return
        try:
            await self.tail.unsubscribe(sub_id)
        except TailError as exc:
            self.notify(printable(str(exc)), title="Tail", severity="error")
            return
        self.query_one(TailSubscriptions).show(self.tail.subscriptions())

    @on(TailSubscriptions.SubscribeRequested)
    def _subscribe_requested(self, event: TailSubscriptions.SubscribeRequested) -> None:
        self.subscribe(event.subject, event.queue)

    @on(SubsTable.UnsubscribeRequested)
    def _unsubscribe_requested(self, event: SubsTable.UnsubscribeRequested) -> None:
        self.unsubscribe(event.sub_id)

    # --- the timer ----------------------------------------------------------------------------
    def _tick(self) -> None:
        if self.tail is None:
            return
        self.view.pull()
        self.tail_list.sync()
        now = time.monotonic()
        if now - self._last_status >= STATUS_EVERY:
            self._last_status = now
            self._show_status()
        if now - self._last_slow >= SLOW_EVERY:
            self._last_slow = now
            self._slow_refresh()

    def _show_status(self) -> None:
        if self.tail is None:
            return
        text = status_text(self.tail.counters(), self.view.status())
        self.query_one(TailStatus).show(text)

    def _slow_refresh(self) -> None:
        if self.tail is None:
            return
        self.query_one(TailSubscriptions).show(self.tail.subscriptions())
        browser = self.query_one(SubjectBrowser)
        if not browser.has_class("-hidden"):
            browser.show(self.stats.snapshot())

    # --- list events --------------------------------------------------------------------------
    @on(TailList.Paused)
    def _paused(self) -> None:
        self.pause()

    @on(TailList.Resumed)
    def _resumed(self) -> None:
        self.resume()

    @on(TailList.Selected)
    def _selected_msg(self, event: TailList.Selected) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if event.opened:
            self._show_detail(event.entry)
            self.query_one(TailDetail).remove_class("-hidden")
        elif not self.view.following:
            # Redrawing the detail re-lays out the screen: while the cursor is moving (a key
            # held down) show the message it stops on, not every one it passes.
            entry = event.entry
            self._detail_timer = self.set_timer(DETAIL_SETTLE, lambda: self._show_detail(entry))

    def _show_detail(self, entry: TailEntry | None) -> None:
        if entry is not None and self._selected is not None and entry.seq == self._selected.seq:
            return
        self._selected = entry
        via = self.tail.subject_of(entry.sub_id) if entry and self.tail else None
        self.query_one(TailDetail).show(entry, via)

    def pause(self) -> None:
        """Freeze the list on what it shows now; new messages are counted as "+N new"."""
        self.view.pause()
        self.tail_list.sync()
        self._show_status()

    def resume(self) -> None:
        """Follow the newest messages again."""
        self.view.resume()
        self.tail_list.sync()
        self._show_status()

    # --- filter -------------------------------------------------------------------------------
    @on(Input.Changed, "#tail-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter_text(event.value, quiet=False)

    @on(Input.Submitted, "#tail-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._apply_filter_text(event.value, quiet=False):
            self.tail_list.focus()

    def _apply_filter_text(self, text: str, *, quiet: bool) -> bool:
        error = self.query_one("#tail-filter-error", Label)
        try:
            new_filter = parse_filter(text)
        except FilterError as exc:
            if not quiet:
                error.update(Text(printable(f"filter not applied: {exc}")))
            return False
        except Exception as exc:  # a parser bug must not end the app: say so, keep the text
            error.update(Text(printable(f"filter not applied: {type(exc).__name__}")))
            return False
        error.update("")
        if new_filter.text != self.view.filter.text:
            self.view.set_filter(new_filter)
            self.tail_list.reset()
        return True

    def set_filter(self, text: str) -> None:
        """Put `text` in the filter box (and so apply it)."""
        self.query_one("#tail-filter", Input).value = text

    @on(SubjectTable.FilterOn)
    def _filter_on_subject(self, event: SubjectTable.FilterOn) -> None:
        self.set_filter(f"subject:{json.dumps(event.subject)}")

    # --- actions ------------------------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        if self.view.following:
            self.pause()
        else:
            self.resume()

    def action_focus_filter(self) -> None:
        self.query_one("#tail-filter", Input).focus()

    def action_focus_subscribe(self) -> None:
        self.query_one("#tail-subscribe-input", Input).focus()

    def action_focus_list(self) -> None:
        self.tail_list.focus()

    def action_toggle_subjects(self) -> None:
        browser = self.query_one(SubjectBrowser)
        browser.toggle_class("-hidden")
        self.query_one(TailDetail).set_class(not browser.has_class("-hidden"), "-hidden")
        if not browser.has_class("-hidden"):
            browser.show(self.stats.snapshot())
            self.query_one(SubjectTable).focus()

    def action_toggle_detail(self) -> None:
        self.query_one(SubjectBrowser).add_class("-hidden")
        self.query_one(TailDetail).toggle_class("-hidden")

    def action_clear_filter(self) -> None:
        self.set_filter("")

    def action_clear_buffer(self) -> None:
        if self.tail is None:
            return
        self.tail.clear()
        self.view.clear()
        self.stats.clear()
        self.tail_list.reset()
        self._show_detail(None)
        self.notify("tail buffer cleared", title="Tail", timeout=2)

    def _current(self) -> TailEntry | None:
        entry = self.view.entry_at(self.tail_list.current_row)
        return entry if entry is not None else self._selected

    def action_copy_payload(self) -> None:
        entry = self._current()
        if entry is None:
            self.notify("no message selected", title="Tail", severity="warning")
            return
        self.app.copy_to_clipboard(decode(entry.data))
        self.notify(f"copied payload ({entry.size:,} bytes)", title="Tail", timeout=2)

    def action_copy_subject(self) -> None:
        entry = self._current()
        if entry is None:
            self.notify("no message selected", title="Tail", severity="warning")
            return
        self.app.copy_to_clipboard(entry.subject)
        self.notify(printable(f"copied subject {entry.subject}"), title="Tail", timeout=2)

    def action_republish(self) -> None:
        entry = self._current()
        if entry is None:
            self.notify("no message selected", title="Tail", severity="warning")
            return
        from natstui.widgets.publish_tab import PublishTab  # the app owns both tabs

        publish = self.app.query_one(PublishTab)
        prefill = getattr(publish, "prefill", None)
        if prefill is None:
            self.notify("the Publish tab cannot take a message yet", severity="warning")
            return
        headers = dict(entry.headers) if entry.headers else None
        prefill(
            subject=entry.subject, payload=entry.data, headers=headers, reply=entry.reply or None
        )
        show_tab = getattr(self.app, "action_show_tab", None)
        if show_tab is not None:
            show_tab("publish")

    # --- export -------------------------------------------------------------------------------
    def action_export(self) -> None:
        default = str(Path.cwd() / f"natstui-tail-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
        screen = TailExportScreen(
            default, not self.view.filter.empty, self.view.row_count, len(self.view.live)
        )
        self.app.push_screen(screen, self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        if request.scope == "buffer":
            source = ExportSource.of_buffer(self.view.live)
        else:
            source = ExportSource.of_view(self.view)
        bar = self.query_one("#tail-export-progress", ProgressBar)
        bar.update(total=max(1, len(source)), progress=0)
        bar.add_class("-active")
        self.export(request.path, source)

    @work(thread=True, exclusive=True, group="tail-export", exit_on_error=False)
    def export(self, path_text: str, source: ExportSource) -> None:
        """Write `source` as JSONL off the UI loop; progress and result come back by call."""
        worker = get_current_worker()
        try:
            path = resolve_export_path(path_text)
            entries = source.entries()
            result = write_jsonl(
                entries,
                path,
                progress=lambda done, total: self.app.call_from_thread(self._progress, done),
                cancelled=lambda: worker.is_cancelled,
            )
        except ExportError as exc:
            self.app.call_from_thread(self._export_done, f"export failed: {exc}", True)
            return
        except Exception as exc:  # anything unexpected: still say so and take the bar down
            self.app.call_from_thread(
                self._export_done, f"export failed: {type(exc).__name__}: {exc}", True
            )
            return
        message = f"exported {result.count:,} messages to {result.path}"
        self.app.call_from_thread(self._export_done, message, False)

    def _progress(self, done: int) -> None:
        self.query_one("#tail-export-progress", ProgressBar).update(progress=done)

    def _export_done(self, message: str, failed: bool) -> None:
        self.query_one("#tail-export-progress", ProgressBar).remove_class("-active")
        self.notify(
            printable(message), title="Export", severity="error" if failed else "information"
        )

    # --- palette ------------------------------------------------------------------------------
    def _on_tab(self, action: str) -> None:
        show_tab = getattr(self.app, "action_show_tab", None)
        if show_tab is not None:
            show_tab("tail")
        getattr(self, f"action_{action}")()

    def palette_commands(self) -> list[PaletteCommand]:
        def run(action: str) -> Callable[[], None]:
            return lambda: self._on_tab(action)

        unsubscribe = [
            PaletteCommand(
                printable(f"Tail: unsubscribe {sub.label}"),
                partial(self.unsubscribe, sub.id),
                f"stop tailing ({sub.received:,} received)",
            )
            for sub in (self.tail.subscriptions() if self.tail is not None else [])
        ]
        return [
            PaletteCommand("Tail: subscribe…", run("focus_subscribe"), "add a tail subscription"),
            PaletteCommand("Tail: pause/resume", run("toggle_pause"), "freeze or follow the list"),
            PaletteCommand("Tail: export…", run("export"), "write messages to a JSONL file"),
            PaletteCommand("Tail: clear filter", run("clear_filter"), "show every message"),
            PaletteCommand("Tail: subject browser", run("toggle_subjects"), "seen subjects"),
            PaletteCommand("Tail: clear buffer", run("clear_buffer"), "forget buffered messages"),
            *unsubscribe,
        ]
