"""Untrusted bytes are data: markup, escape sequences, bad UTF-8 and huge messages render as
plain, escaped text in the tail's list and detail, quickly, without hurting the connection."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Static

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.tail_list import TailList
from natstui.widgets.tail_tab import TailTab
from tests.helpers import profile_for, wait_for

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
SIZE = (260, 50)


@pytest.fixture
async def pub(server: LocalNats) -> AsyncIterator[Client]:
    nc = await nats.connect(
        server.client_urls[0], user=server.app_user, password=server.app_password
    )
    yield nc
    await nc.close()


def texts(strips: list[Strip]) -> list[str]:
    lines = []
    for strip in strips:
        segments = list(strip)
        for seg in segments:
            assert not CONTROL.search(seg.text), f"raw control character in {seg.text!r}"
        lines.append(strip.text)
    return lines


def list_lines(app: NatsTuiApp) -> list[str]:
    lst = app.query_one(TailList)
    return texts([lst.render_line(y) for y in range(lst.scrollable_content_region.height)])


def detail_lines(app: NatsTuiApp, limit: int = 300) -> list[str]:
    body = app.query_one("#tail-detail-body", Static)
    height = min(body.size.height, limit)
    return texts(body.render_lines(Region(0, 0, body.size.width, height)))


async def show_one(app: NatsTuiApp, pub: Client, subject: str, data: bytes, **kw: object) -> float:
    """Publish one message, open it in the detail pane; seconds until the detail rendered."""
    tab = app.query_one(TailTab)
    before = tab.view.row_count
    await pub.publish(subject, data, **kw)  # type: ignore[arg-type]
    await pub.flush()
    await wait_for(lambda: tab.view.row_count == before + 1)
    tab.tail_list.focus()
    await wait_for(lambda: tab.tail_list.cursor == before)
    seq = tab.view.seq_at(before)
    body = app.query_one("#tail-detail-body", Static)
    started = time.perf_counter()
    tab.tail_list.action_open()
    await wait_for(lambda: f"seq {seq}\n" in str(body.content))
    await wait_for(lambda: body.size.height >= 7)  # laid out: every detail has 7+ lines
    detail_lines(app)  # renders it
    return time.perf_counter() - started


@pytest.fixture
async def tail_app(server: LocalNats) -> AsyncIterator[NatsTuiApp]:
    app = NatsTuiApp(profile=profile_for(server, subscriptions=(">",)))
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(TailTab)
        await wait_for(lambda: tab.tail is not None and tab.tail.subscriptions(), timeout=10)
        await pilot.press("2")
        yield app
        assert app.session is not None and app.session.nc is not None
        assert app.session.nc.is_connected, "the connection must survive hostile messages"


async def test_markup_shows_literally(tail_app: NatsTuiApp, pub: Client) -> None:
    await show_one(tail_app, pub, "inj.[bold].x", b"[bold]loud[/] [/] [link=http://x]y[/link]")
    row = "".join(list_lines(tail_app))
    assert "inj.[bold].x" in row and "[bold]loud[/] [/] [link=http://x]y[/link]" in row
    detail = "\n".join(detail_lines(tail_app))
    assert "[bold]loud[/] [/]" in detail and "inj.[bold].x" in detail


async def test_ansi_osc_bel_nul_show_escaped(tail_app: NatsTuiApp, pub: Client) -> None:
    payload = b"red:\x1b[31mX\x1b[0m osc52:\x1b]52;c;aGk=\x07 bel:\x07 nul:\x00 end"
    headers = {"X-Evil": "\x1b]0;title\x07", "X-Bold": "[bold]h[/]"}
    await show_one(tail_app, pub, "inj.ansi", payload, headers=headers)
    row = next(line for line in list_lines(tail_app) if "inj.ansi" in line)
    assert r"red:\x1b[31mX\x1b[0m osc52:\x1b]52;c;aGk=\x07 bel:\x07 nul:\x00 end" in row
    detail = "\n".join(detail_lines(tail_app))
    assert r"X-Evil: \x1b]0;title\x07" in detail and "X-Bold: [bold]h[/]" in detail
    assert r"\x1b[31mX" in detail or "1b 5b 33 31" in detail  # text or hex, never raw


async def test_escape_in_subject(tail_app: NatsTuiApp, pub: Client) -> None:
    await show_one(tail_app, pub, "inj.\x1b[2J.\x07", b"subject escapes")
    assert any(r"inj.\x1b[2J.\x07" in line for line in list_lines(tail_app))
    assert any(r"inj.\x1b[2J.\x07" in line for line in detail_lines(tail_app))


async def test_invalid_utf8_shows_escapes_and_hex(tail_app: NatsTuiApp, pub: Client) -> None:
    await show_one(tail_app, pub, "inj.bad", b"ok \xff\xfe\xc3( tail")
    row = next(line for line in list_lines(tail_app) if "inj.bad" in line)
    assert r"ok \xff\xfe\xc3( tail" in row
    detail = "\n".join(detail_lines(tail_app))
    assert "binary" in detail and "ff fe c3 28" in detail


async def test_one_mib_payload_renders_fast(tail_app: NatsTuiApp, pub: Client) -> None:
    payload = b"A" * (1024 * 1024 - 16)
    seconds = await show_one(tail_app, pub, "inj.big", payload)
    row = next(line for line in list_lines(tail_app) if "inj.big" in line)
    assert "1024.0K" in row or "1.0M" in row
    assert seconds < 2.0, f"1 MiB detail took {seconds:.2f}s"
    body = tail_app.query_one("#tail-detail-body", Static)
    assert "cut: showing the start" in str(body.content)


async def test_ten_thousand_lines_payload(tail_app: NatsTuiApp, pub: Client) -> None:
    payload = "\n".join(f"line {i} [b]x[/b]" for i in range(10_000)).encode()
    seconds = await show_one(tail_app, pub, "inj.lines", payload)
    rows = [line for line in list_lines(tail_app) if "inj.lines" in line]
    assert len(rows) == 1 and r"line 0 [b]x[/b]\nline 1" in rows[0]  # one row, newlines escaped
    assert seconds < 2.0, f"10k-line detail took {seconds:.2f}s"
    content = str(tail_app.query_one("#tail-detail-body", Static).content)
    assert "line 1999 [b]x[/b]" in content and "line 2000 " not in content
    assert "cut: showing the start" in content


async def test_two_hundred_token_subject(tail_app: NatsTuiApp, pub: Client) -> None:
    subject = ".".join(f"t{i}" for i in range(200))
    seconds = await show_one(tail_app, pub, subject, b"deep")
    row = next(line for line in list_lines(tail_app) if "t0.t1.t2" in line)
    assert "…" in row and "deep" in row  # clipped subject column, payload still visible
    assert seconds < 2.0
    content = str(tail_app.query_one("#tail-detail-body", Static).content)
    assert subject in content
