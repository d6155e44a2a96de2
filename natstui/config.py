"""The profile store: one TOML file in the user's config directory.

Where: `--config PATH` > `$NATSTUI_CONFIG` > `platformdirs.user_config_path("natstui")/config.toml`.
Never the current directory: a repository you `cd` into must not be able to inject a profile
that sends your credentials to its server.

Reading uses `tomllib`; writing edits the document with `tomlkit` so the user's comments and
layout survive. Writes are atomic (temp file + rename), the file is 0600 and a directory we
create is 0700. A file that failed to load is never written: the error names the file, the
profile and the field, and the app starts anyway without those profiles.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import tomlkit
from tomlkit.items import Table

from natstui.core.profile import Profile
from natstui.profile_toml import FieldError, check_name, profile_from_table, profile_to_table
from natstui.settings import Settings, settings_from_table

CONFIG_ENV = "NATSTUI_CONFIG"
FILE_NAME = "config.toml"
# When each profile was last connected to; kept apart from the profiles so connecting never
# rewrites the user's hand-edited file.
LAST_USED_NAME = "last_used.json"
HEADER = (
    "# natstui profiles. Format, precedence and secret references: docs/profiles.md\n"
    "# Prefer references (password_env, token_file, creds = path) over inline secrets.\n"
)


class ConfigError(Exception):
    """The profile store cannot be read or written; the message names the file (and field)."""


@dataclass(frozen=True)
class LoadError:
    """One problem found while loading: the file, the profile (if any) and the field."""

    path: Path
    profile: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.profile is not None:
            where += f": profile {self.profile!r}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class LoadedConfig:
    """Profiles that loaded, and the problems with the rest. `writable` is False if broken."""

    path: Path
    profiles: dict[str, Profile] = field(default_factory=dict)
    errors: tuple[LoadError, ...] = ()
    warnings: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)

    @property
    def writable(self) -> bool:
        return not self.errors

    def get(self, name: str) -> Profile | None:
        return self.profiles.get(name)


def default_config_path() -> Path:
    return platformdirs.user_config_path("natstui") / FILE_NAME


def config_path(flag: str | os.PathLike[str] | None = None) -> Path:
    """The profile file: the `--config` flag, else `$NATSTUI_CONFIG`, else the platform dir."""
    if flag:
        return Path(flag).expanduser().absolute()
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser().absolute()
    return default_config_path()


# --- loading -------------------------------------------------------------------------------------
def load(path: Path) -> LoadedConfig:
    """Load every valid profile of `path`; a missing file is an empty store, not an error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedConfig(path)
    except OSError as exc:
        return LoadedConfig(path, errors=(LoadError(path, None, None, _os_message(exc)),))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return LoadedConfig(path, errors=(LoadError(path, None, None, "not UTF-8 text"),))
    except tomllib.TOMLDecodeError as exc:
        return LoadedConfig(path, errors=(LoadError(path, None, None, f"TOML: {exc}"),))
    profiles, errors = _parse_profiles(path, data)
    settings, settings_errors = _parse_settings(path, data.get("settings", {}))
    errors += settings_errors
    warnings = tuple(_mode_warnings(path, profiles))
    return LoadedConfig(path, profiles, tuple(errors), warnings, settings)


def _parse_settings(path: Path, table: object) -> tuple[Settings, list[LoadError]]:
    if not isinstance(table, Mapping):
        return Settings(), [LoadError(path, None, "settings", "must be a table")]
    settings, problems = settings_from_table(table)
    return settings, [LoadError(path, None, p.field, p.message) for p in problems]


def _parse_profiles(
    path: Path, data: Mapping[str, Any]
) -> tuple[dict[str, Profile], list[LoadError]]:
    errors: list[LoadError] = []
    profiles: dict[str, Profile] = {}
    for key in data:
        if key not in ("profiles", "settings"):
            errors.append(LoadError(path, None, key, "unknown top-level key"))
    tables = data.get("profiles", {})
    if not isinstance(tables, Mapping):
        return {}, [*errors, LoadError(path, None, "profiles", "must be a table of profiles")]
    for name, table in tables.items():
        if not isinstance(table, Mapping):
            errors.append(LoadError(path, name, None, "must be a table"))
            continue
        try:
            profiles[name] = profile_from_table(name, table)
        except FieldError as exc:
            errors.append(LoadError(path, name, exc.field, exc.message))
    return profiles, errors


def _mode_warnings(path: Path, profiles: Mapping[str, Profile]) -> list[str]:
    """Inline secrets in a file others can read deserve a loud warning."""
    with contextlib.suppress(OSError):
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO) and _has_inline(profiles):
            return [f"{path} holds inline secrets and is readable by others: chmod 600 it"]
    return []


