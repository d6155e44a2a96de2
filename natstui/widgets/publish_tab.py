"""The Publish tab: subject, payload, headers, reply-to, count/interval, templates, history.

Input is checked as you type (a preview line shows the first message or what is wrong) and
again on send; nothing invalid reaches the server. Sending runs in a worker that reports by
messages; a 10 Hz timer shows progress of long runs. History and named templates are kept per
profile in `natstui.core.publish_store` (not written for ephemeral profiles such as the demo).
"""

from __future__ import annotations

import asyncio
import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Static, TabbedContent, TabPane, TextArea

from natstui.commands import PaletteCommand
from natstui.core.connection import NatsSession
from natstui.core.headers import HeaderError, format_headers, parse_headers
from natstui.core.payload import reformat_json
from natstui.core.publish import (
    PublishError,
    PublishForm,
    PublishHistory,
    PublishResult,
    max_payload_of,
    prepare_publish,
    publish_many,
)
from natstui.core.publish_store import PublishStore
from natstui.core.templates import TemplateError, render_preview
from natstui.core.textsafe import preview, printable
from natstui.widgets.publish_lists import FormList
from natstui.widgets.safe import safe_text
from natstui.widgets.tab_base import MainTab

MAX_FILE_BYTES = 64 * 1024 * 1024  # refuse to read anything bigger than any server accepts


