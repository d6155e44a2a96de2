"""A failure inside any tab's worker reaches the operator as a notification, and the app lives.

The app has one place that turns unexpected worker failures into notifications
(`NatsTuiApp.on_worker_state_changed`). Textual's `Worker.StateChanged` does not bubble, so that
place only hears about workers it is told about; this checks that a worker failing on each tab
(where the NATS I/O runs: polling, subscribe, export, publish, gather, discovery) is reported
rather than swallowed. The failing worker is the test's own coroutine run on the real tab of a
real, connected app: what is under test is the reporting, not a NATS failure.
"""

from __future__ import annotations

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.tab_base import MainTab
from tests.helpers import profile_for, wait_for
from tests.helpers_screen import screen_text

SIZE = (160, 40)


async def test_a_failing_tab_worker_is_reported(nats_single: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(nats_single))
    notes: list[tuple[str, str]] = []
    original = app.notify

    def notify(message: str, **kwargs: object) -> None:
        notes.append((str(kwargs.get("severity", "information")), str(message)))
        original(message, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: all(t.session is not None for t in app.query(MainTab)), 10)
        for tab in app.query(MainTab):
            marker = f"boom in {tab.id}"

            async def fail(marker: str = marker) -> None:
                raise RuntimeError(marker)

            tab.run_worker(fail(), group="test-failure", exit_on_error=False)
            await wait_for(
                lambda marker=marker: any(
                    severity == "error" and marker in text for severity, text in notes
                ),
                message=f"a failing worker on {tab.id} is reported",
            )
        await pilot.pause()
        assert app.is_running and app._exception is None
        assert "Traceback" not in screen_text(app)
