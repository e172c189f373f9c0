"""A lock shared by every smtp-setup process, in a file beside the config (config.toml.lock).

Held while a refresh token is renewed and the new one stored: msmtp may start two
`smtp-setup token` at once, and a server that rotates strictly accepts each refresh token
only once, so the second of two overlapping renewals would lose the sign-in. The lock is
taken by non-blocking attempts a short sleep apart, so waiting for it can be cancelled; the
operating system drops it when the holder exits, so a crashed process never leaves it held.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from smtp_setup.i18n import _

POLL = 0.05  # seconds between attempts


class LockTimeout(Exception):
    """Another process held the lock for longer than the caller would wait."""


def lock_path(config_path: Path) -> Path:
    """The lock file for a config file: `config.toml` -> `config.toml.lock`."""
    return config_path.with_name(config_path.name + ".lock")


@asynccontextmanager
async def config_lock(config_path: Path, *, timeout: float) -> AsyncIterator[None]:
    """Hold the lock beside `config_path` for the body of the `async with`.

    Raises LockTimeout when another process keeps it longer than `timeout` seconds. Where
    the lock file cannot be created (a read-only folder) the body runs unlocked: nothing
    could be stored there either, and the caller says so when it tries.
    """
    path = lock_path(config_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockTimeout(_("another smtp-setup held {path} for {seconds} seconds")
                                  .format(path=path, seconds=f"{timeout:g}"))
            await asyncio.sleep(POLL)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks bytes from the current position
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
