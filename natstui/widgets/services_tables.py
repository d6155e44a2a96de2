"""Tables of the Services tab: services, their endpoints, their instances.

Rows are built from the frozen models in `natstui.core.services`; every name, subject and error
came from other processes, so it is shown through `safe_text`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from natstui.core.services import EndpointSummary, Instance, ServiceGroup
from natstui.widgets.safe import safe_text


def format_ns(ns: int) -> str:
    """A processing time for humans: 850 µs, 12.3 ms, 1.20 s."""
    if ns <= 0:
        return "-"
    if ns < 1_000:
        return "<1 µs"
    if ns < 1_000_000:
        return f"{ns / 1_000:.0f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.1f} ms"
    return f"{ns / 1_000_000_000:.2f} s"


def format_age(seconds: float) -> str:
    """An uptime: 45s, 12m3s, 5h2m, 3d4h."""
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60}m"
    return f"{s // 86400}d{s % 86400 // 3600}h"


def _errors(n: int) -> Text:
    return Text(f"{n:,}", style="bold red" if n else "")


class _KeyedTable(DataTable[object]):
    """A row-cursor table that can say which row key is under the cursor."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return key if isinstance(key, str) else None

    def _restore(self, key: str | None) -> None:
        if key is None or not self.row_count:
            return
        try:
            self.move_cursor(row=self.get_row_index(key))
        except Exception:  # the row is gone: the cursor stays at the top
            return


class ServiceTable(_KeyedTable):
    """One row per service name."""

    DEFAULT_CSS = "ServiceTable { height: 1fr; min-height: 4; }"

    def on_mount(self) -> None:
        self.add_columns(
            "service",
            "versions",
            "instances",
            "endpoints",
            "requests",
            "errors",
            "avg",
            "last error",
        )

    def show(self, groups: tuple[ServiceGroup, ...]) -> None:
        keep = self.current_key()
        self.clear()
        for g in groups:
            last = next((e.last_error for e in g.endpoints if e.last_error), "")
            self.add_row(
                safe_text(g.name, "bold"),
                safe_text(", ".join(g.versions) or "?"),
                str(len(g.instances)),
                str(len(g.endpoints)),
                f"{g.num_requests:,}",
                _errors(g.num_errors),
                format_ns(g.average_processing_time_ns),
                safe_text(last[:60], "red"),
                key=g.name,
            )
        self._restore(keep)


class EndpointTable(_KeyedTable):
    """Endpoints of the selected service; Enter prefills the Request tab."""

    DEFAULT_CSS = "EndpointTable { height: 1fr; min-height: 4; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "request", "Request endpoint"),
    ]

    @dataclass
    class RequestWanted(Message):
        """Open the Request tab on this endpoint."""

        endpoint: EndpointSummary

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.endpoints: dict[str, EndpointSummary] = {}

    def on_mount(self) -> None:
        self.add_columns(
            "endpoint",
            "subject",
            "queue group",
            "instances",
            "requests",
            "errors",
            "avg",
            "last error",
        )

    def show(self, endpoints: tuple[EndpointSummary, ...]) -> None:
        keep = self.current_key()
        self.clear()
        self.endpoints = {}
        for e in endpoints:
            key = f"{e.name}\x00{e.subject}"
            self.endpoints[key] = e
            self.add_row(
                safe_text(e.name),
                safe_text(e.subject, "bold"),
                safe_text(e.queue_group or "-"),
                str(e.instances),
                f"{e.num_requests:,}",
                _errors(e.num_errors),
                format_ns(e.average_processing_time_ns),
                safe_text(e.last_error[:80], "red"),
                key=key,
            )
        self._restore(keep)

    def action_request(self) -> None:
        key = self.current_key()
        if key is not None and key in self.endpoints:
            self.post_message(self.RequestWanted(self.endpoints[key]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # a click on the highlighted row: same as Enter
        self.action_request()


class InstanceTable(_KeyedTable):
    """Instances of the selected service."""

    DEFAULT_CSS = "InstanceTable { height: 1fr; min-height: 4; }"

    def on_mount(self) -> None:
        self.add_columns("id", "version", "up", "answered", "endpoints", "metadata", "description")

    def show(self, instances: tuple[Instance, ...]) -> None:
        keep = self.current_key()
        self.clear()
        now = time.time()
        for i in instances:
            up = format_age(now - i.started.timestamp()) if i.started else "?"
            verbs = ",".join(v for v in ("PING", "INFO", "STATS") if v in i.answered)
            meta = " ".join(f"{k}={v}" for k, v in i.metadata)
            self.add_row(
                safe_text(i.id),
                safe_text(i.version or "?"),
                up,
                verbs,
                str(len(i.endpoints)),
                safe_text(meta[:60]),
                safe_text(i.description[:60]),
                key=i.id,
            )
        self._restore(keep)
