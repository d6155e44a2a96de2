"""Status bar rendering: TLS state loud when unsafe, wire strings escaped."""

from __future__ import annotations

from natstui.core.connection import ConnectionState
from natstui.widgets.status_bar import render_status


def test_connected_tls_shows_version_and_server() -> None:
    state = ConnectionState(
        profile="prod",
        status="connected",
        url="tls://10.0.0.1:4222",
        server_name="n1",
        cluster="eu",
        tls=True,
        tls_version="TLSv1.3",
        reconnects=2,
    )
    text = render_status(state).plain
    assert "prod" in text and "n1, eu" in text and "TLS TLSv1.3" in text and "reconnects 2" in text


def test_plaintext_is_loud() -> None:
    state = ConnectionState(profile="p", status="connected", url="nats://h:4222", tls=False)
    rendered = render_status(state)
    assert "PLAINTEXT" in rendered.plain
    assert any("red" in str(span.style) for span in rendered.spans)


def test_unverified_tls_is_loud() -> None:
    state = ConnectionState(profile="p", status="connected", tls=True, tls_verify=False)
    assert "TLS UNVERIFIED" in render_status(state).plain


def test_server_name_with_escape_is_escaped() -> None:
    state = ConnectionState(
        profile="p", status="connected", url="nats://h:1", server_name="\x1b[2J"
    )
    assert "\x1b" not in render_status(state).plain
