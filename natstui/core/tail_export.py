"""Export tailed messages to JSON Lines.

One object per line: `seq`, `received` (RFC 3339, UTC, microseconds), `subject`, `reply` (null
when none), `headers` (object or null), `size`, `payload` and `encoding`: the payload is the
text itself when it is valid UTF-8 (`"encoding": "utf-8"`), otherwise base64
(`"encoding": "base64"`). Writing is blocking file I/O: the UI runs `write_jsonl` in a thread
worker and gets progress through the callback.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from natstui.core.tail_buffer import TailEntry

PROGRESS_EVERY = 2_000

Progress = Callable[[int, int], None]


class ExportError(Exception):
    """The export could not be written; the message says why (never a traceback)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    bytes: int


def entry_record(entry: TailEntry) -> dict[str, Any]:
    """The JSON object written for one message."""
    try:
        payload, encoding = entry.data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(entry.data).decode("ascii"), "base64"
    return {
        "seq": entry.seq,
        "received": datetime.fromtimestamp(entry.received, UTC).isoformat(),
        "subject": entry.subject,
        "reply": entry.reply or None,
        "headers": dict(entry.headers) if entry.headers else None,
        "size": entry.size,
        "payload": payload,
        "encoding": encoding,
    }


def resolve_export_path(text: str) -> Path:
    """Expand `~` and check the target is writable and new; raises ExportError."""
    text = text.strip()
    if not text:
        raise ExportError("give a file name, e.g. ~/tail.jsonl")
    try:
        path = Path(os.path.expandvars(os.path.expanduser(text)))
        if path.exists():
            raise ExportError(f"{path} already exists: choose another name")
        if not path.parent.is_dir():
            raise ExportError(f"folder {path.parent} does not exist")
    except OSError as exc:  # e.g. a file name too long for the file system
        raise ExportError(f"cannot use {text!r}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise ExportError("the file name contains a NUL byte") from None
    return path


def write_jsonl(
    entries: Sequence[TailEntry],
    path: Path,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write `entries` to a new file at `path`; a partial file is removed on failure/cancel."""
    total = len(entries)
    written = 0
    try:
        with path.open("x", encoding="utf-8") as out:
            for i, entry in enumerate(entries, start=1):
                line = json.dumps(entry_record(entry), ensure_ascii=False) + "\n"
                out.write(line)
                written += len(line.encode())
                if i % PROGRESS_EVERY == 0:
                    if cancelled is not None and cancelled():
                        raise ExportError("export cancelled")
                    if progress is not None:
                        progress(i, total)
    except FileExistsError:
        raise ExportError(f"{path} already exists: choose another name") from None
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    except ExportError:
        path.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total)
    return ExportResult(path, total, written)
