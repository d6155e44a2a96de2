"""The one place where an unexpected worker failure becomes a notification.

Textual's `Worker.StateChanged` does not bubble: only the node that started a worker hears about
it. Tabs and screens that run workers mix in `ReportsWorkerErrors`, so a failure anywhere reaches
the operator the same way instead of vanishing. Textual calls the handler of every class in the
MRO, so a widget's own `on_worker_state_changed` still runs as well.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from natstui.core.textsafe import printable


def report_worker_error(node: DOMNode, event: Worker.StateChanged) -> None:
    """Notify about a worker that ended in error (not about cancellations)."""
    error = event.worker.error
    if event.state is not WorkerState.ERROR or error is None:
        return
    group = event.worker.group or event.worker.name or "worker"
    text = printable(f"{group}: {type(error).__name__}: {error}")
    node.app.notify(text, title="Error", severity="error", timeout=8)


class ReportsWorkerErrors(DOMNode):
    """Mixin for widgets and screens that start workers."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_worker_error(self, event)