def _has_inline(profiles: Mapping[str, Profile]) -> bool:
    for profile in profiles.values():
        for auth in (profile.auth, profile.system_auth):
            if auth is not None and any(
                getattr(auth, a).inline is not None
                for a in ("password", "token", "nkey_seed", "creds", "jwt", "seed")
            ):
                return True
    return False


def _os_message(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# --- writing -------------------------------------------------------------------------------------
def save_profile(path: Path, profile: Profile, *, replace_name: str | None = None) -> None:
    """Add or update `profile` (renaming `replace_name` if given), keeping comments."""
    if profile.ephemeral:
        raise ConfigError(f"profile {profile.name!r} is temporary and is not saved")
    check_name(profile.name)
    doc = _editable_document(path)
    profiles = _profiles_table(doc)
    old_name = replace_name or profile.name
    if replace_name and replace_name != profile.name and profile.name in profiles:
        raise ConfigError(f"{path}: a profile named {profile.name!r} already exists")
    new = profile_to_table(profile)
    if old_name in profiles and isinstance(profiles[old_name], Table):
        table = profiles[old_name]
        _merge_table(table, new)
        if old_name != profile.name:
            del profiles[old_name]
            profiles[profile.name] = table
    else:
        profiles[profile.name] = _new_table(new)
    _atomic_write(path, tomlkit.dumps(doc))


def delete_profile(path: Path, name: str) -> None:
    """Remove a profile; other profiles and comments stay."""
    doc = _editable_document(path)
    profiles = _profiles_table(doc)
    if name not in profiles:
        raise ConfigError(f"{path}: no profile named {name!r}")
    del profiles[name]
    _atomic_write(path, tomlkit.dumps(doc))


def _editable_document(path: Path) -> tomlkit.TOMLDocument:
    """The current document, or a fresh one; refuses when the file does not load cleanly."""
    loaded = load(path)
    if loaded.errors:
        raise ConfigError(
            f"{path} has errors; fix it by hand first (natstui will not overwrite it): "
            f"{loaded.errors[0]}"
        )
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        doc = tomlkit.document()
        for line in HEADER.splitlines():
            doc.add(tomlkit.comment(line.lstrip("# ")))
        return doc
    except OSError as exc:
        raise ConfigError(f"{path}: {_os_message(exc)}") from None
    return tomlkit.parse(text)


def _profiles_table(doc: tomlkit.TOMLDocument) -> Table:
    if "profiles" not in doc:
        doc.add(tomlkit.nl())
        doc["profiles"] = tomlkit.table(is_super_table=True)
    table = doc["profiles"]
    assert isinstance(table, Table)
    return table


def _new_table(values: Mapping[str, Any]) -> Table:
    table = tomlkit.table()
    _merge_table(table, values)
    return table


def _merge_table(table: Table, values: Mapping[str, Any]) -> None:
    """Update keys in place (comments on untouched lines survive), drop keys no longer used."""
    for key in [k for k in table if k not in values]:
        del table[key]
    for key, value in values.items():
        if isinstance(value, Mapping):
            current = table.get(key)
            if isinstance(current, Table):
                _merge_table(current, value)
            else:
                table[key] = _new_table(value)
        elif table.get(key) != value:
            table[key] = value


def _atomic_write(path: Path, text: str) -> None:
    """Write via a 0600 temp file in the same directory, fsync, then rename over `path`."""
    _ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ConfigError(f"cannot write {path}: {_os_message(exc)}") from None


def _ensure_dir(directory: Path) -> None:
    if directory.is_dir():
        return
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)  # mkdir's mode is filtered by the umask
    except OSError as exc:
        raise ConfigError(f"cannot create {directory}: {_os_message(exc)}") from None


# --- last used ------------------------------------------------------------------------------------
def last_used_path(path: Path) -> Path:
    return path.with_name(LAST_USED_NAME)


def read_last_used(path: Path) -> dict[str, float]:
    """Profile name -> Unix time of the last connect; {} when missing or unreadable."""
    try:
        data = json.loads(last_used_path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def record_last_used(path: Path, name: str, when: float) -> None:
    """Remember that `name` was connected to at `when` (best effort: never raises)."""
    data = read_last_used(path)
    data[name] = when
    with contextlib.suppress(ConfigError):
        _atomic_write(last_used_path(path), json.dumps(data, indent=1, sort_keys=True))


def ago(when: float | None, now: float) -> str:
    """`never`, `just now`, `5m ago`, `3h ago`, `2d ago`."""
    if when is None:
        return "never"
    seconds = max(0.0, now - when)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"
