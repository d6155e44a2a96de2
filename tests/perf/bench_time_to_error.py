"""Time-to-error of every connect failure (issue 3), against real local nats-server processes.

Run on purpose: `python -m tests.perf.bench_time_to_error` (prints JSON). Each case uses
connect_timeout = 2 s and is repeated; the median and max are reported. As a baseline, nats-py
with its default options on a refused port is measured with a cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import socket
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nats
import trustme

from natstui.core.connection import ConnectError, NatsSession
from natstui.core.profile import Auth, AuthKind, Profile, SecretRef, TlsSettings
from natstui.core.secret import Secret
from natstui.demo.cluster import start_nats
from tests.helpers import profile_for

REPEAT = 5
TIMEOUT = 2.0
BASELINE_CAP = 20.0


async def time_failure(profile: Profile) -> tuple[float, str]:
    session = NatsSession(replace(profile, connect_timeout=TIMEOUT))
    started = time.monotonic()
    try:
        await session.connect()
    except ConnectError as exc:
        return time.monotonic() - started, exc.kind.value
    await session.close()
    return time.monotonic() - started, "CONNECTED"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def expired_cert_config(directory: Path) -> tuple[str, Path]:
    ca = trustme.CA()
    leaf = ca.issue_cert(
        "127.0.0.1",
        not_before=datetime.datetime(2020, 1, 1),
        not_after=datetime.datetime(2021, 1, 1),
    )
    leaf.private_key_pem.write_to_path(str(directory / "key.pem"))
    leaf.cert_chain_pems[0].write_to_path(str(directory / "cert.pem"))
    ca.cert_pem.write_to_path(str(directory / "ca.pem"))
    text = f'tls {{ cert_file: "{directory}/cert.pem", key_file: "{directory}/key.pem" }}'
    return text, directory / "ca.pem"


async def baseline_refused() -> float:
    """nats-py defaults on a refused port, capped."""
    started = time.monotonic()

    async def quiet(*_: object) -> None:
        return None

    with contextlib.suppress(Exception):
        await asyncio.wait_for(
            nats.connect(f"nats://127.0.0.1:{free_port()}", error_cb=quiet), BASELINE_CAP
        )
    return time.monotonic() - started


async def main() -> None:
    plain = start_nats()
    tls = start_nats(tls=True)
    mtls = start_nats(tls=True, verify=True)
    perms = start_nats(
        auth_config="accounts { APP: { users: [{user: l, password: l, permissions: "
        '{subscribe: {deny: ["_INBOX.>"]}}}] } }'
    )
    workdir = Path(tempfile.mkdtemp())
    expired_text, expired_ca = expired_cert_config(workdir)
    expired = start_nats(extra_config=expired_text)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        good_tls = profile_for(tls, system_auth=None)
        bad_pw = Auth(
            kind=AuthKind.USER_PASSWORD, user="app", password=SecretRef(inline=Secret("x"))
        )
        limited = Auth(
            kind=AuthKind.USER_PASSWORD, user="l", password=SecretRef(inline=Secret("l"))
        )
        cases = {
            "refused port": lambda: Profile(name="b", servers=(f"nats://127.0.0.1:{free_port()}",)),
            "unknown host name": lambda: Profile(
                name="b", servers=("nats://no-such.invalid:4222",)
            ),
            "host never answers": lambda: Profile(
                name="b", servers=(f"nats://127.0.0.1:{silent.getsockname()[1]}",)
            ),
            "unreachable (IPv6 no route)": lambda: Profile(
                name="b", servers=("nats://[2001:db8::1]:4222",)
            ),
            "TLS unknown CA": lambda: replace(good_tls, tls=replace(good_tls.tls, ca_file=None)),
            "TLS host name mismatch": lambda: replace(
                good_tls, tls=replace(good_tls.tls, server_name="evil.test")
            ),
            "TLS expired certificate": lambda: Profile(
                name="b",
                servers=tuple(expired.client_urls),
                tls=TlsSettings(enabled=True, ca_file=str(expired_ca)),
            ),
            "TLS client cert required": lambda: replace(
                profile_for(mtls, system_auth=None),
                tls=replace(profile_for(mtls).tls, cert_file=None, key_file=None),
            ),
            "TLS wanted, server plaintext": lambda: profile_for(
                plain, system_auth=None, tls=TlsSettings(enabled=True)
            ),
            "auth violation": lambda: profile_for(plain, system_auth=None, auth=bad_pw),
            "permission violation (inbox)": lambda: profile_for(perms, auth=limited),
        }
        results = {}
        for name, make in cases.items():
            runs = [await time_failure(make()) for _ in range(REPEAT)]
            times = [t for t, _ in runs]
            results[name] = {
                "kind": sorted({k for _, k in runs}),
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
            }
        base = await baseline_refused()
        print(
            json.dumps(
                {
                    "connect_timeout_s": TIMEOUT,
                    "repeat": REPEAT,
                    "cases": results,
                    "baseline_nats_py_defaults_refused_s": round(base, 2),
                    "baseline_capped_at_s": BASELINE_CAP,
                },
                indent=2,
            )
        )
    finally:
        silent.close()
        for local in (plain, tls, mtls, perms, expired):
            local.stop()


if __name__ == "__main__":
    asyncio.run(main())
