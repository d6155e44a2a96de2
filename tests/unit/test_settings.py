"""The [settings] table: parsed with clear field errors, env vars override it."""

from __future__ import annotations

from pathlib import Path

import pytest

from natstui.config import load
from natstui.core.tail_buffer import limits_from_env
from natstui.settings import Settings, settings_from_table


def test_defaults_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.a]\nservers = ["nats://127.0.0.1:4222"]\n')
    loaded = load(path)
    assert loaded.settings == Settings()
    assert loaded.errors == ()


def test_values_and_units(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[settings]\ntail_max_messages = "10k"\ntail_max_bytes = "8M"\ncluster_interval = 5\n'
    )
    loaded = load(path)
    assert loaded.settings == Settings(10_000, 8 * 1024 * 1024, 5.0)
    assert loaded.writable


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        ({"tail_max_messages": "lots"}, "settings.tail_max_messages", "not a size"),
        ({"tail_max_bytes": True}, "settings.tail_max_bytes", "must be a number"),
        ({"tail_max_bytes": -5}, "settings.tail_max_bytes", "positive"),
        ({"cluster_interval": 0.01}, "settings.cluster_interval", "between"),
        ({"cluster_interval": "2s"}, "settings.cluster_interval", "number of seconds"),
        ({"cluster_interval": float("nan")}, "settings.cluster_interval", "number of seconds"),
        ({"colour": "red"}, "settings.colour", "unknown setting"),
    ],
)
def test_bad_values_keep_defaults_and_name_the_field(
    table: dict[str, object], field: str, words: str
) -> None:
    settings, errors = settings_from_table(table)
    assert settings == Settings()
    assert [e.field for e in errors] == [field]
    assert words in errors[0].message


def test_broken_settings_make_the_file_read_only_and_keep_profiles(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[settings]\ncluster_interval = "soon"\n\n[profiles.a]\nservers = ["nats://h:4222"]\n'
    )
    loaded = load(path)
    assert "a" in loaded.profiles
    assert not loaded.writable
    assert "settings.cluster_interval" in str(loaded.errors[0])


def test_settings_table_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('settings = "fast"\n')
    assert "must be a table" in str(load(path).errors[0])


def test_env_overrides_the_file_defaults() -> None:
    env = {"NATSTUI_TAIL_MAX_MESSAGES": "500"}
    count, size, problems = limits_from_env(env, 10_000, 4096)
    assert (count, size, problems) == (500, 4096, [])


def test_message_cap_has_an_upper_bound() -> None:
    settings, errors = settings_from_table({"tail_max_messages": "1G"})
    assert settings.tail_max_messages == Settings().tail_max_messages
    assert "more than the 10,000,000" in errors[0].message
