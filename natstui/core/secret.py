"""A string type for secrets whose repr and str never show the value."""

from __future__ import annotations


class Secret:
    """Holds a secret; only `reveal()` gives the value back.

    `repr()`, `str()` and f-strings show a mask, so a secret that lands in a log line, an
    exception or a notification by accident does not leak.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __format__(self, spec: str) -> str:
        return "********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        raise TypeError("Secret values are not picklable")
