"""Cluster status from the best source this session has: system account, HTTP, or plain user.

`ClusterMonitor.refresh()` returns one immutable `ClusterSnapshot`. Sources, in order:
1. the system account over NATS (`session.monitor_nc` when it is a system connection):
   `$SYS.REQ.SERVER.PING.*` from every server (see `monitor_sys`);
2. the HTTP monitoring URLs in the profile (`monitor_http`);
3. what any user may ask: the connected server's INFO and `$SYS.REQ.SERVER.PING.CONNZ` (own
   account only), with a notice saying which credentials would show more.
A refresh never raises for a data problem: failures become `errors` lines in the snapshot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from nats.aio.client import Client

from natstui.core.cluster_models import (
    ClusterSnapshot,
    ConnzPage,
    ConnzQuery,
    ServerDetail,
    ServerRow,
    Source,
)
from natstui.core.connection import NatsSession, describe_error
from natstui.core.monitor_build import RefreshInfo, SnapshotBuilder
from natstui.core.monitor_connz import connz_body, connz_params, parse_connz, varz_detail
from natstui.core.monitor_gather import gather, request_one
from natstui.core.monitor_http import endpoint_url, fetch_json, gather_http, safe_url
from natstui.core.monitor_parse import (
    ReplyError,
    ServerReport,
    parse_envelope,
    text,
)
from natstui.core.monitor_sys import PING, NoSystemAccess, gather_system

LIMITED_NOTICE = (
    "Limited view: this user is not in the system account and the profile lists no monitoring "
    "URLs, so only the connected server's INFO and your own account's connections are shown. "
    "Add system-account credentials (system_auth) or monitor_urls (http://host:8222) to the "
    "profile to see every server, route, gateway, leafnode and JetStream."
)
HTTP_NOTICE = (
    "Source: HTTP monitoring URLs from the profile (no system-account access). "
    "Servers not listed in monitor_urls are not shown."
)


class MonitorUnavailable(Exception):
    """The refresh could not run at all (connection down); the last snapshot stays shown."""


class ClusterMonitor:
    """Refreshes snapshots and fetches drill-down data for one session."""

    def __init__(
        self,
        session: NatsSession,
        *,
        timeout: float = 3.0,
        history: int = 60,
        compress: bool = True,
    ) -> None:
        self.session = session
        self.timeout = timeout
        # gzip replies: 2-3x fewer bytes (what matters over a VPN at 3 a.m.); on one small
        # machine running every server it costs more server CPU than it saves (performance.md).
        self.compress = compress
        self.builder = SnapshotBuilder(history)
        self._system_denied = False
        self.last: ClusterSnapshot | None = None

    # --- source selection -------------------------------------------------------------------
    @property
    def source(self) -> Source:
        """The source the next refresh will use."""
        if self._system_nc() is not None:
            return "system"
        if self.session.profile.monitor_urls:
            return "http"
        return "limited" if self.session.nc is not None else "none"

    def _system_nc(self) -> Client | None:
        return None if self._system_denied else self.session.sys_nc

    # --- refresh ------------------------------------------------------------------------------
    async def refresh(self) -> ClusterSnapshot:
        """One full refresh from the best available source.

        Raises MonitorUnavailable while the NATS connection it needs is down: a gather over a
        dead link would report every server missing, which is false and alarming.
        """
        source = self.source
        self._check_connected(source)
        snapshot: ClusterSnapshot
        if source == "system":
            try:
                snapshot = await self._refresh_system()
            except NoSystemAccess:
                self._system_denied = True
                return await self.refresh()
        elif source == "http":
            snapshot = await self._refresh_http()
        elif source == "limited":
            snapshot = await self._refresh_limited()
        else:
            snapshot = ClusterSnapshot(
                source="none", errors=("not connected",), taken_at=time.monotonic()
            )
        self.last = snapshot
        return snapshot

    def _check_connected(self, source: Source) -> None:
        nc = self._system_nc() if source == "system" else self.session.nc
        if source in ("system", "limited") and nc is not None and not nc.is_connected:
            raise MonitorUnavailable("NATS connection is down (reconnecting); data is stale")

    def _build(self, reports: Iterable[ServerReport], info: RefreshInfo) -> ClusterSnapshot:
        started = time.perf_counter()
        snapshot = self.builder.build(reports, info)
        return replace(snapshot, build_s=time.perf_counter() - started)

    async def _refresh_system(self) -> ClusterSnapshot:
        nc = self._system_nc()
        assert nc is not None
        last = self.last
        floor = (
            sum(not s.missing for s in last.servers) if last and last.source == "system" else None
        )
        got = await gather_system(
            nc, timeout=self.timeout, expected_floor=floor or None, compress=self.compress
        )
        self._check_connected("system")  # dropped mid-gather: silence is not absence
        info = RefreshInfo(
            source="system",
            now=time.monotonic(),
            gather_s=got.gather_s,
            ended_by=got.ended_by,
            expected=got.active_servers,
            errors=tuple(got.errors),
        )
        return self._build(got.reports.values(), info)

    async def _refresh_http(self) -> ClusterSnapshot:
        urls = self.session.profile.monitor_urls
        got = await gather_http(urls, timeout=self.timeout)
        errors = [f"{safe_url(url)}: no answer from /varz" for url in got.failed_urls]
        info = RefreshInfo(
            source="http",
            now=time.monotonic(),
            gather_s=got.gather_s,
            ended_by="expected" if not got.failed_urls else "timeout",
            expected=len(urls),
            errors=tuple(errors + got.errors),
            notice=HTTP_NOTICE,
            expect_route_peers=False,
        )
        return self._build(got.reports.values(), info)

    async def _refresh_limited(self) -> ClusterSnapshot:
        nc = self.session.nc
        assert nc is not None
        start = time.monotonic()
        reports, errors = await self._limited_reports(nc)
        self._check_connected("limited")
        info = RefreshInfo(
            source="limited",
            now=time.monotonic(),
            gather_s=time.monotonic() - start,
            ended_by="gap",
            errors=tuple(errors),
            notice=LIMITED_NOTICE,
        )
        return self._build(reports.values(), info)

    async def _limited_reports(self, nc: Client) -> tuple[dict[str, ServerReport], list[str]]:
        reports: dict[str, ServerReport] = {}
        info: dict[str, Any] = getattr(nc, "_server_info", {}) or {}
        if info.get("server_name"):
            reports[str(info["server_name"])] = _report_from_info(info)
        errors: list[str] = []
        got = await gather(nc, f"{PING}.CONNZ", b'{"limit": 1024}', timeout=self.timeout)
        for msg in got.replies:
            try:
                env = parse_envelope(msg.data, msg.headers)
            except ReplyError as exc:
                errors.append(f"CONNZ: {exc}")
                continue
            report = reports.setdefault(env.server_name, ServerReport(env.server_name))
            report.absorb("connz", env)
        return reports, errors

    def forget_missing(self) -> None:
        """Stop showing servers that are missing now (they were removed on purpose)."""
        last = self.last
        present = [s.name for s in last.servers if not s.missing] if last else []
        self.builder.forget_missing(present)

    # --- drill-down ---------------------------------------------------------------------------
    async def connections(self, server: ServerRow, query: ConnzQuery) -> ConnzPage:
        """One page of `server`'s connections from the current source; errors in the page."""
        try:
            data = await self._connz_data(server, query)
        except (ReplyError, NoSystemAccess) as exc:
            return ConnzPage(server.name, query, error=str(exc))
        except Exception as exc:  # nats-py timeouts and connection errors: shown in place
            return ConnzPage(server.name, query, error=describe_error(exc))
        return parse_connz(server.name, query, data)

    async def server_detail(self, server: ServerRow) -> ServerDetail:
        """The server's varz summary; errors become the detail's `error`."""
        try:
            data = await self._one(server, "VARZ", {}, "varz", {})
        except Exception as exc:
            return ServerDetail(server.name, error=describe_error(exc))
        return varz_detail(server.name, data)

    async def _connz_data(self, server: ServerRow, query: ConnzQuery) -> dict[str, Any]:
        return await self._one(server, "CONNZ", connz_body(query), "connz", connz_params(query))

    async def _one(
        self,
        server: ServerRow,
        verb: str,
        body: dict[str, Any],
        endpoint: str,
        params: dict[str, str | int],
    ) -> dict[str, Any]:
        """Ask one server, over whichever source can reach it."""
        server = self._current_row(server)
        sys_nc = self._system_nc()
        if sys_nc is not None and sys_nc.is_connected and server.server_id:
            subject = f"$SYS.REQ.SERVER.{server.server_id}.{verb}"
            msg = await request_one(sys_nc, subject, json.dumps(body).encode(), self.timeout)
            return parse_envelope(msg.data, msg.headers).data
        if server.monitor_url:
            return await fetch_json(
                endpoint_url(server.monitor_url, endpoint, params), self.timeout
            )
        if sys_nc is not None and not sys_nc.is_connected:
            # The profile has system credentials; the connection is only down for now. The
            # limited path would wrongly say the credentials are missing.
            raise ReplyError("the system-account connection is down (reconnecting); try again")
        return await self._limited_one(server, verb, body)

    def _current_row(self, server: ServerRow) -> ServerRow:
        """The latest row for this server: a restarted nats-server has a new server_id, and a
        drill-down opened before the restart would otherwise ask the old one forever."""
        last = self.last
        fresh = [r for r in last.servers if r.name == server.name] if last else []
        return fresh[0] if fresh and fresh[0].server_id else server

    async def _limited_one(
        self, server: ServerRow, verb: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        nc = self.session.nc
        if nc is None or verb != "CONNZ":
            raise ReplyError(f"{verb} needs system-account credentials or monitor_urls")
        filtered = {**body, "server_name": server.name, "exact_match": True}
        msg = await request_one(nc, f"{PING}.CONNZ", json.dumps(filtered).encode(), self.timeout)
        return parse_envelope(msg.data, msg.headers).data


def _report_from_info(info: dict[str, Any]) -> ServerReport:
    """The connected server as its INFO describes it (all a plain connection is told)."""
    report = ServerReport(
        name=str(info.get("server_name")),
        server_id=text(info, "server_id"),
        cluster=text(info, "cluster"),
        version=text(info, "version"),
    )
    report.parts["info"] = dict(info)
    return report


__all__ = ["HTTP_NOTICE", "LIMITED_NOTICE", "ClusterMonitor", "MonitorUnavailable"]
