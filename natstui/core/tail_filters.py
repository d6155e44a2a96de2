"""The tail's filter language: parse a one-line query into a predicate over `TailEntry`.

Terms are separated by spaces and must all match (AND); `!` before a term negates it.

    subject:PATTERN     subject matches a NATS pattern (`*` one token, `>` the rest)
    header:NAME         the header is present (names compare case-insensitively)
    header:NAME=VALUE   the header has exactly VALUE (quote it when it has spaces)
    .path == VALUE      JSON field equality, e.g. `.status == "failed"`, `.items[0].n != 3`
    /REGEX/ or /REGEX/i payload matches a regular expression (bytes; `i` ignores case)
    WORD or "some text" payload contains the text (case-sensitive)

Errors raise `FilterError` naming the column and what was expected. Nothing here touches
the UI; the view applies a parsed filter to buffered messages in time-budgeted batches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from natstui.core.payload import try_json
from natstui.core.subjects import SubjectError, subject_matches, validate_subscribe_subject
from natstui.core.tail_buffer import TailEntry

Predicate = Callable[[TailEntry], bool]
MAX_JSON_BYTES = 1024 * 1024  # bigger payloads are not parsed for `.field` terms
_MISSING = object()
_PATH_TOKEN = re.compile(r"\.([A-Za-z0-9_\-$@]+)|\[(-?\d+)\]|\.\"((?:[^\"\\]|\\.)*)\"")


class FilterError(ValueError):
    """A query that cannot be parsed; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.reason = message


@dataclass(frozen=True)
class TailFilter:
    """A parsed query. The empty filter matches everything."""

    text: str = ""
    terms: tuple[str, ...] = ()
    _predicates: tuple[Predicate, ...] = field(default=(), repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not self._predicates

    def matches(self, entry: TailEntry) -> bool:
        try:
            return all(p(entry) for p in self._predicates)
        except Exception:
            # Payloads are hostile: a message the filter cannot evaluate does not match, and
            # must never stop the tail (the fuzz tests try to find such messages).
            return False


_SURROGATE = "a lone surrogate character cannot be matched"


def _check_encodable(text: str) -> None:
    """Payloads are matched as UTF-8 bytes: a lone surrogate (pasted, or a quoted \\ud800
    escape) has no UTF-8 form."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FilterError(_SURROGATE, exc.start + 1) from None


class _Scanner:
    """Character cursor over the query with helpers that raise FilterError with a column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: int | None = None) -> FilterError:
        return FilterError(message, (self.pos if pos is None else pos) + 1)

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace():
            self.pos += 1
        return self.text[start : self.pos]

    def quoted(self) -> str:
        """A JSON-style double-quoted string starting at the cursor."""
        start = self.pos
        i = start + 1
        while i < len(self.text):
            if self.text[i] == "\\":
                i += 2
                continue
            if self.text[i] == '"':
                try:
                    value: str = json.loads(self.text[start : i + 1])
                except ValueError:
                    raise self.error("bad escape in quoted text", start) from None
                if any("\ud800" <= c <= "\udfff" for c in value):
                    raise self.error(_SURROGATE, start)
                self.pos = i + 1
                return value
            i += 1
        raise self.error('unterminated quote (missing closing ")', start)

    def word_or_quoted(self) -> str:
        return self.quoted() if self.peek() == '"' else self.word()


def parse_filter(text: str) -> TailFilter:
    """Parse a query; raises FilterError for anything it cannot understand."""
    _check_encodable(text)
    scanner = _Scanner(text)
    predicates: list[Predicate] = []
    terms: list[str] = []
    scanner.skip_spaces()
    while not scanner.at_end():
        start = scanner.pos
        negate = scanner.peek() == "!"
        if negate:
            scanner.pos += 1
        if scanner.at_end() or scanner.peek().isspace():
            raise scanner.error("'!' must be followed by a term")
        predicate = _term(scanner)
        predicates.append(_negated(predicate) if negate else predicate)
        terms.append(text[start : scanner.pos])
        if not scanner.at_end() and not scanner.peek().isspace():
            raise scanner.error("expected a space between terms")
        scanner.skip_spaces()
    return TailFilter(text.strip(), tuple(terms), tuple(predicates))


def _negated(predicate: Predicate) -> Predicate:
    return lambda entry: not predicate(entry)


def _term(s: _Scanner) -> Predicate:
    head = s.peek()
    if head == "/":
        return _regex_term(s)
    if head == ".":
        return _json_term(s)
    if head == '"':
        return _text_predicate(s.quoted())
    lowered = s.text[s.pos : s.pos + 8].lower()
    if lowered.startswith(("subject:", "subj:", "s:")):
        s.pos += lowered.index(":") + 1
        return _subject_term(s)
    if lowered.startswith(("header:", "h:")):
        s.pos += lowered.index(":") + 1
        return _header_term(s)
    return _text_predicate(s.word())


def _text_predicate(text: str) -> Predicate:
    needle = text.encode()
    return lambda entry: needle in entry.data


