"""`natstui doctor`: print the doctor's steps as they finish; exit 0 only when all pass."""

from __future__ import annotations

import asyncio
import json
from typing import TextIO

from natstui.core.doctor import Step, passed, run_doctor
from natstui.core.profile import Profile
from natstui.core.textsafe import printable

MARKS = {True: "PASS", False: "FAIL", None: "skip"}


def format_step(step: Step) -> str:
    """`PASS DNS        host:port  detail` (+ an indented fix line); control chars escaped."""
    line = f"{MARKS[step.ok]}  {step.name:<13} {step.target:<22} {step.detail}"
    if step.fix and step.ok is False:
        line += f"\n      fix: {step.fix}"
    return printable(line, keep_newlines=True)


def run_doctor_cli(profile: Profile, out: TextIO, *, as_json: bool = False) -> int:
    def show(step: Step) -> None:
        if not as_json:
            print(format_step(step), file=out, flush=True)

    if not as_json:
        print(printable(f"doctor: profile {profile.name} ({', '.join(profile.servers)})"), file=out)
    steps = asyncio.run(run_doctor(profile, show))
    ok = passed(steps)
    if as_json:
        json.dump({"ok": ok, "steps": [s.as_dict() for s in steps]}, out, indent=2)
        out.write("\n")
    else:
        print("all checks passed" if ok else "some checks FAILED", file=out)
    return 0 if ok else 1
