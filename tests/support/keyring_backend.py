"""A keyring backend for tests: a JSON file named by $SMTP_SETUP_TEST_KEYRING.

A file (not memory) so that `smtp-setup` subprocesses started by a test see the same
secrets. Select it with PYTHON_KEYRING_BACKEND=support.keyring_backend.FileKeyring and
`tests/` on PYTHONPATH, or in-process with keyring.set_keyring(FileKeyring()).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV_VAR = "SMTP_SETUP_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    """{service: {username: password}} in one JSON file."""

    @properties.classproperty
    def priority(cls) -> float:
        # Refuse to be viable without the variable, so keyring never picks this
        # backend on its own outside a test.
        if not os.environ.get(ENV_VAR):
            raise RuntimeError(f"{ENV_VAR} is not set")
        return 1

    @property
    def file(self) -> Path:
        return Path(os.environ[ENV_VAR])

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.file)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        try:
            del data[service][username]
        except KeyError:
            raise PasswordDeleteError(f"no {username!r} in {service!r}") from None
        self._save(data)
