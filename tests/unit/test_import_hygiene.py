"""`natstui.core` must stay UI-free: importing it must not load textual or rich."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import natstui.core


def test_core_modules_do_not_import_ui_libraries() -> None:
    names = [f"natstui.core.{m.name}" for m in pkgutil.iter_modules(natstui.core.__path__)]
    assert names, "no core modules found"
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
