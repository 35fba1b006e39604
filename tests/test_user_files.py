"""Files the user names: errors in words, for every way an OS call on them fails."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from tuireader.domain.errors import UsageError
from tuireader.domain.files import kind_of, os_reason
from tuireader.services.files import read_user_file, write_user_file


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), "no such file or folder"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), "it is a folder"),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory"), "is a file, not a folder"),
        (FileExistsError(errno.EEXIST, "File exists"), "exists and is not a folder"),
        (OSError(errno.ENOSPC, "No space left on device"), "no space left on device"),
    ],
)
def test_os_errors_in_words(exc: OSError, words: str) -> None:
    assert words in os_reason(exc)
    assert "Errno" not in os_reason(exc)


def test_kinds_of_path() -> None:
    assert kind_of(os.stat("/dev/null").st_mode) == "a character device"
    assert kind_of(stat.S_IFDIR | 0o755) == "a folder"
    assert kind_of(stat.S_IFIFO | 0o644) == "a FIFO (named pipe)"


def test_read_and_write_refuse_with_the_path_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "subs.opml"
    target.write_text("<opml/>")
    assert read_user_file(target) == b"<opml/>"

    def denied(*args: object, **kw: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    monkeypatch.setattr(Path, "write_text", denied)
    with pytest.raises(UsageError, match=f"cannot read {target}: permission denied"):
        read_user_file(target)
    with pytest.raises(UsageError, match=f"cannot write {target}: permission denied"):
        write_user_file(target, "x")
    monkeypatch.undo()
    with pytest.raises(UsageError, match="larger than"):
        read_user_file(target, max_bytes=3)
