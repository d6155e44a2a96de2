"""The Request tab: one request, or scatter-gather with a replies table, missing list and diff.

ctrl+s sends a single request (first reply; "no responders" and "timeout" shown distinctly);
ctrl+g scatters to a private inbox and gathers until N replies, the deadline, or the adaptive
gap; ctrl+r fires the last one again. The expected responders default to everyone who answered
the same subject before, so a re-fire tells at once who went silent. I/O runs in workers that
report by messages; a 10 Hz timer shows the reply count while gathering.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from nats.aio.client import Client
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static, TextArea

from natstui.commands import PaletteCommand
from natstui.core.headers import HeaderError, parse_headers
from natstui.core.payload import reformat_json
from natstui.core.requests import (
    DEFAULT_GAP,
    DEFAULT_TIMEOUT,
    GatherHistory,
    GatherResult,
    GatherSpec,
    RequestError,
    SingleResult,
    check_request_subject,
    expected_from_replies,
    find_outliers,
    gather,
    is_system_subject,
    missing_responders,
    parse_expected,
    request_once,
)
from natstui.core.textsafe import printable
from natstui.widgets.publish_tab import focus_on_activation
from natstui.widgets.request_replies import (
    MAX_ROWS,
    ReplyDetail,
    ReplyTable,
    gather_summary,
    missing_text,
    single_summary,
)
from natstui.widgets.safe import safe_text
from natstui.widgets.tab_base import MainTab

Mode = Literal["single", "gather"]
MAX_TIMEOUT = 600.0
MAX_RECORDS = 20  # each may hold thousands of replies


@dataclass(frozen=True)
class RequestForm:
    """The Request tab's fields as typed (what history restores)."""

    subject: str
    payload: str = ""
    headers: str = ""
    timeout: str = f"{DEFAULT_TIMEOUT:g}"
    max_replies: str = ""
    gap: str = f"{DEFAULT_GAP:g}"
    expect: str = ""


