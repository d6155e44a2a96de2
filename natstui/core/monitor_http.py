"""Gather monitoring data from nats-server HTTP endpoints (`profile.monitor_urls`).

Used when the profile has no system-account access. Stdlib `urllib` in worker threads: one GET
per (server, endpoint), all at once, so a refresh costs about one round trip to the slowest
server. No new dependency is justified for six small JSON GETs.
"""

from __future__ import annotations

import asyncio
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

from natstui.core.monitor_parse import (
    JsonDict,
    ReplyError,
    ServerReport,
    decompress,
    load_json,
    text,
)

HTTP_ENDPOINTS = ("varz", "routez", "gatewayz", "leafz", "jsz", "healthz")
MAX_HTTP_BYTES = 64 * 1024 * 1024


@dataclass
class HttpGather:
    """Reports of the servers that answered, and the URLs that did not."""

    reports: dict[str, ServerReport] = field(default_factory=dict)
    failed_urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    gather_s: float = 0.0


def safe_url(url: str) -> str:
    """`url` without any `user:password@` part, for messages and the UI."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def endpoint_url(base: str, endpoint: str, query: Mapping[str, str | int] | None = None) -> str:
    """`http://host:8222` + `varz` (+ query) → `http://host:8222/varz?...`."""
    url = base.rstrip("/") + "/" + endpoint
    if query:
        url += "?" + urllib.parse.urlencode(query)
    return url


def http_get_json(url: str, timeout: float) -> JsonDict:
    """Blocking GET of a JSON object; /healthz's 503 body is still returned. Raises ReplyError."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_HTTP_BYTES + 1)
            headers = {"Content-Encoding": response.headers.get("Content-Encoding", "")}
    except urllib.error.HTTPError as exc:
        # /healthz answers 503 with a JSON body that says why: keep it.
        body = exc.read(MAX_HTTP_BYTES + 1)
        headers = {"Content-Encoding": exc.headers.get("Content-Encoding", "")}
        if not body:
            raise ReplyError(f"HTTP {exc.code}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # The reason can quote the URL back (bad port...): never show its credentials.
        raise ReplyError(_reason(exc).replace(url, safe_url(url))) from None
    if len(body) > MAX_HTTP_BYTES:
        raise ReplyError(f"reply larger than {MAX_HTTP_BYTES} bytes")
    return load_json(decompress(body, headers))


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc) or type(exc).__name__


async def fetch_json(url: str, timeout: float) -> JsonDict:
    """`http_get_json` in a thread, so the event loop never blocks."""
    return await asyncio.to_thread(http_get_json, url, timeout)


async def gather_http(urls: tuple[str, ...], *, timeout: float = 3.0) -> HttpGather:
    """GET every endpoint of every URL concurrently and group the answers per server."""
    start = time.monotonic()
    result = HttpGather()
    per_url = await asyncio.gather(*(_one_server(url, timeout) for url in urls))
    for url, report in zip(urls, per_url, strict=True):
        if report is None:
            result.failed_urls.append(url)
            continue
        result.reports[report.server_id or url] = report
        result.errors.extend(f"{report.name}: {e}" for e in report.errors)
    result.gather_s = time.monotonic() - start
    return result


async def _one_server(url: str, timeout: float) -> ServerReport | None:
    """All endpoints of one server; None when /varz itself fails (the server is unreachable)."""
    answers = await asyncio.gather(
        *(fetch_json(endpoint_url(url, ep), timeout) for ep in HTTP_ENDPOINTS),
        return_exceptions=True,
    )
    varz = answers[0]
    if not isinstance(varz, dict):
        return None
    report = ServerReport(
        name=text(varz, "server_name") or safe_url(url),
        server_id=text(varz, "server_id"),
        cluster=text(varz.get("cluster") if isinstance(varz.get("cluster"), dict) else {}, "name"),
        version=text(varz, "version"),
        url=url,
    )
    for endpoint, answer in zip(HTTP_ENDPOINTS, answers, strict=True):
        if isinstance(answer, dict):
            report.parts[endpoint] = answer
        elif isinstance(answer, ReplyError):
            report.errors.append(f"/{endpoint}: {answer}")
        elif isinstance(answer, BaseException):
            report.errors.append(f"/{endpoint}: {type(answer).__name__}")
    return report
