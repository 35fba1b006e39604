"""Where tuireader keeps its config, data, cache and log."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "tuireader"


@dataclass(frozen=True, slots=True)
class Paths:
    """The four directories, resolved once at start."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def log_file(self) -> Path:
        """The (rotated) log file: tracebacks of our own faults."""
        return self.log_dir / "tuireader.log"

    @property
    def config_file(self) -> Path:
        """The TOML config file."""
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        """The SQLite database."""
        return self.data_dir / "tuireader.db"


def resolve_paths(
    env: Mapping[str, str] | None = None, data_dir: str | None = None, config_dir: str | None = None
) -> Paths:
    """Paths from flags, then ``TUIREADER_*_DIR`` variables, then platformdirs."""
    env = os.environ if env is None else env

    def pick(flag: str | None, var: str, default: str) -> Path:
        return Path(flag or env.get(var) or default).expanduser()

    return Paths(
        config_dir=pick(config_dir, "TUIREADER_CONFIG_DIR", platformdirs.user_config_dir(APP)),
        data_dir=pick(data_dir, "TUIREADER_DATA_DIR", platformdirs.user_data_dir(APP)),
        cache_dir=pick(None, "TUIREADER_CACHE_DIR", platformdirs.user_cache_dir(APP)),
        log_dir=pick(None, "TUIREADER_LOG_DIR", platformdirs.user_log_dir(APP)),
    )


def check_dirs(paths: Paths) -> None:
    """Refuse, in one line naming the path and what to do, a directory tuireader cannot use:
    one that is a file, or that cannot be created. (A data dir that exists but cannot be
    written is left to the database, which opens read-only for reading.)

    Raises :class:`~tuireader.domain.errors.UsageError`.
    """
    from tuireader.domain.errors import UsageError

    wanted = (
        (paths.data_dir, "data dir", "choose another with --data-dir or TUIREADER_DATA_DIR"),
        (paths.cache_dir, "cache dir", "choose another with TUIREADER_CACHE_DIR"),
    )
    for path, what, remedy in wanted:
        if path.exists() and not path.is_dir():
            raise UsageError(f"{what} {path} is a file, not a folder; {remedy}")
        if not path.exists():
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(
                    f"cannot create {what} {path}: {exc.strerror or exc}; {remedy}"
                ) from None
    config = paths.config_dir
    if config.exists() and not config.is_dir():
        raise UsageError(
            f"config dir {config} is a file, not a folder; "
            "choose another with --config-dir or TUIREADER_CONFIG_DIR"
        )
    if paths.config_file.exists() and not paths.config_file.is_file():
        raise UsageError(f"config file {paths.config_file} is not a file; remove or rename it")
