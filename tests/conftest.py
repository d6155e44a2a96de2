"""Shared fixtures: real nats-server processes from the same code `natstui demo` uses.

Fixtures (all servers on 127.0.0.1 with free ports; everything started is stopped at teardown):

- `nats_bin` (session): path of the nats-server binary (`natstui.demo.binary.find_nats_server`).
- `nats_single`: one plain-TCP server; accounts APP (user `app`) and SYS (user `sys`, the system
  account) with random passwords: `local.app_user/app_password/sys_user/sys_password`.
- `nats_tls`: one server requiring client TLS with a CA made for the run (`local.ca_file`;
  `local.client_cert/client_key` exist too, for `make_nats(tls=True, verify=True)`).
- `nats_cluster3`: a 3-node cluster `c1` (servers `c1-1..3`), plain TCP, routes formed.
- `nats_super` (module scope: ~1 s to start): the demo's supercluster, clusters `eu`, `us-west`,
  `us-east`, 3 servers each, TLS, gateways formed. Shared by a module: don't kill its nodes; use
  `make_nats` for destructive tests.
- `make_nats(**options)`: factory taking `natstui.demo.NatsOptions` fields — `servers`,
  `clusters`, `tls`, `verify`, `handshake_first`, `jetstream`, `auth_config` (replaces the
  accounts block: token auth, nkey users, operator mode), `extra_config`, `pool_size` — plus
  `ready_timeout` and `credentials`.

Each fixture yields a `natstui.demo.LocalNats`: `.servers[i]` (`name`, `cluster`, `client_url`,
`http_url`, `pid`, `running`), `.client_urls`, `.http_urls`, `.ca_file`, and the helpers
`kill(i)` (SIGKILL), `stop_server(i)` (SIGTERM), `restart(i)` / `await arestart(i)` (same ports,
waits until ready), `lame_duck(i)` (SIGUSR2), `wait_ready()`, `stop()`.

Helpers in `tests/helpers.py`: `profile_for(local, *, system=False, **overrides)` -> Profile
(app user, plus `system_auth` = sys user; TLS CA / client cert as the servers need),
`await wait_for(predicate, timeout=...)` (never sleep to synchronise), and
`await count_replies(nc, subject, expected, timeout)` for scatter-gather requests.
Operator mode (JWT auth): `op = natstui.demo.operator.operator_mode()`, then
`make_nats(auth_config=op.auth_config)`; users in `op.app_user` / `op.sys_user` (`.jwt`,
`.seed`, `.creds_text()`). Token auth must run on its own node:
`make_nats(auth_config='authorization { token: "..." }')`.

In async tests prefer `await local.arestart(i)` / `await local.await_ready()`: the blocking
versions stall the test's event loop (and so its NATS clients) while they wait.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from natstui.demo.binary import find_nats_server
from natstui.demo.cluster import LocalNats, start_nats
from natstui.demo.config import demo_options
from tests.helpers import MakeNats


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's own natstui or natscli files, or takes NATS_*
    and NATSTUI_* settings from their shell: each test gets empty ones of its own."""
    for name in list(os.environ):
        if name.startswith(("NATS_", "NATSTUI_")):
            monkeypatch.delenv(name)
    home = tmp_path / "user-dirs"
    monkeypatch.setenv("NATSTUI_CONFIG", str(home / "natstui" / "config.toml"))
    monkeypatch.setenv("NATSTUI_DATA_DIR", str(home / "natstui-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))


@pytest.fixture(scope="session")
def nats_bin() -> Path:
    return find_nats_server()


@pytest.fixture
def make_nats(nats_bin: Path) -> Iterator[MakeNats]:
    started: list[LocalNats] = []

    def make(**options: Any) -> LocalNats:
        local = start_nats(binary=nats_bin, **options)
        started.append(local)
        return local

    yield make
    for local in started:
        local.stop()


@pytest.fixture
def nats_single(make_nats: MakeNats) -> LocalNats:
    return make_nats()


@pytest.fixture
def nats_tls(make_nats: MakeNats) -> LocalNats:
    return make_nats(tls=True)


@pytest.fixture
def nats_cluster3(make_nats: MakeNats) -> LocalNats:
    return make_nats(servers=3)


@pytest.fixture(scope="module")
def server(nats_bin: Path) -> Iterator[LocalNats]:
    """One plain server shared by a test module (for tests that never kill it)."""
    local = start_nats(binary=nats_bin)
    yield local
    local.stop()


@pytest.fixture(scope="module")
def nats_super(nats_bin: Path) -> Iterator[LocalNats]:
    local = start_nats(demo_options(3), binary=nats_bin)
    yield local
    local.stop()
