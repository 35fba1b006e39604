"""Our own faults show: a log file, one line naming it, `doctor`, and the app's one handler
for failed workers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from apphelpers import make_app, workers_done
from test_broken_component import broken_env
from test_cli import run
from tuireader.app import LOG_BACKUPS, LOG_BYTES, setup_logging
from tuireader.ui.widgets.status_bar import StatusBar

SIZE = (140, 40)

INJECT = """\
import tuireader.cli.commands as commands

def broken(context, args):
    raise RuntimeError("injected fault")

commands.cmd_sources = broken
"""


def inject_bug(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """`tuireader sources` raises a RuntimeError (a bug of ours) in the installed command."""
    site = tmp_path / "inject"
    site.mkdir()
    (site / "sitecustomize.py").write_text(INJECT)
    return {**env, "PYTHONPATH": str(site)}


def doctor_lines(result: Any) -> dict[str, str]:
    lines = [line for line in result.stdout.splitlines() if line[:4] in ("ok  ", "FAIL")]
    return {line[6:18].strip(): line for line in lines}


# the log file ------------------------------------------------------------------------------
def test_log_file_is_small_and_rotated(tmp_path: Path) -> None:
    log = setup_logging(tmp_path / "log" / "tuireader.log")
    assert log == tmp_path / "log" / "tuireader.log"
    logger = logging.getLogger("tuireader.test")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("caught")
    assert "ValueError: boom" in log.read_text() and "Traceback" in log.read_text()
    for _ in range(LOG_BYTES // 1000 * (LOG_BACKUPS + 2)):
        logger.info("x" * 1000)
    files = sorted(p.name for p in log.parent.iterdir())
    assert files == ["tuireader.log", "tuireader.log.1", "tuireader.log.2"][: LOG_BACKUPS + 1]
    assert all(p.stat().st_size <= LOG_BYTES + 2000 for p in log.parent.iterdir())


def test_unwritable_log_dir_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert setup_logging(blocker / "log" / "tuireader.log", debug=True) is None
    logging.getLogger("tuireader.test").error("nowhere to go")
    assert capsys.readouterr().err == ""


def test_locate_prints_the_log_path(isolated_env: dict[str, str]) -> None:
    result = run(isolated_env, "locate")
    assert f"log     {Path(isolated_env['TUIREADER_LOG_DIR']) / 'tuireader.log'}" in result.stdout


def test_internal_error_is_one_line_naming_the_log(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    env = inject_bug(isolated_env, tmp_path)
    log = Path(isolated_env["TUIREADER_LOG_DIR"]) / "tuireader.log"
    result = run(env, "sources")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"tuireader: internal error: RuntimeError: injected fault (details in {log})"
    )
    logged = log.read_text()
    assert "Traceback" in logged and "RuntimeError: injected fault" in logged
    debug = run({**env, "TUIREADER_DEBUG": "1"}, "sources")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "RuntimeError: injected fault" in debug.stderr


# doctor ------------------------------------------------------------------------------------
def test_doctor_is_green_on_a_fresh_machine(isolated_env: dict[str, str]) -> None:
    result = run(isolated_env, "doctor")
    assert result.returncode == 0, result.stdout
    checks = doctor_lines(result)
    assert list(checks) == [
        "extraction",
        "pdf",
        "images",
        "meaning",
        "database",
        "config",
        "data dir",
        "cache dir",
        "log dir",
        "graphics",
    ]
    assert all(line.startswith("ok") for line in checks.values()), result.stdout
    assert "trafilatura extracted" in checks["extraction"]


def test_doctor_checks_the_database_once_created(isolated_env: dict[str, str]) -> None:
    assert run(isolated_env, "sources").returncode == 0  # creates the database
    checks = doctor_lines(run(isolated_env, "doctor"))
    assert "quick_check ok, schema" in checks["database"]
    db = Path(isolated_env["TUIREADER_DATA_DIR"]) / "tuireader.db"
    db.write_bytes(b"this is not a database at all" * 200)
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    result = run(isolated_env, "doctor")
    assert result.returncode == 1
    assert doctor_lines(result)["database"].startswith("FAIL")
    assert "moves it aside" in doctor_lines(result)["database"]


def test_doctor_is_red_for_a_bad_config(isolated_env: dict[str, str]) -> None:
    config = Path(isolated_env["TUIREADER_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[general]\nrefresh_on_strat = true\n")
    result = run(isolated_env, "doctor")
    assert result.returncode == 1
    failing = [line for line in doctor_lines(result).values() if line.startswith("FAIL")]
    assert len(failing) == 1 and "refresh_on_strat" in failing[0]
    assert "tuireader config" in failing[0]  # says what to do


@pytest.mark.parametrize(
    ("keys", "named"),
    [('frobnicate = "z"', "frobnicate"), ('next_unread = "notakey!!"', "notakey")],
)
def test_doctor_is_red_for_keys_the_app_refuses(
    isolated_env: dict[str, str], keys: str, named: str
) -> None:
    config = Path(isolated_env["TUIREADER_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f"[keys]\n{keys}\n")
    result = run(isolated_env, "doctor")
    assert result.returncode == 1
    failing = [line for line in doctor_lines(result).values() if line.startswith("FAIL")]
    assert len(failing) == 1 and named in failing[0], failing


def test_doctor_is_red_when_the_data_dir_cannot_be_written(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run({**isolated_env, "TUIREADER_DATA_DIR": str(blocker / "data")}, "doctor")
    assert result.returncode == 1
    line = doctor_lines(result)["data dir"]
    assert line.startswith("FAIL") and "is not a folder" in line and "TUIREADER_DATA_DIR" in line


def test_doctor_is_red_when_extraction_is_broken(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    result = run(broken_env(isolated_env, tmp_path), "doctor")
    assert result.returncode == 1
    line = doctor_lines(result)["extraction"]
    assert line.startswith("FAIL") and "lxml_html_clean" in line and "reinstall" in line
    assert "\n" not in line and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("module", "check"), [("pypdf", "pdf"), ("PIL", "images")])
def test_doctor_is_red_when_a_library_does_not_import(
    isolated_env: dict[str, str], tmp_path: Path, module: str, check: str
) -> None:
    fake = tmp_path / "broken-site" / module
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(f"raise ImportError('{module} is broken')\n")
    result = run({**isolated_env, "PYTHONPATH": str(fake.parent)}, "doctor")
    assert result.returncode == 1
    lines = doctor_lines(result)
    assert lines[check].startswith("FAIL") and f"{module} is broken" in lines[check]
    assert [name for name, line in lines.items() if line.startswith("FAIL")] == [check]


def test_doctor_reports_the_terminal_graphics(isolated_env: dict[str, str]) -> None:
    env = {k: v for k, v in isolated_env.items() if k not in ("KITTY_WINDOW_ID", "TERM_PROGRAM")}
    plain = doctor_lines(run({**env, "TERM": "xterm-256color"}, "doctor"))
    kitty = doctor_lines(run({**env, "TERM": "xterm-kitty"}, "doctor"))
    assert "inline images off" in plain["graphics"]
    assert "inline images on" in kitty["graphics"]


# the app's one handler for failed workers --------------------------------------------------
def notes_of(app: Any) -> list[str]:
    notes: list[str] = []
    real = app.notify

    def record(message: str, **kwargs: Any) -> None:
        notes.append(message)
        real(message, **kwargs)

    app.notify = record
    return notes


async def test_a_failed_worker_says_so_in_one_line_and_the_app_stays_up(
    tmp_path: Path,
) -> None:
    log = setup_logging(tmp_path / "log" / "tuireader.log")
    app = make_app(tmp_path)

    real = app.session.discovery_factory

    def broken_discovery() -> Any:
        discovery = real()

        def lists_for(story_id: int | None) -> Any:
            raise RuntimeError("discovery is broken")

        discovery.lists_for = lists_for
        return discovery

    app.session.discovery_factory = broken_discovery
    app.session.log_file = log
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # opening a story asks for its related stories
        await workers_done(app)
        await pilot.pause()
        assert f"Related failed — details in {log}" in notes
        assert app.is_running
        await pilot.press("j")  # keys still work
        assert log is not None and "RuntimeError: discovery is broken" in log.read_text()


async def test_a_failed_refresh_says_so_and_stops_saying_refreshing(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    class Broken:
        async def __aenter__(self) -> Any:
            raise KeyError("a bug")

        async def __aexit__(self, *args: object) -> None:
            return None

    app.session.refresher = Broken
    notes = notes_of(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await workers_done(app)
        await pilot.pause()
        assert any(n.startswith("Refresh failed") for n in notes), notes
        assert not app.screen.query_one(StatusBar).refreshing
