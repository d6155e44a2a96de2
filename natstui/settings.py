"""App-wide settings from the `[settings]` table of the profile file.

    [settings]
    tail_max_messages = "100k"   # tail buffer cap by count (a number, or 10k / 1M; at most 10M)
    tail_max_bytes = "64M"       # tail buffer cap by payload bytes (512k, 64M, 1G)
    cluster_interval = 2.0       # seconds between cluster refreshes

Environment variables (NATSTUI_TAIL_MAX_MESSAGES / _BYTES) override the file, as flags and
env override profiles everywhere else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from natstui.core.tail_buffer import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MESSAGES,
    parse_message_cap,
    parse_size,
)

DEFAULT_CLUSTER_INTERVAL = 2.0
MIN_CLUSTER_INTERVAL, MAX_CLUSTER_INTERVAL = 0.5, 3600.0


@dataclass(frozen=True)
class Settings:
    tail_max_messages: int = DEFAULT_MAX_MESSAGES
    tail_max_bytes: int = DEFAULT_MAX_BYTES
    cluster_interval: float = DEFAULT_CLUSTER_INTERVAL


class SettingsError(ValueError):
    """A bad value in `[settings]`; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"settings.{field}: {message}")
        self.field = f"settings.{field}"
        self.message = message


def _size(field: str, value: Any, parse: Callable[[str], int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise SettingsError(field, "must be a number or a size like 64M")
    try:
        return parse(str(value))
    except ValueError as exc:
        raise SettingsError(field, str(exc)) from None


def _interval(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingsError("cluster_interval", "must be a number of seconds")
    if not MIN_CLUSTER_INTERVAL <= value <= MAX_CLUSTER_INTERVAL:
        raise SettingsError(
            "cluster_interval",
            f"must be between {MIN_CLUSTER_INTERVAL:g} and {MAX_CLUSTER_INTERVAL:g} seconds",
        )
    return float(value)


def settings_from_table(table: Mapping[str, Any]) -> tuple[Settings, list[SettingsError]]:
    """Settings from a `[settings]` table; each bad field keeps its default and is reported."""
    errors: list[SettingsError] = []
    values: dict[str, Any] = {}
    parsers = {
        "tail_max_messages": lambda v: _size("tail_max_messages", v, parse_message_cap),
        "tail_max_bytes": lambda v: _size("tail_max_bytes", v, parse_size),
        "cluster_interval": _interval,
    }
    for key, value in table.items():
        parse = parsers.get(key)
        if parse is None:
            errors.append(SettingsError(key, f"unknown setting (known: {', '.join(parsers)})"))
            continue
        try:
            values[key] = parse(value)
        except SettingsError as exc:
            errors.append(exc)
    return Settings(**values), errors
