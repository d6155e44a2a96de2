"""Drill-down data for one server: connz pages and a varz summary, parsed into models.

The request bodies (system account) and query strings (HTTP) are built here too, because the
two transports name the same options differently (NATS-REFERENCE §2).
"""

from __future__ import annotations

from natstui.core import monitor_format as fmt
from natstui.core.cluster_models import CONNZ_SORTS, ConnRow, ConnzPage, ConnzQuery, ServerDetail
from natstui.core.monitor_parse import (
    JsonDict,
    duration_ms,
    integer,
    items,
    number,
    obj,
    parse_duration,
    text,
)
from natstui.core.subjects import SubjectError, validate_subscribe_subject

# HTTP /connz uses "subs" for the sort the JSON options call "subs" too; only the filter differs.
_TEXT_FIELDS = ("name", "account", "user", "address", "lang", "kind")


def connz_body(query: ConnzQuery) -> JsonDict:
    """The `$SYS.REQ.SERVER.*.CONNZ` request options for `query`."""
    body: JsonDict = {
        "sort": _sort(query.sort),
        "limit": query.limit,
        "offset": query.offset,
        "auth": True,
    }
    if query.account:
        body["acc"] = query.account
    if query.subject:
        body["filter_subject"] = query.subject
    return body


def connz_params(query: ConnzQuery) -> dict[str, str | int]:
    """The HTTP `/connz` query parameters for `query`."""
    params: dict[str, str | int] = {
        "sort": _sort(query.sort),
        "limit": query.limit,
        "offset": query.offset,
        "auth": 1,
    }
    if query.account:
        params["acc"] = query.account
    if query.subject:
        params["filter_subject"] = query.subject
    return params


def _sort(sort: str) -> str:
    return sort if sort in CONNZ_SORTS else CONNZ_SORTS[0]


def parse_connz(server: str, query: ConnzQuery, data: JsonDict) -> ConnzPage:
    """connz data → a page; the free-text filter is applied here (the server has none)."""
    rows = tuple(_conn_row(c) for c in items(data, "connections"))
    if query.text:
        needle = query.text.lower()
        rows = tuple(r for r in rows if _matches(r, needle))
    total = integer(data, "total")
    return ConnzPage(server, query, total if total is not None else len(rows), rows)


def _matches(row: ConnRow, needle: str) -> bool:
    return any(needle in str(getattr(row, f)).lower() for f in _TEXT_FIELDS)


def _conn_row(c: JsonDict) -> ConnRow:
    ip, port = text(c, "ip"), integer(c, "port")
    return ConnRow(
        cid=integer(c, "cid") or 0,
        name=text(c, "name"),
        kind=text(c, "kind") or text(c, "type"),
        address=f"{ip}:{port}" if ip else "",
        account=text(c, "account"),
        user=text(c, "authorized_user"),
        lang=text(c, "lang"),
        version=text(c, "version"),
        tls_version=text(c, "tls_version"),
        uptime=text(c, "uptime"),
        idle=text(c, "idle"),
        rtt_ms=duration_ms(c, "rtt"),
        pending_bytes=integer(c, "pending_bytes") or 0,
        in_msgs=integer(c, "in_msgs") or 0,
        out_msgs=integer(c, "out_msgs") or 0,
        in_bytes=integer(c, "in_bytes") or 0,
        out_bytes=integer(c, "out_bytes") or 0,
        subscriptions=integer(c, "subscriptions") or 0,
    )


def varz_detail(server: str, varz: JsonDict) -> ServerDetail:
    """The varz fields an operator checks first, as (label, value) lines."""
    cluster, gateway = obj(varz, "cluster"), obj(varz, "gateway")
    slow = obj(varz, "slow_consumer_stats")
    fields = (
        ("server", f"{text(varz, 'server_name')} ({text(varz, 'server_id')[:12]})"),
        ("version", f"{text(varz, 'version')} go {text(varz, 'go')}"),
        ("uptime", fmt.duration(parse_duration(varz.get("uptime")))),
        (
            "cluster",
            f"{text(cluster, 'name') or fmt.DASH} · gateway {text(gateway, 'name') or fmt.DASH}",
        ),
        (
            "cpu / mem",
            f"{fmt.percent(number(varz, 'cpu'))} · {fmt.size(integer(varz, 'mem'))}"
            f" · {integer(varz, 'cores') or '?'} cores",
        ),
        (
            "connections",
            f"{fmt.count(integer(varz, 'connections'))} now · "
            f"{fmt.count(integer(varz, 'total_connections'))} total",
        ),
        ("subscriptions", fmt.count(integer(varz, "subscriptions"))),
        (
            "routes / leafs",
            f"{integer(varz, 'routes') or 0} route conns · "
            f"{integer(varz, 'leafnodes') or 0} leafnodes",
        ),
        (
            "msgs in / out",
            f"{fmt.count(integer(varz, 'in_msgs'))} / {fmt.count(integer(varz, 'out_msgs'))}",
        ),
        (
            "bytes in / out",
            f"{fmt.size(integer(varz, 'in_bytes'))} / {fmt.size(integer(varz, 'out_bytes'))}",
        ),
        (
            "slow consumers",
            f"{integer(varz, 'slow_consumers') or 0} (clients "
            f"{integer(slow, 'clients') or 0}, routes {integer(slow, 'routes') or 0}, "
            f"gateways {integer(slow, 'gateways') or 0}, leafs {integer(slow, 'leafs') or 0})",
        ),
        ("max payload", fmt.size(integer(varz, "max_payload"))),
    )
    return ServerDetail(server, fields)


def parse_filter(text: str, base: ConnzQuery) -> ConnzQuery:
    """`acc:APP subj:foo.> words` → a query from page 1; ValueError with a plain reason.

    `acc:` and `subj:` are filtered by the server; other words are matched here.
    """
    account = subject = ""
    words: list[str] = []
    for token in text.split():
        if token.startswith("acc:"):
            account = token[4:]
        elif token.startswith(("subj:", "subject:")):
            subject = token.split(":", 1)[1]
        else:
            words.append(token)
    if subject:
        if not account:
            raise ValueError("a subject filter needs an account too: acc:NAME subj:SUBJECT")
        try:
            validate_subscribe_subject(subject)
        except SubjectError as exc:
            raise ValueError(f"subject filter: {exc}") from None
    return ConnzQuery(base.sort, base.limit, 0, account, subject, " ".join(words))
