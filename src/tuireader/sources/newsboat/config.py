"""newsboat's ``config`` file, read the way newsboat's ``ConfigParser`` reads it: comments,
lines continued with a trailing backslash, ``include`` (relative to the including file, once
each), quoted tokens; ``macro`` operation sequences as newsboat's keymap tokenizes them.

Nothing is run: a line that asks for command substitution (backticks) is reported, not
evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tuireader.domain.files import os_reason
from tuireader.sources.newsboat.tokens import extract_token, has_backticks, strip_comments, tokenize


@dataclass(frozen=True, slots=True)
class ConfigLine:
    """One command of the config, tokenized."""

    command: str
    args: tuple[str, ...]
    where: str
    """``file:line``, for messages."""
    text: str = ""
    """The line as written, after comments were stripped (for ``macro``, which tokenizes
    its own way)."""


@dataclass(frozen=True, slots=True)
class Macro:
    """``macro KEY op args ; op args ... [-- "description"]``."""

    key: str
    operations: tuple[tuple[str, ...], ...]
    description: str = ""


@dataclass(slots=True)
class NewsboatConfig:
    """A config file and what it includes, in order."""

    lines: list[ConfigLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Lines that could not be read (an include that is missing, backticks), one line each."""


def read_config(path: Path) -> NewsboatConfig:
    """The commands of a newsboat config file and the files it includes."""
    out = NewsboatConfig()
    _read(path, out, [])
    return out


def _read(path: Path, out: NewsboatConfig, stack: list[Path]) -> bool:
    resolved = path.expanduser().resolve()
    if resolved in stack:  # newsboat: a file already being read is skipped
        return True
    try:
        text = resolved.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        out.problems.append(f"{path}: {os_reason(exc)}")
        return False
    stack.append(resolved)
    pending = ""
    for number, line in enumerate(text.splitlines(), 1):
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        line, pending = pending + line, ""
        _line(line, f"{resolved.name}:{number}", resolved, out, stack)
    if pending:
        _line(pending, f"{resolved.name}:end", resolved, out, stack)
    stack.pop()
    return True


def _line(line: str, where: str, current: Path, out: NewsboatConfig, stack: list[Path]) -> None:
    stripped = strip_comments(line)
    if has_backticks(stripped):
        out.problems.append(f"{where}: uses `command` substitution, not run: {stripped.strip()}")
        return
    command, rest = extract_token(stripped)
    if command is None:
        return
    if command == "include":
        args = tokenize(rest)
        if not args:
            out.problems.append(f"{where}: include names no file")
            return
        target = Path(args[0]).expanduser()
        if not target.is_absolute():
            target = current.parent / target
        _read(target, out, stack)
        return
    out.lines.append(ConfigLine(command, tuple(tokenize(rest)), where, rest))


_UNQUOTED = re.compile(r'[^\t" ;]+')


def read_macro(line: ConfigLine) -> Macro | None:
    """A ``macro`` line's key and operations; ``None`` when newsboat would refuse it."""
    key, rest = extract_token(line.text)
    if key is None:
        return None
    parsed = operation_sequence(rest)
    if parsed is None or not parsed[0]:
        return None
    operations, description = parsed
    return Macro(key, operations, description)


def operation_sequence(text: str) -> tuple[tuple[tuple[str, ...], ...], str] | None:
    """Operations separated by ``;``, each a name and arguments (double quotes keep spaces
    and ``;``), then an optional ``-- "description"``; ``None`` if it does not parse."""
    operations: list[tuple[str, ...]] = []
    current: list[str] = []
    description = ""
    i = 0
    while i < len(text):
        char = text[i]
        if char in " \t":
            i += 1
        elif char == ";":
            if current:
                operations.append(tuple(current))
                current = []
            i += 1
        elif char == '"':
            token, rest = extract_token(text[i:])
            current.append(token or "")
            i = len(text) - len(rest)
        else:
            match = _UNQUOTED.match(text, i)
            assert match is not None
            token = match.group()
            if token == "--":
                tail = text[match.end() :].strip()
                if not tail.startswith('"') or len(tail) < 2 or not tail.endswith('"'):
                    return None
                description = tail[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                break
            current.append(token)
            i = match.end()
    if current:
        operations.append(tuple(current))
    return tuple(operations), description
