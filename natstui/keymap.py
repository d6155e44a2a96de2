"""Collect every key binding natstui defines, for the help docs (`docs/keys.md`).

The docs are generated from the classes themselves so they cannot drift from the app; a test
regenerates the table and compares it with the committed file.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

import natstui


@dataclass(frozen=True)
class KeyRow:
    where: str
    keys: str
    description: str


def _natstui_modules() -> list[str]:
    prefix = natstui.__name__ + "."
    skip = ("natstui.demo", "natstui.__main__")
    names = [m.name for m in pkgutil.walk_packages(natstui.__path__, prefix)]
    return sorted(n for n in names if not n.startswith(skip))


def _classes_with_bindings() -> list[type[DOMNode]]:
    found: dict[str, type[DOMNode]] = {}
    for name in _natstui_modules():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, DOMNode)
                and obj.__module__ == name
                and obj.__dict__.get("BINDINGS")
            ):
                found[f"{name}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "esc",
    "full_stop": ".",
    "plus": "+",
    "minus": "-",
    "space": "space",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def _key_text(key: str) -> str:
    return _KEY_NAMES.get(key.strip(), key.strip())


def _where(cls: type[DOMNode]) -> str:
    doc = (cls.__doc__ or "").strip().splitlines()
    return f"{cls.__name__}" + (f" — {doc[0]}" if doc else "")


def key_rows() -> list[KeyRow]:
    """Every described binding of every natstui widget, screen and the app."""
    rows: list[KeyRow] = []
    for cls in _classes_with_bindings():
        for item in cls.__dict__["BINDINGS"]:
            binding = item if isinstance(item, Binding) else Binding(*item)
            if binding.description:
                keys = ", ".join(_key_text(k) for k in binding.key.split(","))
                rows.append(KeyRow(_where(cls), keys, binding.description))
    return rows


def render_markdown() -> str:
    lines = [
        "# Key bindings",
        "",
        "Generated from the app's own bindings by `python -m natstui.keymap > docs/keys.md`;",
        "a test fails when this file and the app disagree. The footer always shows the keys",
        "that work where the focus is; `f1` or `?` lists them, `ctrl+p` opens the command palette.",
        "",
    ]
    current = None
    for row in key_rows():
        if row.where != current:
            current = row.where
            lines += ["", f"## {row.where}", "", "| key | action |", "|---|---|"]
        keys = row.keys.replace("|", "\\|")
        lines.append(f"| `{keys}` | {row.description} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
