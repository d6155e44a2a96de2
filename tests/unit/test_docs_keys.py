"""docs/keys.md is generated from the app's bindings; this fails when the two disagree."""

from __future__ import annotations

from pathlib import Path

from natstui.keymap import key_rows, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "keys.md"


def test_keys_doc_matches_the_app() -> None:
    assert DOC.read_text() == render_markdown(), (
        "docs/keys.md is stale: run `python -m natstui.keymap > docs/keys.md`"
    )


def test_every_app_level_binding_is_listed() -> None:
    rows = key_rows()
    assert any(r.keys == "ctrl+q" and r.description == "Quit" for r in rows)
    assert any(r.keys == "f1, ?" and r.description == "Help" for r in rows)
