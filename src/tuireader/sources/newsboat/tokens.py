"""newsboat's tokenizer for its ``urls`` and ``config`` lines (``utils::tokenize_quoted``
and ``utils::strip_comments`` in newsboat), and the quoting that reads back through it."""

from __future__ import annotations

DELIMITERS = " \r\n\t"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "`": "\\`"}


def extract_token(line: str, delimiters: str = DELIMITERS) -> tuple[str | None, str]:
    """The first token of ``line`` and what follows it; ``None`` at the end or at a comment.

    A token is a double-quoted string (backslash escapes ``\\n \\r \\t \\" \\\\``; any other
    escaped character stands for itself; an unclosed quote runs to the end of the line) or a
    run of characters up to the next delimiter.
    """
    start = 0
    while start < len(line) and line[start] in delimiters:
        start += 1
    if start == len(line):
        return None, ""
    line = line[start:]
    if line.startswith("#"):
        return None, ""
    if line.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(line):
            char = line[i]
            if char == '"':
                return "".join(out), line[i + 1 :]
            if char == "\\":
                if i + 1 < len(line):
                    nxt = line[i + 1]
                    out.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            out.append(char)
            i += 1
        return "".join(out), ""
    end = next((i for i, char in enumerate(line) if char in delimiters), len(line))
    return line[:end], line[end:]


def tokenize(line: str, delimiters: str = DELIMITERS) -> list[str]:
    """Every token of a line, up to a comment."""
    tokens: list[str] = []
    rest = line
    while rest:
        token, rest = extract_token(rest, delimiters)
        if token is not None:
            tokens.append(token)
    return tokens


def strip_comments(line: str) -> str:
    """The line up to its first ``#`` outside double quotes and backticks."""
    in_quotes = in_backticks = escaped = False
    for index, char in enumerate(line):
        if char == "\\" and not escaped:
            escaped = True
            continue
        if char == '"' and not escaped and not in_backticks:
            in_quotes = not in_quotes
        elif char == "`" and not escaped:
            in_backticks = not in_backticks
        elif char == "#" and not escaped and not in_quotes and not in_backticks:
            return line[:index]
        escaped = False
    return line


def has_backticks(line: str) -> bool:
    """Whether a line asks for command substitution (an unescaped backtick)."""
    escaped = False
    for char in line:
        if char == "\\" and not escaped:
            escaped = True
            continue
        if char == "`" and not escaped:
            return True
        escaped = False
    return False


def quote(value: str) -> str:
    """``value`` as a double-quoted token that :func:`extract_token` reads back as is."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def quote_if_needed(value: str) -> str:
    """``value`` bare when it reads back as one token, else quoted."""
    if value and not value.startswith(("#", '"')) and not any(c in DELIMITERS for c in value):
        return value
    return quote(value)
