"""Words for the user about files: what kind a path is, and why an OS call on it failed."""

from __future__ import annotations

import errno
import stat

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What ``st_mode`` describes, as a phrase: "a folder", "a character device"…"""
    if stat.S_ISREG(mode):
        return "a file"
    for test, phrase in _KINDS:
        if test(mode):
            return phrase
    return "not a regular file"


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in lower-case words without the errno ("permission denied")."""
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    if exc.errno == errno.EISDIR:
        return "it is a folder"
    if exc.errno == errno.EEXIST:
        return "it exists and is not a folder"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]
