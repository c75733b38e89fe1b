"""Exchange two folders in one step, so a reader (a static server, `serve`) asking for a file under either
name never finds it missing, not even for the instant between two renames.

Linux has `renameat2(..., RENAME_EXCHANGE)` for exactly this; it is reached through ctypes from the C library.
Where it is missing (macOS, an old kernel, a file system that refuses it) `exchange` says so by returning
False, and the caller falls back to two renames.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import sys
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2
# The kernel or the file system cannot exchange: fall back. Any other error is a real one and is raised.
UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


@functools.cache
def _renameat2():  # type: ignore[no-untyped-def]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        call = libc.renameat2  # glibc 2.28 and later
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


def exchange(first: Path, second: Path) -> bool:
    """Swap what the two existing paths name, atomically. False when this system cannot; nothing has moved then."""
    call = _renameat2()
    if call is None:
        return False
    if call(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))
