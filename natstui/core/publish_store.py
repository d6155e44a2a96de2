"""Publish history and named templates per profile, kept in one small JSON file (mode 0600).

The profile file belongs to `natstui.config`; publish templates and history change far more
often and may hold payloads, so they live in their own file in the platformdirs data dir
(`NATSTUI_DATA_DIR` overrides it, e.g. for tests). The file is written atomically and only
readable by its owner. A damaged file is set aside, never a reason to fail.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import platformdirs

from natstui.core.publish import PublishForm, PublishHistory

FILE_NAME = "publish.json"
DATA_DIR_ENV = "NATSTUI_DATA_DIR"
HISTORY_LIMIT = 50


def default_store_path() -> Path:
    """Where the store lives: `$NATSTUI_DATA_DIR/publish.json` or the platformdirs data dir."""
    override = os.environ.get(DATA_DIR_ENV)
    base = Path(override) if override else platformdirs.user_data_path("natstui")
    return base / FILE_NAME


def _form_from(raw: Any) -> PublishForm | None:
    if not isinstance(raw, dict):
        return None
    names = {f.name for f in fields(PublishForm)}
    values = {k: v for k, v in raw.items() if k in names}
    try:
        form = PublishForm(**values)
    except TypeError:
        return None
    ok = isinstance(form.subject, str) and isinstance(form.payload, str)
    ok = ok and isinstance(form.count, int) and isinstance(form.interval, int | float)
    return form if ok else None


class PublishStore:
    """History and named templates of every profile; `save()` writes the file."""

    def __init__(self, path: Path | None = None, *, persist: bool = True) -> None:
        self.path = path or default_store_path()
        self.persist = persist
        self._data: dict[str, dict[str, Any]] = {}
        self.load_error: str | None = None
        if persist:
            self._load()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.load_error = f"{self.path}: {type(exc).__name__}; starting with an empty history"
            with contextlib.suppress(OSError):
                self.path.replace(self.path.with_suffix(".json.bad"))
            return
        profiles = raw.get("profiles") if isinstance(raw, dict) else None
        if isinstance(profiles, dict):
            self._data = {k: v for k, v in profiles.items() if isinstance(v, dict)}

    def _profile(self, profile: str) -> dict[str, Any]:
        return self._data.setdefault(profile, {"history": [], "templates": {}})

    def history(self, profile: str) -> PublishHistory:
        raw = self._profile(profile).get("history") or []
        forms = [f for f in (_form_from(r) for r in raw) if f is not None]
        return PublishHistory(HISTORY_LIMIT, forms[:HISTORY_LIMIT])

    def set_history(self, profile: str, history: PublishHistory) -> None:
        self._profile(profile)["history"] = [asdict(f) for f in history.entries]

    def templates(self, profile: str) -> dict[str, PublishForm]:
        raw = self._profile(profile).get("templates") or {}
        out: dict[str, PublishForm] = {}
        for name, value in raw.items():
            form = _form_from(value)
            if isinstance(name, str) and form is not None:
                out[name] = form
        return out

    def set_template(self, profile: str, name: str, form: PublishForm) -> None:
        self._profile(profile).setdefault("templates", {})[name] = asdict(form)

    def delete_template(self, profile: str, name: str) -> None:
        self._profile(profile).setdefault("templates", {}).pop(name, None)

    def save(self) -> None:
        """Write atomically with mode 0600; raises OSError for the caller to report."""
        if not self.persist:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".json.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)
            json.dump({"version": 1, "profiles": self._data}, fh, indent=1)
        os.replace(tmp, self.path)
