"""Publish history / named templates store: per profile, mode 0600, damaged files set aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from natstui.core.publish import PublishForm, PublishHistory
from natstui.core.publish_store import DATA_DIR_ENV, PublishStore, default_store_path


def test_round_trip_per_profile_with_0600(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "publish.json"
    store = PublishStore(path)
    hist = PublishHistory()
    hist.add(PublishForm("a.b", payload="one", count=3, interval=0.5))
    store.set_history("prod", hist)
    store.set_template("prod", "ping", PublishForm("svc.ping", headers="X-A: 1"))
    store.set_template("dev", "other", PublishForm("x"))
    store.save()
    assert path.stat().st_mode & 0o777 == 0o600
    again = PublishStore(path)
    assert again.history("prod").entries == hist.entries
    assert again.templates("prod") == {"ping": PublishForm("svc.ping", headers="X-A: 1")}
    assert set(again.templates("dev")) == {"other"}
    assert again.history("dev").entries == []
    again.delete_template("prod", "ping")
    assert again.templates("prod") == {}


def test_history_is_bounded_and_deduplicated() -> None:
    hist = PublishHistory(limit=3)
    for subject in ("a", "b", "a", "c", "d"):
        hist.add(PublishForm(subject))
    assert [f.subject for f in hist.entries] == ["d", "c", "a"]


def test_damaged_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "publish.json"
    path.write_text("{not json")
    store = PublishStore(path)
    assert store.load_error is not None and "starting with an empty history" in store.load_error
    assert (tmp_path / "publish.json.bad").exists()
    assert store.history("p").entries == []


def test_wrong_shapes_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "publish.json"
    bad = {
        "profiles": {
            "p": {
                "history": [{"subject": 5}, "x", {"subject": "ok"}],
                "templates": {"t": {"nope": 1}},
            }
        }
    }
    path.write_text(json.dumps(bad))
    store = PublishStore(path)
    assert [f.subject for f in store.history("p").entries] == ["ok"]
    assert store.templates("p") == {}


def test_not_persisted_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "publish.json"
    store = PublishStore(path, persist=False)
    store.set_template("p", "t", PublishForm("x"))
    store.save()
    assert not path.exists()


def test_env_overrides_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert default_store_path() == tmp_path / "publish.json"
