"""Command line entry point: `natstui [PROFILE]`, `natstui demo`, `natstui profiles`, `doctor`.

    natstui [PROFILE] [--server URL ...] [--creds FILE] ...   open the app
    natstui profiles list [--json] | show NAME | import-nats-contexts [NAME ...] [--replace]
    natstui doctor [NAME] [--server URL ...] [--json]          step-by-step connection check
    natstui demo ...                                            local supercluster + services

Precedence: flags > `NATS_*` environment variables > profile. No secret is accepted as a plain
argument (it would show in `ps`): passwords and tokens come from `--password-env VAR` /
`--token-env VAR` (or NATS_PASSWORD / NATS_TOKEN), keys from files.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TextIO

from natstui import __version__
from natstui.config import config_path, load, record_last_used
from natstui.contexts import import_contexts
from natstui.core.profile import Profile
from natstui.overrides import ad_hoc_profile, apply, flags_layer, from_env
from natstui.profile_toml import FieldError


class UsageError(Exception):
    """A command-line problem: printed as one line, exit code 2."""


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """The ad-hoc connection flags shared by the app and `doctor`."""
    group = parser.add_argument_group("connection (override the profile)")
    group.add_argument("--config", metavar="FILE", help="profile file (default: $NATSTUI_CONFIG)")
    group.add_argument(
        "--context", metavar="NAME", help="use a natscli context (default: $NATS_CONTEXT)"
    )
    add = group.add_argument
    add("--server", action="append", default=[], metavar="URL", help="server URL (repeatable)")
    add("--user", metavar="NAME", help="user name (password from --password-env)")
    add("--password-env", metavar="VAR", help="environment variable holding the password")
    add("--token-env", metavar="VAR", help="environment variable holding the token")
    add("--creds", metavar="FILE", help="credentials (.creds) file")
    add("--nkey", metavar="FILE", help="nkey seed file")
    add("--tls-ca", metavar="FILE", help="CA certificate file (enables TLS)")
    add("--tls-cert", metavar="FILE", help="client certificate file (mutual TLS)")
    add("--tls-key", metavar="FILE", help="client key file (mutual TLS)")
    add("--tls-first", action="store_true", help="TLS handshake before the NATS INFO")
    add("--connect-timeout", type=float, metavar="SECONDS", help="give up connecting after this")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="natstui",
        allow_abbrev=False,  # `--password X` must not silently mean `--password-env X`
        description=(
            "A terminal UI for NATS operators. Subcommands: `natstui demo` (a local "
            "supercluster with simulated services), `natstui profiles ...`, `natstui doctor ...`. "
            "Precedence: flags > NATS_* environment variables > profile."
        ),
    )
    parser.add_argument("--version", action="version", version=f"natstui {__version__}")
    parser.add_argument("profile", nargs="?", help="name of a saved profile to connect to")
    add_connection_flags(parser)
    return parser


def build_profiles_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="natstui profiles", description="Saved profiles.", allow_abbrev=False
    )
    parser.add_argument("--config", metavar="FILE", help="profile file (default: $NATSTUI_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list saved profiles", allow_abbrev=False)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    show = sub.add_parser("show", help="show one profile (secrets masked)", allow_abbrev=False)
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    imp = sub.add_parser(
        "import-nats-contexts", help="import natscli contexts as profiles", allow_abbrev=False
    )
    imp.add_argument("names", nargs="*", metavar="NAME", help="contexts to import (default: all)")
    imp.add_argument("--replace", action="store_true", help="overwrite profiles of the same name")
    for command in (listing, show, imp):
        # Also accepted after the subcommand; SUPPRESS keeps a value given before it.
        command.add_argument(
            "--config", metavar="FILE", default=argparse.SUPPRESS, help="profile file"
        )
    return parser


def build_doctor_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="natstui doctor",
        allow_abbrev=False,
        description="Check a connection step by step: DNS, TCP, TLS, INFO, auth, permissions, "
        "RTT. Exit code 0 only when every step passes.",
    )
    parser.add_argument("profile", nargs="?", help="saved profile to check")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_connection_flags(parser)
    return parser


def resolve_profile(args: argparse.Namespace, env: dict[str, str] | None = None) -> Profile | None:
    """The profile to use: named / context / ad-hoc base, then env, then flags. None: ask."""
    env = dict(os.environ if env is None else env)
    try:
        env_layer = from_env(env)
        password_env = args.password_env
        if args.user and not password_env and env.get("NATS_PASSWORD"):
            password_env = "NATS_PASSWORD"
        flags = flags_layer(
            servers=args.server,
            user=args.user,
            password_env=password_env,
            token_env=args.token_env,
            creds=args.creds,
            nkey=args.nkey,
            tls_ca=args.tls_ca,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            tls_first=args.tls_first,
            connect_timeout=args.connect_timeout,
        )
    except FieldError as exc:
        raise UsageError(str(exc)) from None
    base = _base_profile(args, env)
    if base is None:
        if not (flags.changed or env_layer.changed):
            return None
        base = ad_hoc_profile()
    return apply(apply(base, env_layer), flags)


def _base_profile(args: argparse.Namespace, env: dict[str, str]) -> Profile | None:
    if args.profile:
        loaded = load(config_path(args.config))
        profile = loaded.get(args.profile)
        if profile is None:
            problems = [str(e) for e in loaded.errors if e.profile in (None, args.profile)]
            detail = f" ({problems[0]})" if problems else ""
            raise UsageError(f"no profile named {args.profile!r} in {loaded.path}{detail}")
        return profile
    context = args.context or env.get("NATS_CONTEXT")
    if context:
        imported = import_contexts([context])[0]
        if imported.profile is None:
            raise UsageError(f"natscli context {context!r}: {imported.error}")
        return imported.profile
    return None


SECRET_FLAGS = ("--password", "--token", "--seed", "--jwt", "--nkey-seed", "--pass")


def refuse_plain_secrets(argv: list[str]) -> None:
    """A secret typed as an argument is visible to every user in `ps`: refuse with a hint."""
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag in SECRET_FLAGS:
            raise UsageError(
                f"{flag} is not accepted: a secret on the command line is visible in `ps`. "
                "Use --password-env VAR / --token-env VAR, --creds FILE or --nkey FILE"
            )


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "demo":
        from natstui.demo.runner import main as demo_main

        return int(demo_main(args_list[1:]))
    try:
        refuse_plain_secrets(args_list)
        if args_list and args_list[0] == "profiles":
            from natstui.profiles_cli import run_profiles

            return run_profiles(build_profiles_parser().parse_args(args_list[1:]), sys.stdout)
        if args_list and args_list[0] == "doctor":
            return _doctor(build_doctor_parser().parse_args(args_list[1:]), sys.stdout)
        args = build_parser().parse_args(args_list)
        profile = resolve_profile(args)
    except UsageError as exc:
        print(f"natstui: {exc}", file=sys.stderr)
        return 2
    from natstui.app import NatsTuiApp

    store = config_path(args.config)
    if args.profile:
        record_last_used(store, args.profile, time.time())
    NatsTuiApp(profile=profile, config_path=store).run()
    return 0


def _doctor(args: argparse.Namespace, out: TextIO) -> int:
    profile = resolve_profile(args)
    if profile is None:
        raise UsageError("name a profile or give --server URL")
    from natstui.doctor_cli import run_doctor_cli

    return run_doctor_cli(profile, out, as_json=args.json)
