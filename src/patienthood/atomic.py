"""Writing a file so that it is either whole or absent: temporary file, then rename.

An interrupted command (Ctrl-C, a full disk, a crash) must never leave a half-written
file that looks whole: a truncated validation.json or compare.html would be read as
a result. The data goes to a hidden temporary file in the same folder (a rename is
atomic only within one file system), is flushed to disk, and then replaces the
target in one step; on any failure the temporary file is removed and the target is
left as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before the rename, or a crash can leave an empty file
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; outputs are meant to be read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
