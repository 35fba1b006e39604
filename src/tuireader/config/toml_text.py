"""TOML spellings for text we write into the user's config: a basic string for any value,
and a key bare when it can be."""

from __future__ import annotations

import re

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_string(value: str) -> str:
    """A TOML basic string for any text."""
    out = ['"']
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def toml_key(name: str) -> str:
    """A key as TOML spells it: bare when it can be, else quoted."""
    return name if _BARE.match(name) else toml_string(name)
