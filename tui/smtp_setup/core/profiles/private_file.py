"""Files only their owner may read, replaced atomically: the config file and exports.

A reader (or a crash) sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private_file(path: Path, data: bytes, *, make_folder: bool = True) -> None:
    """Write `data` to `path` with mode 0600: temp file in the same folder, fsync, rename.

    A symlinked path stays a symlink (its target is replaced). With `make_folder` a
    missing folder is created (0700); without it, a missing folder raises
    FileNotFoundError, so a mistyped path is not silently created.
    """
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    import tempfile  # only when writing: commands that just read stay lighter

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)  # before any byte is written
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
