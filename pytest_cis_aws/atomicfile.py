"""Write a report whole or not at all, without following anything planted beside it.

The text goes to a temporary file that `tempfile.mkstemp` creates exclusively (O_CREAT|O_EXCL,
O_NOFOLLOW, a random name) in the target's own directory, so the final `os.replace` is a rename
within one filesystem: a reader sees the old file or the new one, never half of either, and a
symlink planted at any name the writer could have guessed is neither followed nor overwritten.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _mode_for(target: Path) -> int:
    """The permissions a plain open() would have given a new file (mkstemp's are 0600), or the
    ones the file being replaced has."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