def _subject_term(s: _Scanner) -> Predicate:
    start = s.pos
    pattern = s.word_or_quoted()
    if not pattern:
        raise s.error("subject: needs a pattern such as orders.*.created or orders.>", start)
    try:
        validate_subscribe_subject(pattern)
    except SubjectError as exc:
        raise s.error(f"subject pattern: {exc}", start) from None
    return lambda entry: subject_matches(pattern, entry.subject)


def _header_term(s: _Scanner) -> Predicate:
    start = s.pos
    name_end = s.pos
    while name_end < len(s.text) and not s.text[name_end].isspace() and s.text[name_end] != "=":
        name_end += 1
    name = s.text[s.pos : name_end].lower()
    if not name:
        raise s.error("header: needs a header name, e.g. header:Nats-Msg-Id", start)
    s.pos = name_end
    if s.peek() != "=":
        return lambda entry: _header_value(entry, name) is not None
    s.pos += 1
    value = s.word_or_quoted()
    return lambda entry: _header_value(entry, name) == value


def _header_value(entry: TailEntry, lowered_name: str) -> str | None:
    if not entry.headers:
        return None
    for key, value in entry.headers.items():
        if key.lower() == lowered_name:
            return value
    return None


def _regex_term(s: _Scanner) -> Predicate:
    start = s.pos
    i = start + 1
    while i < len(s.text) and s.text[i] != "/":
        i += 2 if s.text[i] == "\\" else 1
    if i >= len(s.text):
        raise s.error("unterminated regex (missing closing '/')", start)
    source = s.text[start + 1 : i].replace("\\/", "/")
    s.pos = i + 1
    flags = 0
    while s.peek() in ("i",) and s.peek():
        flags |= re.IGNORECASE
        s.pos += 1
    if not source:
        raise s.error("empty regex", start)
    try:
        regex = re.compile(source.encode(), flags)
    except re.error as exc:
        raise s.error(f"bad regex: {exc.msg}", start + 1 + (exc.pos or 0)) from None
    except (OverflowError, RecursionError):
        # e.g. a{99999999999}: the count overflows the regex engine, or nesting is too deep
        raise s.error("bad regex: too large or too deeply nested", start + 1) from None
    search = regex.search
    return lambda entry: search(entry.data) is not None


def _json_term(s: _Scanner) -> Predicate:
    start = s.pos
    path = _json_path(s)
    s.skip_spaces()
    op = s.peek(2)
    if op not in ("==", "!="):
        raise s.error(f"expected == or != after {s.text[start : s.pos].strip()}")
    s.pos += 2
    s.skip_spaces()
    if s.at_end():
        raise s.error('expected a JSON value like "failed", 42, true or null')
    expected = _json_value(s)
    equal = _json_equal
    if op == "==":
        return lambda entry: equal(_lookup(entry.data, path), expected)
    return lambda entry: not equal(_lookup(entry.data, path), expected)


def _json_path(s: _Scanner) -> tuple[str | int, ...]:
    start = s.pos
    parts: list[str | int] = []
    while not s.at_end() and s.peek() in (".", "["):
        if s.peek(2) in (". ", ".=", ".!") or s.text[s.pos :] == ".":
            s.pos += 1  # a lone "." is the whole document
            break
        match = _PATH_TOKEN.match(s.text, s.pos)
        if match is None:
            raise s.error('bad JSON path: use .name, ."odd name" or [index]')
        key, index, quoted = match.groups()
        if key is not None:
            parts.append(key)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(json.loads(f'"{quoted}"'))
        s.pos = match.end()
    if s.pos == start:
        raise s.error("bad JSON path")
    return tuple(parts)


def _json_value(s: _Scanner) -> object:
    start = s.pos
    if s.peek() == '"':
        return s.quoted()
    raw = s.word()
    try:
        value: object = json.loads(raw)
    except ValueError:
        raise s.error(
            f'expected a JSON value like "failed", 42, true or null, not {raw!r}'
            " (quote text values)",
            start,
        ) from None
    if isinstance(value, (dict, list)):
        raise s.error("compare with a single value (string, number, true, false, null)", start)
    return value


def _lookup(data: bytes, path: tuple[str | int, ...]) -> object:
    if len(data) > MAX_JSON_BYTES:
        return _MISSING
    node = try_json(data)
    if node is None:
        return _MISSING
    for part in path:
        if not _has(node, part):
            return _MISSING
        node = node[part]  # type: ignore[index]
    return node


def _has(node: object, part: str | int) -> bool:
    if isinstance(part, int):
        return isinstance(node, list) and -len(node) <= part < len(node)
    return isinstance(node, dict) and part in node


def _json_equal(actual: object, expected: object) -> bool:
    if actual is _MISSING:
        return False
    # JSON true is not 1: Python's bool is an int, so compare the kinds first.
    if isinstance(actual, bool) != isinstance(expected, bool):
        return False
    return actual == expected
