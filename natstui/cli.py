"""Command line entry point: `natstui [PROFILE]`, `natstui demo`, `natstui profiles`, `doctor`."""

from __future__ import annotations

import argparse
import sys

from natstui import __version__
from natstui.core.profile import Profile


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="natstui",
        description=(
            "A terminal UI for NATS operators. Subcommands: `natstui demo` (a local "
            "supercluster with simulated services), `natstui profiles ...`, `natstui doctor ...`."
        ),
    )
    parser.add_argument("--version", action="version", version=f"natstui {__version__}")
    parser.add_argument("profile", nargs="?", help="name of a saved profile to connect to")
    parser.add_argument(
        "--server", action="append", default=[], metavar="URL", help="server URL (repeatable)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "demo":
        from natstui.demo.runner import main as demo_main

        return int(demo_main(args_list[1:]))
    args = build_parser().parse_args(args_list)
    profile = (
        Profile(name="ad-hoc", servers=tuple(args.server), ephemeral=True) if args.server else None
    )
    from natstui.app import NatsTuiApp

    NatsTuiApp(profile=profile).run()
    return 0
