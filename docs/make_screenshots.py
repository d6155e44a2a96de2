"""Generate screenshots/*.svg of every main screen from a running demo.

    .venv/bin/python docs/make_screenshots.py        (or `make screenshots`)

Starts the demo's real supercluster and simulated services, opens the app headless at a fixed
size, drives it with Pilot like a user would, and saves one SVG per screen. Every wait is on a
visible condition with a timeout; a screen that never shows what it should fails the script
instead of saving an empty picture. Re-run it whenever the UI changes.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from natstui.app import NatsTuiApp
from natstui.config import save_profile
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.demo.cluster import start_nats
from natstui.demo.config import demo_options
from natstui.demo.runner import demo_profile, service_target
from natstui.demo.services import ServicesThread

OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (160, 46)

Scene = Callable[[NatsTuiApp, Pilot[None]], Awaitable[None]]


def screen_text(app: NatsTuiApp) -> str:
    """The screen's text, from its SVG export: tags dropped, entities and spaces restored."""
    svg = app.export_screenshot()
    body = svg.split("<g", 1)[-1]
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


async def wait_text(app: NatsTuiApp, *needles: str, timeout: float = 20.0) -> None:
    """Wait until every needle shows on screen; fail loudly otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        text = screen_text(app)
        if all(n in text for n in needles):
            return
        if time.monotonic() > deadline:
            missing = [n for n in needles if n not in text]
            raise SystemExit(f"screenshot: {missing} never showed on {type(app.screen).__name__}")
        await asyncio.sleep(0.1)


async def cluster(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    await pilot.press("alt+1")
    await wait_text(app, "9/9 servers", "us-west-3", "/s")
    await asyncio.sleep(4.5)  # let two refreshes pass so rates and sparklines have history


async def tail(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    await pilot.press("alt+2")
    await wait_text(app, "transcoder.", "FOLLOWING")
    await asyncio.sleep(1.0)
    await pilot.press("p")  # pause, so the detail pane shows a fixed message
    await wait_text(app, "PAUSED")
    await pilot.press("up", "up", "up")


async def publish(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    from natstui.widgets.publish_tab import PublishTab

    await pilot.press("alt+3")
    app.query_one(PublishTab).prefill(
        subject="transcoder.eu.tc1.control",
        payload=b'{"command": "restart", "requested_by": "{{ID}}", "at": "{{TimeStamp}}"}',
        headers={"X-Incident": "INC-4711"},
        reply=None,
    )
    await wait_text(app, "transcoder.eu.tc1.control")


async def request(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    from natstui.widgets.request_tab import RequestTab

    await pilot.press("alt+4")
    app.query_one(RequestTab).prefill(subject="monitor.transcoders.stats", payload=b"{}")
    await pilot.press("ctrl+g")
    await wait_text(app, "tc3", "us-east")
    await asyncio.sleep(1.0)


async def services(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    await pilot.press("alt+5")
    await wait_text(app, "transcoder", "scheduler")
    await asyncio.sleep(1.0)


async def help_screen(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    await pilot.press("alt+1")
    await pilot.press("f1")
    await wait_text(app, "command palette", "Quit")


async def profiles(app: NatsTuiApp, pilot: Pilot[None]) -> None:
    await pilot.press("escape")
    await pilot.press("ctrl+o")
    await wait_text(app, "prod", "staging", "Import nats contexts")


def example_profiles(path: Path) -> None:
    """A profile file like an operator's, with secrets by reference only."""
    tls = TlsSettings(enabled=True, ca_file="~/certs/prod-ca.pem")
    save_profile(
        path,
        Profile(
            name="prod",
            description="Production eu-west",
            servers=("tls://nats-1.prod.example:4222", "tls://nats-2.prod.example:4222"),
            auth=Auth(kind=AuthKind.CREDS, creds=SecretRef(file="~/.nats/prod-ops.creds")),
            tls=tls,
        ),
    )
    save_profile(
        path,
        Profile(
            name="staging",
            description="Staging, all regions",
            servers=("tls://nats.staging.example:4222",),
            auth=Auth(
                kind=AuthKind.USER_PASSWORD,
                user="ops",
                password=SecretRef(env="STAGING_NATS_PASSWORD"),
            ),
            tls=tls,
        ),
    )
    save_profile(path, Profile(name="laptop", description="nats-server on this machine"))


SCENES: list[tuple[str, Scene]] = [
    ("cluster", cluster),
    ("tail", tail),
    ("publish", publish),
    ("request", request),
    ("services", services),
    ("help", help_screen),
    ("profiles", profiles),
]


async def shoot(profile_app: NatsTuiApp) -> None:
    app = profile_app
    async with app.run_test(size=SIZE) as pilot:
        await wait_text(app, "connected", "TLS")
        for name, scene in SCENES:
            await scene(app, pilot)
            await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
            print(f"screenshots/{name}.svg")
        await app.action_quit()


def main() -> int:
    OUT.mkdir(exist_ok=True)
    local = start_nats(demo_options(3))
    services_thread = ServicesThread(service_target(local))
    try:
        services_thread.start()
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "config.toml"
            example_profiles(store)
            asyncio.run(shoot(NatsTuiApp(profile=demo_profile(local), config_path=store)))
    finally:
        services_thread.stop()
        local.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