@dataclass(frozen=True)
class RequestRecord:
    """One fired request and its outcome."""

    mode: Mode
    form: RequestForm
    at: float
    single: SingleResult | None = None
    gathered: GatherResult | None = None
    expected: tuple[str, ...] = ()
    expected_count: int | None = None
    # Worked out in the worker, not in the UI handler: JSON parsing of many replies takes time.
    outliers: dict[int, list[str]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


@dataclass
class _Shown:
    """What the replies table currently shows (for the detail pane)."""

    outliers: dict[int, list[str]] = field(default_factory=dict)


def _number(
    text: str, what: str, *, default: float | None, low: float, high: float
) -> float | None:
    text = text.strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise RequestError(f"{what} must be a number, got {text!r}") from None
    if not low <= value <= high:
        raise RequestError(f"{what} must be between {low:g} and {high:g}")
    return value


class RequestTab(MainTab):
    """Single requests and scatter-gather, with replies, missing responders and differences."""

    DEFAULT_FOCUS = "#req-subject"

    DEFAULT_CSS = """
    RequestTab { padding: 0 1; }
    RequestTab .req-row { height: 3; }
    RequestTab .req-row Label { padding: 1 1 0 0; }
    RequestTab #req-subject { width: 1fr; }
    RequestTab #req-timeout, RequestTab #req-gap { width: 10; }
    RequestTab #req-max { width: 12; }
    RequestTab #req-expect { width: 1fr; }
    RequestTab #req-editors { height: 6; }
    RequestTab #req-payload-box { width: 3fr; }
    RequestTab #req-headers-box { width: 2fr; }
    RequestTab TextArea { height: 1fr; }
    RequestTab #req-summary, RequestTab #req-missing { height: auto; max-height: 3; }
    RequestTab #req-summary.-error, RequestTab #req-missing { color: $error; }
    RequestTab #req-summary.-warning { color: $warning; }
    RequestTab #req-summary.-ok { color: $success; }
    RequestTab #req-results { height: 1fr; }
    RequestTab #req-replies { width: 3fr; }
    RequestTab #req-side { width: 2fr; }
    RequestTab #req-history { height: 6; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Request"),
        Binding("ctrl+g", "gather", "Scatter-gather"),
        Binding("ctrl+r", "refire", "Re-fire"),
        Binding("ctrl+b", "pretty_json", "Pretty JSON"),
        Binding("escape", "escape", "Stop / leave field", show=False),
    ]

    @dataclass
    class Done(Message):
        """A request or gather finished."""

        record: RequestRecord

    @dataclass
    class Failed(Message):
        """The request was refused before sending; `error` says why."""

        error: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history = GatherHistory()
        self.records: list[RequestRecord] = []
        self.last: RequestRecord | None = None
        self._shown = _Shown()
        self._gathered = 0
        self._timer: Timer | None = None

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(classes="req-row"):
            yield Label("Subject")
            yield Input(placeholder="monitor.transcoders.stats", id="req-subject")
            yield Label(" Timeout s")
            yield Input(f"{DEFAULT_TIMEOUT:g}", id="req-timeout")
        with Horizontal(classes="req-row"):
            yield Label("Stop at N")
            yield Input(placeholder="(any)", id="req-max")
            yield Label(" Gap s")
            yield Input(f"{DEFAULT_GAP:g}", id="req-gap")
            yield Label(" Expect")
            yield Input(placeholder="names or a count; empty: who answered before", id="req-expect")
        with Horizontal(id="req-editors"):
            with Vertical(id="req-payload-box"):
                yield Label("Payload")
                yield TextArea(id="req-payload", soft_wrap=True)
            with Vertical(id="req-headers-box"):
                yield Label("Headers  (Name: value)")
                yield TextArea(id="req-headers", soft_wrap=False)
        yield Static("ctrl+s request · ctrl+g scatter-gather · ctrl+r re-fire", id="req-summary")
        yield Static("", id="req-missing")
        with Horizontal(id="req-results"):
            yield ReplyTable(id="req-replies")
            with Vertical(id="req-side"):
                yield ReplyDetail(id="req-detail")
                yield DataTable(id="req-history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#req-history", DataTable).add_columns("at", "mode", "subject", "result")
        focus_on_activation(self, "#req-subject")

    async def detach(self) -> None:
        self.workers.cancel_group(self, "request")
        self._stop_timer()
        await super().detach()

    # --- form -------------------------------------------------------------------------------
    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def read_form(self) -> RequestForm:
        return RequestForm(
            subject=self._value("req-subject").strip(),
            payload=self.query_one("#req-payload", TextArea).text,
            headers=self.query_one("#req-headers", TextArea).text,
            timeout=self._value("req-timeout"),
            max_replies=self._value("req-max"),
            gap=self._value("req-gap"),
            expect=self._value("req-expect"),
        )

    def load_form(self, form: RequestForm) -> None:
        for widget_id, value in (
            ("req-subject", form.subject),
            ("req-timeout", form.timeout),
            ("req-max", form.max_replies),
            ("req-gap", form.gap),
            ("req-expect", form.expect),
        ):
            self.query_one(f"#{widget_id}", Input).value = value
        self.query_one("#req-payload", TextArea).load_text(form.payload)
        self.query_one("#req-headers", TextArea).load_text(form.headers)

    def prefill(
        self, *, subject: str, payload: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        """Load a subject (e.g. a service endpoint) and payload; the user fires with ctrl+s/g."""
        text = payload.decode("utf-8", errors="backslashreplace")
        lines = "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())
        self.load_form(RequestForm(subject=subject, payload=text, headers=lines))
        self.query_one("#req-subject", Input).focus()

    def _spec(self, form: RequestForm) -> GatherSpec:
        """Validate the form into a GatherSpec (also used for single requests)."""
        timeout = _number(
            form.timeout, "timeout", default=DEFAULT_TIMEOUT, low=0.01, high=MAX_TIMEOUT
        )
        gap = _number(form.gap, "gap", default=None, low=0.01, high=MAX_TIMEOUT)
        max_replies = _number(form.max_replies, "stop at N", default=None, low=1, high=1e9)
        try:
            headers = parse_headers(form.headers) or None
        except HeaderError as exc:
            raise RequestError(str(exc)) from None
        subject = check_request_subject(form.subject)
        return GatherSpec(
            subject,
            form.payload.encode(),
            headers,
            timeout=timeout or DEFAULT_TIMEOUT,
            max_replies=int(max_replies) if max_replies is not None else None,
            gap=gap,
        )

    # --- actions ----------------------------------------------------------------------------
    def action_send(self) -> None:
        self._fire("single", self.read_form())

    def action_gather(self) -> None:
        self._fire("gather", self.read_form())

    def action_refire(self) -> None:
        if self.last is None:
            self._say("Nothing to re-fire yet: send a request first", severity="warning")
            return
        self.load_form(self.last.form)
        self._fire(self.last.mode, self.last.form)

    def _fire(self, mode: Mode, form: RequestForm) -> None:
        nc = self.session.nc if self.session is not None else None
        if nc is None:
            self._say("Not connected", severity="warning")
            return
        try:
            spec = self._spec(form)
            expectation = parse_expected(form.expect, self.history.baseline(spec.subject))
        except RequestError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self._set_summary(
            f"{'gathering' if mode == 'gather' else 'requesting'} {spec.subject} …", ""
        )
        if mode == "single":
            self._run_single(form, spec)
        else:
            self._run_gather(form, spec, expectation.names, expectation.count)

    @work(exclusive=True, group="request", exit_on_error=False)
    async def _run_single(self, form: RequestForm, spec: GatherSpec) -> None:
        nc = self._connection_for(spec.subject)
        if nc is None:
            return
        result = await request_once(
            nc, spec.subject, spec.payload, headers=spec.headers, timeout=spec.timeout
        )
        self.post_message(self.Done(RequestRecord("single", form, time.time(), single=result)))

    @work(exclusive=True, group="request", exit_on_error=False)
    async def _run_gather(
        self, form: RequestForm, spec: GatherSpec, names: tuple[str, ...], count: int | None
    ) -> None:
        nc = self._connection_for(spec.subject)
        if nc is None:
            return
        self._gathered = 0
        self._timer = self._timer or self.set_interval(0.1, self._show_gathering)
        result = await gather(nc, spec, on_progress=self._note_progress)
        # In a thread: parsing thousands of JSON replies must not hold up the event loop.
        outliers = await asyncio.to_thread(find_outliers, result.replies[:MAX_ROWS])
        record = RequestRecord(
            "gather",
            form,
            time.time(),
            gathered=result,
            expected=names,
            expected_count=count if count is not None else expected_from_replies(result.replies),
            outliers=outliers,
            missing=tuple(missing_responders(names, result.replies)),
        )
        self.post_message(self.Done(record))

    def _connection_for(self, subject: str) -> Client | None:
        """`$SYS.` requests go over the system-account connection when the profile has one
        (the app user would get "no responders"); everything else over the app connection."""
        if self.session is None:
            return None
        if is_system_subject(subject) and self.session.sys_nc is not None:
            return self.session.sys_nc
        return self.session.nc

    def _note_progress(self, got: int) -> None:
        self._gathered = got  # hot path: only remember; the timer shows it

    def _show_gathering(self) -> None:
        self._set_summary(f"gathering … {self._gathered} replies so far", "")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def action_escape(self) -> None:
        """Stop a running request; otherwise leave the text field (so digits switch tabs)."""
        if any(w.group == "request" and w.is_running for w in self.workers):
            self.workers.cancel_group(self, "request")
            self._stop_timer()
            self._set_summary("stopped", "-warning")
        else:
            self.query_one("#req-replies", ReplyTable).focus()

    def action_pretty_json(self) -> None:
        area = self.query_one("#req-payload", TextArea)
        try:
            pretty = reformat_json(area.text)
        except ValueError as exc:
            self._say(f"payload is not valid JSON: {exc}", severity="warning")
            return
        area.load_text(pretty)

    # --- results ----------------------------------------------------------------------------
    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self._set_summary(event.error, "-error")
        self._say(event.error, title="Not sent", severity="error")

    @on(Done)
    def _done(self, event: Done) -> None:
        self._stop_timer()
        record = event.record
        self.last = record
        self.records.insert(0, record)
        del self.records[MAX_RECORDS:]
        if record.gathered is not None:
            self.history.add(record.gathered)
        self.show_record(record)
        self._refresh_history()

    def show_record(self, record: RequestRecord) -> None:
        """Show a record's replies, summary and missing list."""
        table = self.query_one("#req-replies", ReplyTable)
        if record.single is not None:
            reply = record.single.reply
            self._shown = _Shown()
            table.show([reply] if reply else [], {})
            text, cls = single_summary(record.single, record.form.subject)
            self._set_summary(text, cls)
            self._set_missing("")
        elif record.gathered is not None:
            result = record.gathered
            self._shown = _Shown(record.outliers)
            table.show(result.replies, record.outliers)
            missing = list(record.missing)
            text, cls = gather_summary(result, record.expected_count, missing, len(record.outliers))
            self._set_summary(text, cls)
            self._set_missing(missing_text(missing))
        self.query_one("#req-detail", ReplyDetail).show(table.current(), self._notes(table))

    def _notes(self, table: ReplyTable) -> list[str]:
        reply = table.current()
        return self._shown.outliers.get(reply.index, []) if reply else []

    @on(DataTable.RowHighlighted, "#req-replies")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one("#req-replies", ReplyTable)
        self.query_one("#req-detail", ReplyDetail).show(table.current(), self._notes(table))

    @on(DataTable.RowSelected, "#req-history")
    def _recall(self, event: DataTable.RowSelected) -> None:
        index = event.cursor_row
        if 0 <= index < len(self.records):
            record = self.records[index]
            self.load_form(record.form)
            self.last = record
            self.show_record(record)

    def _refresh_history(self) -> None:
        table = self.query_one("#req-history", DataTable)
        table.clear()
        for record in self.records:
            table.add_row(
                time.strftime("%H:%M:%S", time.localtime(record.at)),
                record.mode,
                safe_text(record.form.subject),
                _outcome(record),
            )

    def _set_summary(self, text: str, cls: str) -> None:
        box = self.query_one("#req-summary", Static)
        for name in ("-ok", "-warning", "-error"):
            box.set_class(name == cls, name)
        box.update(safe_text(text))

    def _set_missing(self, text: str) -> None:
        self.query_one("#req-missing", Static).update(safe_text(text))

    def _say(self, text: str, *, title: str = "", severity: SeverityLevel = "information") -> None:
        self.notify(printable(text), title=title, severity=severity, markup=False)

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand("Request: send", self._palette(self.action_send), "single request"),
            PaletteCommand(
                "Request: scatter-gather", self._palette(self.action_gather), "gather many replies"
            ),
        ]

    def _palette(self, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            self.app.action_show_tab("request")  # type: ignore[attr-defined]
            action()

        return run


def _outcome(record: RequestRecord) -> str:
    if record.single is not None:
        return record.single.outcome.replace("_", " ")
    if record.gathered is not None:
        return f"{len(record.gathered.replies)} ({record.gathered.stop})"
    return ""
