"""Payload templates compatible with natscli's `nats pub` / `nats req` placeholders.

Supported (spaces inside the braces are optional, as in Go templates):
`{{Count}}` (the message number, from 1; `{{Cnt}}` too), `{{ID}}` (a unique id),
`{{Time}}` (local time as Go's `time.Kitchen`, e.g. `3:04PM`), `{{TimeStamp}}` (RFC 3339),
`{{Unix}}` (seconds), `{{UnixNano}}` (nanoseconds), `{{Random a b}}` (a random string of
a to b characters).

A template is parsed once (`compile_template`) and rendered per message, so sending 10,000
messages does not re-parse the text. Errors name the position and say what is wrong.
"""

from __future__ import annotations

import os
import random
import re
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

_FIELD = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_RANDOM_ALPHABET = string.ascii_letters + string.digits
MAX_RANDOM = 1024 * 1024
FUNCTIONS = ("Count", "Cnt", "ID", "Time", "TimeStamp", "Unix", "UnixNano", "Random")


class TemplateError(ValueError):
    """A template that cannot be rendered; the message says where and why."""


@dataclass(frozen=True)
class RenderContext:
    """What one rendering sees: the message number and the clock (fixed for tests)."""

    count: int = 1
    now_ns: int | None = None


Part = str | Callable[[RenderContext], str]


def _now_ns(ctx: RenderContext) -> int:
    return ctx.now_ns if ctx.now_ns is not None else time.time_ns()


def _kitchen(ctx: RenderContext) -> str:
    dt = datetime.fromtimestamp(_now_ns(ctx) / 1e9)
    hour = dt.hour % 12 or 12
    return f"{hour}:{dt.minute:02d}{'AM' if dt.hour < 12 else 'PM'}"


def _timestamp(ctx: RenderContext) -> str:
    return datetime.fromtimestamp(_now_ns(ctx) / 1e9).astimezone().isoformat(timespec="seconds")


def _unique_id(_: RenderContext) -> str:
    # 22 base62 characters, like a NUID: unique enough for test messages.
    raw = int.from_bytes(os.urandom(16), "big")
    chars = []
    for _i in range(22):
        raw, rem = divmod(raw, 62)
        chars.append(_RANDOM_ALPHABET[rem])
    return "".join(chars)


def _random_field(shortest: int, longest: int) -> Callable[[RenderContext], str]:
    def render(_: RenderContext) -> str:
        size = random.randint(shortest, longest)
        return "".join(random.choices(_RANDOM_ALPHABET, k=size))

    return render


_SIMPLE: dict[str, Callable[[RenderContext], str]] = {
    "Count": lambda ctx: str(ctx.count),
    "Cnt": lambda ctx: str(ctx.count),
    "ID": _unique_id,
    "Time": _kitchen,
    "TimeStamp": _timestamp,
    "Unix": lambda ctx: str(_now_ns(ctx) // 1_000_000_000),
    "UnixNano": lambda ctx: str(_now_ns(ctx)),
}


def _random_args(args: list[str], where: str) -> tuple[int, int]:
    if len(args) != 2:
        raise TemplateError(f"{where}: Random takes two numbers, e.g. {{{{Random 5 10}}}}")
    try:
        shortest, longest = int(args[0]), int(args[1])
    except ValueError:
        raise TemplateError(f"{where}: Random takes whole numbers, got {' '.join(args)}") from None
    if shortest < 0 or longest < shortest:
        raise TemplateError(f"{where}: Random needs 0 <= shortest <= longest")
    if longest > MAX_RANDOM:
        raise TemplateError(f"{where}: Random longer than {MAX_RANDOM} characters")
    return shortest, longest


def _compile_field(body: str, offset: int) -> Part:
    where = f"template at character {offset + 1}"
    words = body.split()
    if not words:
        raise TemplateError(f"{where}: empty {{{{ }}}}")
    name, args = words[0], words[1:]
    if name == "Random":
        return _random_field(*_random_args(args, where))
    if name not in _SIMPLE:
        known = ", ".join(FUNCTIONS)
        raise TemplateError(f"{where}: unknown field {name!r} (known: {known})")
    if args:
        raise TemplateError(f"{where}: {name} takes no arguments")
    return _SIMPLE[name]


@dataclass(frozen=True)
class Template:
    """A parsed template; `render` is cheap enough to call once per published message."""

    parts: tuple[Part, ...]

    @property
    def is_static(self) -> bool:
        """True when there are no fields: every message is the same."""
        return all(isinstance(p, str) for p in self.parts)

    def render(self, ctx: RenderContext | None = None) -> str:
        ctx = ctx or RenderContext()
        return "".join(p if isinstance(p, str) else p(ctx) for p in self.parts)


def compile_template(text: str) -> Template:
    """Parse `text`; raise TemplateError for an unknown field, bad arguments or a lone `{{`."""
    parts: list[Part] = []
    pos = 0
    for match in _FIELD.finditer(text):
        _check_literal(text[pos : match.start()], pos)
        parts.append(text[pos : match.start()])
        parts.append(_compile_field(match.group(1), match.start()))
        pos = match.end()
    _check_literal(text[pos:], pos)
    parts.append(text[pos:])
    return Template(tuple(p for p in parts if p != ""))


def _check_literal(chunk: str, offset: int) -> None:
    index = chunk.find("{{")
    if index >= 0:
        raise TemplateError(f"template at character {offset + index + 1}: '{{{{' is never closed")


def render_preview(text: str, count: int = 1) -> str:
    """What message `count` would look like now; raises TemplateError."""
    return compile_template(text).render(RenderContext(count=count))
