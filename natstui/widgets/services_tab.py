"""The Services tab: NATS micro services found through `$SRV.PING / INFO / STATS`.

Discovery runs in a worker (adaptive gathering: it ends ~0.3 s after the last reply) and posts a
`ServicesSnapshot`; auto-refresh re-runs it every few seconds while the tab is on screen and
never overlaps a running one. Select a service to see its endpoints and instances; Enter on an
endpoint opens the Request tab on its subject.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static

from natstui.commands import PaletteCommand
from natstui.core.connection import NatsSession
from natstui.core.services import ServiceGroup, ServicesFilter, ServicesSnapshot, discover
from natstui.core.textsafe import printable
from natstui.widgets.publish_tab import focus_on_activation
from natstui.widgets.request_tab import RequestTab
from natstui.widgets.safe import safe_text
from natstui.widgets.services_tables import EndpointTable, InstanceTable, ServiceTable
from natstui.widgets.tab_base import MainTab

AUTO_REFRESH = 5.0


class ServicesTab(MainTab):
    """Services grouped by name, with endpoints, instances and their counters."""

    DEFAULT_FOCUS = "#srv-services"

    DEFAULT_CSS = """
    ServicesTab { padding: 0 1; }
    ServicesTab #srv-top { height: 3; }
    ServicesTab #srv-top Label { padding: 1 1 0 0; }
    ServicesTab #srv-filter { width: 40; }
    ServicesTab #srv-status { width: 1fr; padding: 1 0 0 2; }
    ServicesTab #srv-status.-error { color: $error; }
    ServicesTab .srv-caption { height: 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("ctrl+t", "toggle_auto", "Auto-refresh"),
    ]

    @dataclass
    class Discovered(Message):
        """A discovery round finished."""

        snapshot: ServicesSnapshot

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot: ServicesSnapshot | None = None
        self.auto = True
        self._filter = ServicesFilter()
        self._timer: Timer | None = None
        self._shown: tuple[ServiceGroup, ...] = ()

    def compose(self) -> ComposeResult:
        with Horizontal(id="srv-top"):
            yield Label("Filter")
            yield Input(placeholder="name, version or subject", id="srv-filter")
            yield Static("not connected", id="srv-status")
        yield ServiceTable(id="srv-services")
        yield Static("Endpoints  (enter: request this endpoint)", classes="srv-caption")
        yield EndpointTable(id="srv-endpoints")
        yield Static("Instances", classes="srv-caption")
        yield InstanceTable(id="srv-instances")

    def on_mount(self) -> None:
        focus_on_activation(self, "#srv-services")

    # --- session ----------------------------------------------------------------------------
    async def attach(self, session: NatsSession) -> None:
        await super().attach(session)
        self.action_refresh()
        self._timer = self.set_interval(AUTO_REFRESH, self._tick)

    async def detach(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.workers.cancel_group(self, "services")
        await super().detach()

    def _discovering(self) -> bool:
        return any(w.group == "services" and w.is_running for w in self.workers)

    def _tick(self) -> None:
        # Only poll what someone can see, and never start a round while one is running.
        if self.auto and self.is_on_screen and not self._discovering():
            self.action_refresh()

    # --- actions ----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        if self.session is None or self.session.nc is None:
            self.notify("Not connected", severity="warning")
            return
        self._discover()

    def action_toggle_auto(self) -> None:
        self.auto = not self.auto
        self.notify(f"Auto-refresh {'on' if self.auto else 'off'}")
        self._show_status()

    @work(exclusive=True, group="services", exit_on_error=False)
    async def _discover(self) -> None:
        nc = self.session.nc if self.session is not None else None
        if nc is None:
            return
        snapshot = await discover(nc)
        self.post_message(self.Discovered(snapshot))

    @on(Discovered)
    def _discovered(self, event: Discovered) -> None:
        self.snapshot = event.snapshot
        self._show()

    @on(Input.Changed, "#srv-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = ServicesFilter(event.value)
        self._show()

    # --- view -------------------------------------------------------------------------------
    def _show(self) -> None:
        snap = self.snapshot
        groups = snap.services if snap else ()
        self._shown = tuple(g for g in groups if self._filter.matches(g))
        self.query_one(ServiceTable).show(self._shown)
        self._show_selected()
        self._show_status()

    def _show_status(self) -> None:
        box = self.query_one("#srv-status", Static)
        snap = self.snapshot
        if snap is None:
            box.update("discovering …")
            return
        instances = sum(len(g.instances) for g in snap.services)
        at = time.strftime("%H:%M:%S", time.localtime(snap.taken_at))
        text = (
            f"{len(snap.services)} services, {instances} instances · updated {at} "
            f"in {snap.elapsed * 1000:.0f} ms · auto-refresh "
            f"{f'every {AUTO_REFRESH:g} s' if self.auto else 'off'} (ctrl+t)"
        )
        if snap.unparsed:
            text += f" · {snap.unparsed} replies not understood"
        if snap.errors:
            text += " · " + "; ".join(snap.errors)
        box.set_class(bool(snap.errors), "-error")
        box.update(safe_text(text))

    def _selected(self) -> ServiceGroup | None:
        key = self.query_one(ServiceTable).current_key()
        return next((g for g in self._shown if g.name == key), None)

    def _show_selected(self) -> None:
        group = self._selected()
        self.query_one(EndpointTable).show(group.endpoints if group else ())
        self.query_one(InstanceTable).show(group.instances if group else ())

    @on(DataTable.RowHighlighted, "#srv-services")
    def _service_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    @on(EndpointTable.RequestWanted)
    def _request_endpoint(self, event: EndpointTable.RequestWanted) -> None:
        subject = event.endpoint.subject
        if not subject:
            self.notify("This endpoint has no subject", severity="warning")
            return
        self.app.query_one(RequestTab).prefill(subject=subject, payload=b"")
        self.app.action_show_tab("request")  # type: ignore[attr-defined]
        self.notify(printable(f"Request tab: {subject}"), markup=False)

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand("Services: refresh", self.action_refresh, "rediscover services")]
