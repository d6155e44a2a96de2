"""Drill-down into one server: its varz summary and its connections (connz), paged and sorted.

Filter syntax (typed after `/`): words are matched against connection name, account, user,
address and client library; `acc:NAME` asks the server for one account only, and
`subj:SUBJECT` (with `acc:`) for connections interested in a subject — nats-server refuses a
subject filter without an account.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from natstui.core.cluster_models import CONNZ_SORTS, ConnzPage, ConnzQuery, ServerDetail, ServerRow
from natstui.core.monitor import ClusterMonitor
from natstui.core.monitor_connz import parse_filter
from natstui.widgets import cluster_rows as rows
from natstui.widgets.safe import safe_text
from natstui.widgets.worker_errors import ReportsWorkerErrors

PAGE_SIZE = 50


class ServerDetailScreen(ReportsWorkerErrors, Screen[None]):
    """One server's varz summary and connections."""

    DEFAULT_CSS = """
    ServerDetailScreen #detail-varz { height: auto; padding: 0 1; border-bottom: solid $accent; }
    ServerDetailScreen #detail-status { height: 1; padding: 0 1; background: $boost; }
    ServerDetailScreen #detail-filter { display: none; }
    ServerDetailScreen #detail-filter.-shown { display: block; }
    ServerDetailScreen #detail-error { height: auto; padding: 0 1; color: $error; }
    ServerDetailScreen #detail-conns { height: 1fr; }
    """
    # The hidden filter box comes first in the layout: never let it take the first focus.
    AUTO_FOCUS = "#detail-conns"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("n", "next_page", "Next page"),
        Binding("b", "prev_page", "Prev page"),
        Binding("slash", "filter", "Filter"),
        Binding("r", "reload", "Reload"),
    ]

    class PageLoaded(Message):
        def __init__(self, page: ConnzPage) -> None:
            super().__init__()
            self.page = page

    class DetailLoaded(Message):
        def __init__(self, detail: ServerDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, monitor: ClusterMonitor, server: ServerRow) -> None:
        super().__init__()
        self.monitor = monitor
        self.server = server
        self.query_state = ConnzQuery(limit=PAGE_SIZE)
        self.page: ConnzPage | None = None
        self.detail: ServerDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(safe_text(f"Server {self.server.name}: loading…"), id="detail-varz")
        yield Static("", id="detail-status")
        yield Input(
            placeholder="filter: words, acc:ACCOUNT, subj:SUBJECT (Enter applies)",
            id="detail-filter",
        )
        yield Static("", id="detail-error")
        yield DataTable(id="detail-conns", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-conns", DataTable).add_columns(*rows.CONN_HEADERS)
        self._load_detail()
        self._load_page(self.query_state)

    # --- workers: all I/O happens here, results come back as messages -------------------------
    @work(exclusive=True, group="cluster-detail", exit_on_error=False)
    async def _load_detail(self) -> None:
        self.post_message(self.DetailLoaded(await self.monitor.server_detail(self.server)))

    @work(exclusive=True, group="cluster-connz", exit_on_error=False)
    async def _load_page(self, query: ConnzQuery) -> None:
        self.post_message(self.PageLoaded(await self.monitor.connections(self.server, query)))

    @on(DetailLoaded)
    def _show_detail(self, event: DetailLoaded) -> None:
        self.detail = event.detail
        text = Text()
        text.append_text(safe_text(f"Server {self.server.name}", "bold"))
        if event.detail.error:
            text.append("\n")
            text.append_text(safe_text(f"varz unavailable: {event.detail.error}", "red"))
        for label, value in event.detail.fields:
            text.append(f"\n{label:>15}  ", style="dim")
            text.append_text(safe_text(value))
        self.query_one("#detail-varz", Static).update(text)

    @on(PageLoaded)
    def _show_page(self, event: PageLoaded) -> None:
        page = self.page = event.page
        table = self.query_one("#detail-conns", DataTable)
        table.clear()
        table.add_rows([rows.conn_cells(c) for c in page.rows])
        self.query_one("#detail-error", Static).update(
            safe_text(f"connz failed: {page.error}" if page.error else "")
        )
        self._show_status()

    def status_text(self) -> Text:
        q = self.query_state
        page_no = q.offset // q.limit + 1
        pages = max(1, -(-self.page.total // q.limit)) if self.page else 1
        text = Text(f"sort {q.sort} · page {page_no}/{pages}")
        if self.page is not None:
            text.append(f" · {self.page.total} connections · {len(self.page.rows)} shown")
        filters = " ".join(
            part
            for part in (
                f"acc:{q.account}" if q.account else "",
                f"subj:{q.subject}" if q.subject else "",
                q.text,
            )
            if part
        )
        if filters:
            text.append(" · filter ")
            text.append_text(safe_text(filters, "bold"))
        return text

    def _show_status(self) -> None:
        self.query_one("#detail-status", Static).update(self.status_text())

    # --- actions -----------------------------------------------------------------------------
    def _requery(self, query: ConnzQuery) -> None:
        self.query_state = query
        self._show_status()
        self._load_page(query)

    def action_cycle_sort(self) -> None:
        q = self.query_state
        sort = CONNZ_SORTS[(CONNZ_SORTS.index(q.sort) + 1) % len(CONNZ_SORTS)]
        self._requery(ConnzQuery(sort, q.limit, 0, q.account, q.subject, q.text))

    def action_next_page(self) -> None:
        q = self.query_state
        if self.page is not None and q.offset + q.limit >= self.page.total:
            self.notify("Last page", timeout=2)
            return
        self._requery(ConnzQuery(q.sort, q.limit, q.offset + q.limit, q.account, q.subject, q.text))

    def action_prev_page(self) -> None:
        q = self.query_state
        if q.offset == 0:
            self.notify("First page", timeout=2)
            return
        offset = max(0, q.offset - q.limit)
        self._requery(ConnzQuery(q.sort, q.limit, offset, q.account, q.subject, q.text))

    def action_reload(self) -> None:
        self._load_detail()
        self._load_page(self.query_state)

    def action_filter(self) -> None:
        box = self.query_one("#detail-filter", Input)
        box.add_class("-shown")
        box.focus()

    @on(Input.Submitted, "#detail-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        try:
            query = parse_filter(event.value, self.query_state)
        except ValueError as exc:
            self.query_one("#detail-error", Static).update(safe_text(str(exc)))
            return
        self.query_one("#detail-conns", DataTable).focus()
        self._requery(query)

    def action_close(self) -> None:
        box = self.query_one("#detail-filter", Input)
        if box.has_focus:
            self.query_one("#detail-conns", DataTable).focus()
            return
        self.dismiss(None)
