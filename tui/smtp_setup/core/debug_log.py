"""`--debug`: each test send's transcript and timings written to the user log folder,
secrets redacted (the transcript is already redacted; the password is masked again here
in case it appears anywhere else)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from smtp_setup import __version__
from smtp_setup.core.smtp.transcript import redact


def write_send_log(result: Any, password: str | None) -> Path:
    """Write the log for one SendResult; returns its path. Raises OSError if it cannot."""
    import platformdirs

    folder = platformdirs.user_log_path("smtp-setup")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"test-{result.profile.replace('/', '_')}-{stamp}.log"
    lines = [
        f"smtp-setup {__version__} test of profile {result.profile!r} at {stamp}",
        f"server {result.server}, security {result.security}, ok {result.ok}",
        "",
        "stages:",
        *(f"  {e.name:<10} {e.status:<5} {e.ms:8.1f} ms  {e.detail}" for e in result.stages),
        "",
        "transcript:",
        *result.transcript,
    ]
    if result.diagnosis is not None:
        lines += ["", f"diagnosis: {result.diagnosis.code}: {result.diagnosis.title}"]
    text = redact("\n".join(lines) + "\n", (password,) if password else ())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
