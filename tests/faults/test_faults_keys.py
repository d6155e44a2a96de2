"""The UI keeps answering keys: right after a tab switch by digit, that tab's own keys work.

An operator in an incident presses `1` for Cluster and then `p` to pause polling, or `2` for
Tail and then `p` to pause; if focus stays on the tab strip those keys silently do nothing
(and the footer hides them).
"""

from __future__ import annotations

from textual.widgets import TabbedContent

from natstui.app import NatsTuiApp
from natstui.demo.cluster import LocalNats
from natstui.widgets.cluster_tab import ClusterTab
from natstui.widgets.tail_status import TailStatus
from natstui.widgets.tail_tab import TailTab
from tests.helpers import profile_for, wait_for

SIZE = (160, 40)


async def test_tab_keys_work_right_after_switching(nats_single: LocalNats) -> None:
    app = NatsTuiApp(profile=profile_for(nats_single, subscriptions=("keys.>",)))
    async with app.run_test(size=SIZE) as pilot:
        tail = app.query_one(TailTab)
        cluster = app.query_one(ClusterTab)
        tabs = app.query_one("#tabs", TabbedContent)
        await wait_for(lambda: tail.tail is not None and cluster.snapshot is not None, 10)
        status = app.query_one(TailStatus)
        for _ in range(2):
            await pilot.press("2")
            await wait_for(lambda: tabs.active == "tail")
            await pilot.press("p")
            await wait_for(lambda: "PAUSED" in status.text.plain, message="p pauses the tail")
            await pilot.press("p")
            await wait_for(lambda: "FOLLOWING" in status.text.plain, message="p follows again")
            await pilot.press("1")
            await wait_for(lambda: tabs.active == "cluster")
            await pilot.press("p")
            await wait_for(lambda: cluster.paused, message="p pauses cluster polling")
            await pilot.press("p")
            await wait_for(lambda: not cluster.paused, message="p resumes cluster polling")
