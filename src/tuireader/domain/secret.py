"""A secret (a password, a token) that never shows its value when printed, logged or dumped."""

from __future__ import annotations

import hmac

MASK = "***"


class Secret:
    """A secret string: ``str``, ``repr`` and ``format`` show ``***``; only :meth:`reveal`
    gives the value, so a secret cannot end up in a log, an error line or JSON by accident
    (``json.dumps`` refuses it; with ``default=str`` it writes ``***``)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one place that sends it (a login)."""
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))
