"""The status bar through a server outage: connected -> reconnecting -> connected again."""

from __future__ import annotations

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.status_bar import StatusBar
from tests.helpers import MakeNats, profile_for, wait_for

SIZE = (200, 30)


def bar(app: NatsTuiApp) -> str:
    return str(app.query_one(StatusBar).render())


async def test_outage_and_recovery_on_screen(nats_single: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(nats_single))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: "connected" in bar(app) and "rtt" in bar(app), timeout=10)
        text = bar(app)
        assert nats_single.client_urls[0] in text and "(n1)" in text
        assert "app@APP" in text and "SYS" in text and "PLAINTEXT" in text
        assert "reconnects 0" in text
        session = app.session
        assert session is not None and session.nc is not None
        got: list[bytes] = []

        async def on_msg(msg: object) -> None:
            got.append(msg.data)  # type: ignore[attr-defined]

        await session.nc.subscribe("outage.test", cb=on_msg)
        await session.nc.flush()
        nats_single.kill(0)
        await wait_for(lambda: "reconnecting" in bar(app), timeout=10)
        await pilot.pause()
        await nats_single.arestart(0)
        await wait_for(
            lambda: "reconnects 1" in bar(app) and "reconnecting" not in bar(app), timeout=15
        )
        await session.nc.publish("outage.test", b"back")
        await wait_for(lambda: b"back" in got, timeout=5)


async def test_tls_version_shown(make_nats: MakeNats) -> None:
    local = make_nats(tls=True)
    app = NatsTuiApp(profile=profile_for(local, system_auth=None))
    async with app.run_test(size=SIZE):
        await wait_for(lambda: "TLS TLSv1." in bar(app), timeout=10)
        assert "PLAINTEXT" not in bar(app)
