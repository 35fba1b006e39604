"""Checking the parts of the config only the UI can judge: ``[keys]`` and the theme.

Command ids are declared in :mod:`tuireader.ui.commands`; key names and themes are Textual's.
The config layer sits below the UI and may not know them, so the composition root asks here.
This runs before every CLI command, so it reads Textual's tables without importing the
``textual`` package (a quarter of a second): ``textual/keys.py`` is stdlib-only and is loaded
from its file, and the built-in theme names are read from ``textual/theme.py``'s source.
When Textual is already imported (the app runs), its modules are used as they are.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from tuireader.config.settings import GeneralSettings, Settings
from tuireader.domain.text import clean_line
from tuireader.ui.commands import BY_ID, COMMANDS, keys_for

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


@dataclass(slots=True)
class ConfigReport:
    """What is wrong with the config (``errors``) and what it does that may surprise."""

    errors: list[str] = field(default_factory=list)
    """Each names the key; the config cannot be used."""
    warnings: list[str] = field(default_factory=list)
    """A rebinding that takes a key from another command."""


def _textual_file(name: str) -> Path:
    spec = importlib.util.find_spec("textual")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("textual is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / name


@functools.cache
def textual_keys() -> ModuleType:
    """Textual's key tables (``textual.keys``)."""
    if "textual.keys" in sys.modules:
        return sys.modules["textual.keys"]
    spec = importlib.util.spec_from_file_location(
        "tuireader_textual_keys", _textual_file("keys.py")
    )
    if spec is None or spec.loader is None:
        raise ImportError("textual/keys.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def builtin_themes() -> frozenset[str]:
    """The names of Textual's built-in themes."""
    if "textual.theme" not in sys.modules:
        try:
            tree = ast.parse(_textual_file("theme.py").read_text(encoding="utf-8"))
        except (ImportError, OSError, SyntaxError):
            tree = None
        for node in ast.walk(tree) if tree is not None else ():
            target: ast.expr | None = None
            if isinstance(node, ast.AnnAssign):
                target = node.target
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            value = getattr(node, "value", None)
            named = isinstance(target, ast.Name) and target.id == "BUILTIN_THEMES"
            if named and isinstance(value, ast.Dict):
                names = {k.value for k in value.keys if isinstance(k, ast.Constant)}
                if names:
                    return frozenset(str(n) for n in names)
    from textual.theme import BUILTIN_THEMES  # the source changed shape: ask Textual itself

    return frozenset(BUILTIN_THEMES)


@functools.cache
def _base_names() -> frozenset[str]:
    """Key names without modifiers: "enter", "pageup", "f5"…"""
    keys = textual_keys()
    named = {str(k.value).rsplit("+", 1)[-1] for k in keys.Keys}
    printable = {keys._character_to_key(chr(code)) for code in range(0x20, 0x7F)}
    return frozenset(named | printable | set(keys.KEY_ALIASES))


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a key name Textual can bind, or ``None``."""
    if not key:
        return "an empty key name"
    if key != key.strip():
        return f"{key!r} has spaces around it"
    if len(key) == 1:
        return None if key.isprintable() else f"{key!r} is not a printable key"
    *mods, base = key.split("+")
    for mod in mods:
        if mod not in MODIFIERS:
            return f"{key!r}: {mod!r} is not a modifier ({', '.join(MODIFIERS)})"
    if not base:
        return f"{key!r} has no key after '+' (the plus key is 'plus')"
    if len(base) == 1 and base.isprintable():
        return None
    if base in _base_names():
        return None
    try:
        char = unicodedata.lookup(base.replace("_", " "))
    except KeyError:
        char = ""
    if char and textual_keys()._character_to_key(char) == base:
        return None  # a character's name beyond ASCII: "section_sign", "pound_sign"
    lower = base.lower()
    hint = f" (did you mean {lower!r}?)" if lower != base and key_problem(lower) is None else ""
    return f"{key!r} is not a key name{hint}"


def normalize_key(key: str) -> str:
    """The name Textual gives a key's events: a lone character becomes its name (``?`` →
    ``question_mark``), so that two spellings of one key are seen to clash."""
    key = key.strip()
    if len(key) == 1:
        result: str = textual_keys()._character_to_key(key)
        return result
    return key


def split_keys(keys: str) -> list[str]:
    """A ``[keys]`` value ("n,ctrl+n") as key names, normalized."""
    return [normalize_key(k) for k in keys.split(",")]


def check_keys(overrides: Mapping[str, str]) -> ConfigReport:
    """Unknown command ids and impossible key names (errors), and keys taken from another
    command (warnings: Textual moves the key, and the other command loses it)."""
    report = ConfigReport()
    for cid, value in overrides.items():
        shown = clean_line(cid)
        if cid not in BY_ID:
            report.errors.append(
                f"config: [keys] {shown!r} is not a command id (the help screen, ?, lists them)"
            )
            continue
        for key in value.split(","):
            problem = key_problem(key.strip())
            if problem is not None:
                report.errors.append(f"config: [keys] {shown}: {clean_line(problem)}")
    if report.errors:
        return report
    wanted = {cid: split_keys(value) for cid, value in overrides.items()}
    for command in COMMANDS:
        for key in wanted.get(command.id, ()):
            for other in COMMANDS:
                if other.id == command.id:
                    continue
                if other.id in wanted:
                    if key in wanted[other.id] and command.id < other.id:
                        report.warnings.append(
                            f"config: [keys] {command.id} and {other.id} both ask for {key!r}"
                        )
                    continue
                holds = split_keys(other.keys)
                if key in holds:
                    left = [k for k in holds if k != key]
                    keeps = f"it keeps {', '.join(left)}" if left else "it has no key now"
                    report.warnings.append(
                        f"config: [keys] {command.id} takes {key!r} from {other.id} ({keeps})"
                    )
    return report


def check_macros(macros: Mapping[str, Sequence[str]], overrides: Mapping[str, str]) -> ConfigReport:
    """``[macros]``: each key a key name no command holds now, each id a command's."""
    report = ConfigReport()
    held = {
        key: command.id for command in COMMANDS for key in split_keys(keys_for(command, overrides))
    }
    for key, ids in macros.items():
        shown = clean_line(key)
        for cid in ids:
            if cid not in BY_ID:
                report.errors.append(
                    f"config: [macros] {shown}: {clean_line(cid)!r} is not a command id"
                    " (the help screen, ?, lists them)"
                )
        problem = key_problem(key)
        if problem is not None:
            report.errors.append(f"config: [macros] {shown}: {clean_line(problem)}")
        elif normalize_key(key) in held:
            report.errors.append(
                f"config: [macros] {shown}: the key belongs to {held[normalize_key(key)]}"
                " (give that command another key under [keys], or the macro another key)"
            )
    return report


def check_config(settings: Settings) -> ConfigReport:
    """Everything about ``settings`` that the config layer cannot check by itself."""
    report = check_keys(settings.keys) if settings.keys else ConfigReport()
    if settings.macros:
        macros = check_macros(settings.macros, settings.keys)
        report.errors.extend(macros.errors)
    theme = settings.general.theme
    if theme != GeneralSettings().theme and theme not in builtin_themes():
        names = ", ".join(sorted(builtin_themes()))
        report.errors.append(
            f"config: 'general.theme' is not a theme: {clean_line(theme)!r} (themes: {names})"
        )
    return report
