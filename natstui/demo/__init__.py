"""Local NATS on real `nats-server` processes, plus simulated services.

Used by `natstui demo` and by the test suite (tests/conftest.py), so the two cannot drift:
`binary` finds the server, `certs` makes a CA for the run, `config` renders server configs,
`process` spawns children that die with us, `cluster` runs and watches a set of servers,
`services` simulates transcoders and `runner` is the `natstui demo` command.
"""

from __future__ import annotations

from natstui.demo.binary import NatsServerNotFound, find_nats_server
from natstui.demo.cluster import LocalNats, NatsStartError, ServerHandle, start_nats
from natstui.demo.config import Credentials, NatsOptions

__all__ = [
    "Credentials",
    "LocalNats",
    "NatsOptions",
    "NatsServerNotFound",
    "NatsStartError",
    "ServerHandle",
    "find_nats_server",
    "start_nats",
]