class PublishTab(MainTab):
    """Compose and send messages; recall them from history or saved templates."""

    DEFAULT_FOCUS = "#pub-subject"

    DEFAULT_CSS = """
    PublishTab { padding: 0 1; }
    PublishTab .pub-row { height: 3; }
    PublishTab .pub-row Label { padding: 1 1 0 0; }
    PublishTab #pub-subject, PublishTab #pub-reply { width: 1fr; }
    PublishTab #pub-count { width: 12; }
    PublishTab #pub-interval { width: 10; }
    PublishTab #pub-file { width: 1fr; }
    PublishTab #pub-editors { height: 1fr; min-height: 6; }
    PublishTab #pub-editors > Vertical { width: 1fr; }
    PublishTab #pub-headers-box { width: 2fr; }
    PublishTab #pub-payload-box { width: 3fr; }
    PublishTab TextArea { height: 1fr; }
    PublishTab #pub-preview, PublishTab #pub-result { height: auto; max-height: 3; }
    PublishTab #pub-preview.-error { color: $error; }
    PublishTab #pub-result.-error { color: $error; }
    PublishTab #pub-lists { height: 9; }
    PublishTab #pub-lists > Vertical { width: 1fr; }
    PublishTab #pub-template-name { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+b", "pretty_json", "Pretty JSON"),
        Binding("ctrl+t", "save_template", "Save template"),
        Binding("ctrl+l", "clear_payload", "Clear payload"),
        Binding("escape", "escape", "Stop sending / leave field", show=False),
    ]

    @dataclass
    class Finished(Message):
        """A publish run ended (possibly early, with `result.error`)."""

        form: PublishForm
        result: PublishResult

    @dataclass
    class Failed(Message):
        """Nothing was sent: the input was refused; `error` says why."""

        error: str

    def __init__(self, *, id: str | None = None, store: PublishStore | None = None) -> None:
        super().__init__(id=id)
        self._store = store
        self._history = PublishHistory()
        self._binary: bytes | None = None
        self._progress = 0
        self._total = 0
        self._progress_timer: Timer | None = None
        self.last_result: PublishResult | None = None

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(classes="pub-row"):
            yield Label("Subject")
            yield Input(placeholder="orders.created", id="pub-subject")
            yield Label(" Reply-to")
            yield Input(placeholder="(none)", id="pub-reply")
        with Horizontal(classes="pub-row"):
            yield Label("Count")
            yield Input("1", type="integer", id="pub-count")
            yield Label(" Interval s")
            yield Input("0", type="number", id="pub-interval")
            yield Checkbox("Templates", True, id="pub-templates")
            yield Label(" File")
            yield Input(placeholder="send a file's bytes instead (path)", id="pub-file")
        with Horizontal(id="pub-editors"):
            with Vertical(id="pub-payload-box"):
                yield Label("Payload  ({{Count}} {{ID}} {{Time}} {{TimeStamp}} {{Unix}} …)")
                yield TextArea(id="pub-payload", soft_wrap=True, show_line_numbers=False)
            with Vertical(id="pub-headers-box"):
                yield Label("Headers  (Name: value, one per line)")
                yield TextArea(id="pub-headers", soft_wrap=False)
        yield Static("", id="pub-preview")
        yield Static("", id="pub-result")
        with Horizontal(id="pub-lists"):
            with Vertical():
                yield Label("History  (enter: recall)")
                yield FormList(id="pub-history")
            with Vertical():
                yield Input(
                    placeholder="template name, then ctrl+t to save", id="pub-template-name"
                )
                yield FormList(id="pub-saved", removable=True)

    def on_mount(self) -> None:
        self._update_preview()
        focus_on_activation(self, "#pub-subject")

    # --- session ----------------------------------------------------------------------------
    async def attach(self, session: NatsSession) -> None:
        await super().attach(session)
        self._load_store(session)

    async def detach(self) -> None:
        self.workers.cancel_group(self, "publish")
        self._stop_progress()
        await super().detach()

    @work(exclusive=True, group="publish-store", exit_on_error=False, thread=True)
    def _load_store(self, session: NatsSession) -> None:
        """Blocking file read: a thread worker."""
        store = self._store or PublishStore(persist=not session.profile.ephemeral)
        self._store = store
        history = store.history(session.profile.name)
        self.app.call_from_thread(self._show_store, history, store.load_error)

    def _show_store(self, history: PublishHistory, error: str | None) -> None:
        self._history = history
        self._refresh_lists()
        if error:
            self._say(error, title="Publish history", severity="warning")

    @property
    def _profile_name(self) -> str:
        return self.session.profile.name if self.session is not None else "(none)"

    # --- the form ---------------------------------------------------------------------------
    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def read_form(self) -> PublishForm:
        """The form as typed; raises PublishError for a count/interval that is not a number."""
        try:
            count = int(self._text("pub-count") or "1")
        except ValueError:
            raise PublishError("count must be a whole number") from None
        try:
            interval = float(self._text("pub-interval") or "0")
        except ValueError:
            raise PublishError("interval must be a number of seconds") from None
        return PublishForm(
            subject=self._text("pub-subject").strip(),
            payload=self.query_one("#pub-payload", TextArea).text,
            headers=self.query_one("#pub-headers", TextArea).text,
            reply=self._text("pub-reply").strip(),
            count=count,
            interval=interval,
            templates=self.query_one("#pub-templates", Checkbox).value,
            file=self._text("pub-file").strip(),
        )

    def load_form(self, form: PublishForm) -> None:
        """Put a recalled form into the fields."""
        self._binary = None
        self.query_one("#pub-subject", Input).value = form.subject
        self.query_one("#pub-reply", Input).value = form.reply
        self.query_one("#pub-count", Input).value = str(form.count)
        self.query_one("#pub-interval", Input).value = f"{form.interval:g}"
        self.query_one("#pub-templates", Checkbox).value = form.templates
        self.query_one("#pub-file", Input).value = form.file
        self._set_payload_text(form.payload)
        self.query_one("#pub-headers", TextArea).load_text(form.headers)
        self._update_preview()

    def _set_payload_text(self, text: str) -> None:
        area = self.query_one("#pub-payload", TextArea)
        area.read_only = False
        area.load_text(text)

    def prefill(
        self,
        *,
        subject: str,
        payload: bytes,
        headers: dict[str, str] | None = None,
        reply: str | None = None,
    ) -> None:
        """Load a message to re-publish (the Tail tab calls this). Templates are switched off so
        the payload goes out byte for byte; a binary payload is kept as bytes, not edited."""
        text = _as_editable_text(payload)
        form = PublishForm(
            subject=subject,
            payload=text if text is not None else "",
            headers=format_headers(headers),
            reply=reply or "",
            templates=False,
        )
        self.load_form(form)
        if text is None:
            self._binary = payload
            area = self.query_one("#pub-payload", TextArea)
            area.load_text(f"(binary payload, {len(payload):,} bytes; ctrl+l to clear)")
            area.read_only = True
        self._update_preview()
        self.query_one("#pub-subject", Input).focus()

    # --- preview ----------------------------------------------------------------------------
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Message) -> None:
        if isinstance(event, Input.Changed) and event.input.id == "pub-template-name":
            return
        self._update_preview()

    def _update_preview(self) -> None:
        box = self.query_one("#pub-preview", Static)
        try:
            text = self._preview_text()
        except (PublishError, TemplateError, HeaderError) as exc:
            box.set_class(True, "-error")
            box.update(safe_text(str(exc)))
            return
        box.set_class(False, "-error")
        box.update(safe_text(text))

    def _preview_text(self) -> str:
        form = self.read_form()
        parse_headers(form.headers)
        if form.file:
            return f"payload: the bytes of {form.file} (read when sending)"
        if self._binary is not None:
            return f"payload: {len(self._binary):,} binary bytes (re-published message)"
        body = render_preview(form.payload) if form.templates else form.payload
        data = body.encode()
        kind = _json_note(body)
        return f"message 1: {len(data):,} bytes{kind} · {preview(data, 160)}"

    # --- actions ----------------------------------------------------------------------------
    def action_send(self) -> None:
        if self.session is None or self.session.nc is None:
            self.notify("Not connected", severity="warning")
            return
        if self._is_sending():
            self.notify("Still sending; escape stops it", severity="warning")
            return
        try:
            form = self.read_form()
        except PublishError as exc:
            self._show_error(str(exc))
            return
        self._send(form, self._binary)

    def _is_sending(self) -> bool:
        return any(w.group == "publish" and w.is_running for w in self.workers)

    @work(exclusive=True, group="publish", exit_on_error=False)
    async def _send(self, form: PublishForm, binary: bytes | None) -> None:
        session = self.session
        nc = session.nc if session is not None else None
        if nc is None:
            self.post_message(self.Failed("not connected"))
            return
        try:
            if form.file:
                binary = await asyncio.to_thread(_read_file, form.file)
            prepared = prepare_publish(form, max_payload=max_payload_of(nc), payload_bytes=binary)
        except PublishError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self._start_progress(form.count)
        result = await publish_many(nc, prepared, progress=self._note_progress)
        self.post_message(self.Finished(form, result))

    def _note_progress(self, sent: int) -> None:
        self._progress = sent  # hot path: only remember; the timer shows it

    def _start_progress(self, total: int) -> None:
        self._progress, self._total = 0, total
        if total > 1 and self._progress_timer is None:
            self._progress_timer = self.set_interval(0.1, self._show_progress)

    def _show_progress(self) -> None:
        line = f"sending {self._progress:,} / {self._total:,} … (escape stops)"
        self.query_one("#pub-result", Static).update(line)

    def _stop_progress(self) -> None:
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None

    def action_escape(self) -> None:
        """Stop a running publish; otherwise leave the text field (so digits switch tabs)."""
        if self._is_sending():
            self.workers.cancel_group(self, "publish")
            self._stop_progress()
            self._show_error(f"stopped after {self._progress:,} of {self._total:,}")
        else:
            self.query_one("#pub-history", FormList).focus()

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        self._stop_progress()
        self.last_result = event.result
        box = self.query_one("#pub-result", Static)
        box.set_class(event.result.error is not None, "-error")
        box.update(safe_text(event.result.summary()))
        if event.result.error:
            self._say(event.result.error, title="Publish stopped", severity="error")
        # A binary payload re-published from the Tail is a one-off: history holds forms only.
        if event.result.sent and self._binary is None:
            self._history.add(event.form)
            self._save_history()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self._show_error(event.error)

    def _say(self, text: str, *, title: str = "", severity: SeverityLevel = "information") -> None:
        """Notify with text from anywhere: no markup, control characters made visible."""
        self.notify(printable(text), title=title, severity=severity, markup=False)

    def _show_error(self, text: str) -> None:
        box = self.query_one("#pub-result", Static)
        box.set_class(True, "-error")
        box.update(safe_text(text))
        self._say(text, title="Not published", severity="error")

    def action_pretty_json(self) -> None:
        area = self.query_one("#pub-payload", TextArea)
        if area.read_only:
            return
        try:
            pretty = reformat_json(area.text)
        except ValueError as exc:
            self._say(f"payload is not valid JSON: {exc}", severity="warning")
            return
        area.load_text(pretty)

    def action_clear_payload(self) -> None:
        self._binary = None
        self._set_payload_text("")
        self._update_preview()

    # --- history and templates --------------------------------------------------------------
    def _refresh_lists(self) -> None:
        entries = self._history.entries
        self.query_one("#pub-history", FormList).show(
            [(f"{i + 1}", form) for i, form in enumerate(entries)]
        )
        saved = self._store.templates(self._profile_name) if self._store else {}
        self.query_one("#pub-saved", FormList).show(sorted(saved.items()))

    def _save_history(self) -> None:
        if self._store is not None:
            self._store.set_history(self._profile_name, self._history)
            self._write_store()
        self._refresh_lists()

    @work(exclusive=True, group="publish-store", exit_on_error=False, thread=True)
    def _write_store(self) -> None:
        store = self._store
        if store is None:
            return
        try:
            store.save()
        except OSError as exc:
            text = f"could not save publish history to {store.path}: {exc.strerror}"
            self.app.call_from_thread(self._say, text, severity="warning")

    def action_save_template(self) -> None:
        name = self._text("pub-template-name").strip()
        if not name:
            self.notify("Type a template name first", severity="warning")
            self.query_one("#pub-template-name", Input).focus()
            return
        try:
            form = self.read_form()
        except PublishError as exc:
            self._show_error(str(exc))
            return
        if self._store is None:
            self._store = PublishStore(persist=False)
        self._store.set_template(self._profile_name, name, form)
        self._save_history()
        self._say(f"saved template {name!r}")

    @on(FormList.Chosen)
    def _recall(self, event: FormList.Chosen) -> None:
        self.load_form(event.form)
        self.query_one("#pub-subject", Input).focus()

    @on(FormList.Removed)
    def _remove(self, event: FormList.Removed) -> None:
        if self._store is not None:
            self._store.delete_template(self._profile_name, event.key)
            self._save_history()

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand("Publish: send", self._palette_send, "publish the Publish tab's form")
        ]

    def _palette_send(self) -> None:
        self.app.action_show_tab("publish")  # type: ignore[attr-defined]
        self.action_send()


def focus_on_activation(tab: MainTab, selector: str) -> None:
    """Whenever the tab's pane becomes the active one, put focus on `selector` (unless focus is
    already inside the tab) so that the tab's ctrl+ keys work at once: bindings only apply
    where focus is. Watching `TabbedContent.active` is deterministic; a Show event is not sent
    reliably when the pane is switched programmatically."""
    pane = next((a for a in tab.ancestors if isinstance(a, TabPane)), None)
    tabbed = next((a for a in tab.ancestors if isinstance(a, TabbedContent)), None)
    if pane is None or tabbed is None:
        return

    def wants_focus() -> bool:
        focused = tab.app.focused
        return tabbed.active == pane.id and (focused is None or tab not in focused.ancestors)

    def focus_later() -> None:
        # Re-checked after the refresh: if the user switched away meanwhile, focusing a widget
        # in this now hidden pane would make TabbedContent switch straight back to it.
        if wants_focus():
            tab.query_one(selector).focus()

    def activated(active: str) -> None:
        if wants_focus():
            tab.call_after_refresh(focus_later)

    tab.watch(tabbed, "active", activated, init=False)


def _read_file(path: str) -> bytes:
    """Read a payload file; PublishError with a plain reason when it cannot be used.

    Only regular files: a device (/dev/urandom) reports size 0 and never ends, and opening a
    pipe blocks until someone writes. The read is bounded too, in case the file grows.
    """
    shown = printable(path)
    try:
        target = Path(path).expanduser()
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            raise PublishError(
                f"{shown} is not a regular file (a directory, device or pipe): "
                "save the bytes to send in a file"
            )
        with target.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PublishError(f"cannot read {shown}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the path
        raise PublishError(f"cannot read {shown}: the path contains a NUL byte") from None
    if len(data) > MAX_FILE_BYTES:
        raise PublishError(
            f"file {shown} is over {MAX_FILE_BYTES:,} bytes: far over any max_payload"
        )
    return data


def _as_editable_text(payload: bytes) -> str | None:
    """The payload as editor text when that round-trips exactly; None for binary."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 and c not in "\t\n" for c in text) or "\r" in text:
        return None
    return text


def _json_note(body: str) -> str:
    stripped = body.lstrip()
    if not stripped.startswith(("{", "[")):
        return ""
    try:
        json.loads(body)
    except ValueError:
        return " · not valid JSON"
    return " · JSON ok"
