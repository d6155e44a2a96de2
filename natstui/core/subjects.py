"""NATS subject and queue-group validation and wildcard matching.

An invalid SUB or PUB makes the server close the connection for good, so every subject typed by a
user is checked here before it reaches nats-py.
"""

from __future__ import annotations

_FORBIDDEN = frozenset(" \t\r\n\f\v\x00")
MAX_SUBJECT_LEN = 4000  # the server closes on control lines over 4096 bytes


class SubjectError(ValueError):
    """A subject or queue group that NATS would reject; the message says why."""


def _check_tokens(subject: str, what: str) -> list[str]:
    if not subject:
        raise SubjectError(f"{what} is empty")
    if len(subject.encode()) > MAX_SUBJECT_LEN:
        raise SubjectError(f"{what} is longer than {MAX_SUBJECT_LEN} bytes")
    bad = sorted({c for c in subject if c in _FORBIDDEN or ord(c) < 0x20 or c == "\x7f"})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise SubjectError(f"{what} contains white space or control characters ({shown})")
    tokens = subject.split(".")
    if any(t == "" for t in tokens):
        raise SubjectError(f"{what} has an empty token (a leading, trailing or double '.')")
    return tokens


def validate_subscribe_subject(subject: str) -> str:
    """Check a subject for SUB: wildcards allowed as whole tokens, `>` only last."""
    tokens = _check_tokens(subject, "subject")
    for i, tok in enumerate(tokens):
        if tok == ">" and i != len(tokens) - 1:
            raise SubjectError("'>' may only be the last token")
        if tok not in ("*", ">") and ("*" in tok or ">" in tok):
            raise SubjectError(f"wildcards must be whole tokens: {tok!r}")
    return subject


def validate_publish_subject(subject: str) -> str:
    """Check a subject for PUB: no wildcards at all."""
    tokens = _check_tokens(subject, "subject")
    if any("*" in t or ">" in t for t in tokens):
        raise SubjectError("cannot publish to a wildcard subject ('*' or '>')")
    return subject


def validate_queue_group(queue: str) -> str:
    """A queue group name: one or more characters, no white space."""
    if not queue:
        raise SubjectError("queue group is empty")
    if any(c in _FORBIDDEN or ord(c) < 0x20 for c in queue):
        raise SubjectError("queue group contains white space or control characters")
    return queue


def subject_matches(pattern: str, subject: str) -> bool:
    """True when `subject` matches `pattern` with NATS wildcard semantics."""
    p_toks = pattern.split(".")
    s_toks = subject.split(".")
    for i, p in enumerate(p_toks):
        if p == ">":
            return len(s_toks) > i
        if i >= len(s_toks):
            return False
        if p != "*" and p != s_toks[i]:
            return False
    return len(p_toks) == len(s_toks)
