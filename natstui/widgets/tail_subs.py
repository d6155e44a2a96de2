"""Subscriptions panel of the tail: add one (`subject [queue]`), list them, remove one.

The panel only validates and asks: it posts `SubscribeRequested` / `UnsubscribeRequested` and
the tab does the NATS I/O in a worker. A bad subject is reported inline and the typed text is
kept, because an invalid SUB would make the server close the connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label

from natstui.core.subjects import SubjectError, validate_queue_group, validate_subscribe_subject
from natstui.core.tail import SubscriptionInfo
from natstui.core.textsafe import printable


def parse_subscription(text: str) -> tuple[str, str | None]:
    """`subject` or `subject queue` -> (subject, queue); raises SubjectError with the reason."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SubjectError(
            "contains a character that has no UTF-8 form (a lone surrogate)"
        ) from None
    parts = text.split()
    if not parts:
        raise SubjectError("type a subject to tail, e.g. orders.> or orders.*.created")
    if len(parts) > 2:
        raise SubjectError("expected: SUBJECT [QUEUE-GROUP] (subjects cannot contain spaces)")
    subject = validate_subscribe_subject(parts[0])
    queue = validate_queue_group(parts[1]) if len(parts) == 2 else None
    return subject, queue


class SubsTable(DataTable[Text]):
    """The list of tail subscriptions; delete removes the selected one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,x", "remove", "Unsubscribe"),
    ]

    @dataclass
    class UnsubscribeRequested(Message):
        sub_id: int

    def action_remove(self) -> None:
        if self.row_count == 0:
            return
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        if key.value is not None:
            self.post_message(self.UnsubscribeRequested(int(key.value)))


class TailSubscriptions(Vertical):
    """Subscribe input + table of subscriptions with their counters."""

    DEFAULT_CSS = """
    TailSubscriptions { height: auto; max-height: 8; }
    TailSubscriptions > Horizontal { height: auto; }
    TailSubscriptions Input { width: 1fr; }
    TailSubscriptions #tail-subscribe-error { color: $error; height: auto; padding: 0 1; }
    TailSubscriptions SubsTable { height: auto; max-height: 5; }
    """

    @dataclass
    class SubscribeRequested(Message):
        subject: str
        queue: str | None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Input(
                placeholder="subscribe: SUBJECT [QUEUE]  e.g. orders.>   (enter)",
                id="tail-subscribe-input",
            )
        yield Label("", id="tail-subscribe-error", markup=False)
        yield SubsTable(id="tail-subs-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(SubsTable)
        table.add_columns("#", "subject", "queue", "received", "slow")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "tail-subscribe-input":
            return
        event.stop()
        try:
            subject, queue = parse_subscription(event.value)
        except SubjectError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self.post_message(self.SubscribeRequested(subject, queue))

    def subscribed(self) -> None:
        """The tab reports success: clear the input."""
        self.query_one("#tail-subscribe-input", Input).value = ""
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.query_one("#tail-subscribe-error", Label).update(Text(printable(message)))

    def show(self, subs: list[SubscriptionInfo]) -> None:
        """Refresh the table in place (keeps the cursor)."""
        table = self.query_one(SubsTable)
        wanted = {str(s.id) for s in subs}
        for key in [k for k in table.rows if k.value not in wanted]:
            table.remove_row(key)
        for sub in subs:
            cells = (
                Text(str(sub.id)),
                Text(printable(sub.subject)),
                Text(printable(sub.queue or "—")),
                Text(f"{sub.received:,}", justify="right"),
                Text(f"{sub.slow_consumers:,}", justify="right"),
            )
            if str(sub.id) in table.rows:
                for column, cell in zip(table.columns, cells, strict=True):
                    table.update_cell(str(sub.id), column, cell)
            else:
                table.add_row(*cells, key=str(sub.id))
