"""One composition root: the CLI, the app and the tests all build tuireader through
``tuireader.app.build_context`` and ``session_for``; no test builds a Session by hand."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from apphelpers import NOW, database, make_app
from test_cli import run
from tuireader.domain.query import StoryQuery

TESTS = Path(__file__).parent
BY_HAND = {"Session", "LibraryThread"}
"""What only the root builds: the app's session and the thread its changes go through."""


def calls_by_hand(source: str, filename: str = "<test>") -> list[str]:
    """Where ``source`` calls one of BY_HAND (``Session(...)``, ``services.Session(...)``)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in BY_HAND:
                found.append(f"{filename}:{node.lineno}: {name}(")
    return found


def test_the_check_sees_a_session_built_by_hand() -> None:
    assert calls_by_hand(
        "s = Session(library=lib)\nw = library_thread.LibraryThread(open_lib)\n"
    ) == [
        "<test>:1: Session(",
        "<test>:2: LibraryThread(",
    ]
    assert calls_by_hand("from tuireader.services.session import Session\nx: Session\n") == []


def test_no_test_module_builds_a_session_by_hand() -> None:
    found = [
        line
        for path in sorted(TESTS.glob("*.py"))
        for line in calls_by_hand(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == [], "build the app with apphelpers.make_app (the real root): " + str(found)


def test_make_app_is_the_root_the_user_runs(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    app = make_app(tmp_path, keys={"toggle_star": "asterisk"})
    session = app.session
    # the settings came from the config file, as a user's do
    config = (tmp_path / "config" / "config.toml").read_text()
    assert "[keys]" in config and session.settings.keys == {"toggle_star": "asterisk"}
    assert session.settings.network.deadline == 4 and not session.settings.general.refresh_on_start
    # one fixed clock: the app's ages, the library's stamps, discovery's windows
    assert session.clock() == NOW
    assert session.discovery.clock() == NOW.timestamp()
    first = session.library.page(StoryQuery(), 1)[0]
    assert first.id is not None
    session.library.mark([first.id], read=True)
    assert session.library.story(first.id).read_at == NOW
    # the same directories the installed command reads (isolated_env points there)
    assert database(tmp_path) == Path(isolated_env["TUIREADER_DATA_DIR"]) / "tuireader.db"
    listed = run(isolated_env, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    titles = {story["title"] for story in json.loads(listed.stdout)}
    assert "Ferry timetable changes next week" in titles
    assert "sample" not in listed.stderr.lower()  # the fixtures are the user's own library


def test_run_app_hands_the_app_the_roots_session(
    isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.app import build_context, run_app
    from tuireader.services.session import Session
    from tuireader.ui.shell import ReaderApp

    handed: list[Session] = []
    monkeypatch.setattr(ReaderApp, "run", lambda self, *a, **kw: handed.append(self.session))
    monkeypatch.setenv("TUIREADER_INLINE_IMAGES", "0")  # no terminal query in a test
    context = build_context()  # as `tuireader` (no command) does, from the environment
    try:
        assert run_app(context) == 0
    finally:
        context.close()
    (session,) = handed
    assert session.library is context.library and session.settings is context.settings
    assert session.clock is context.clock
