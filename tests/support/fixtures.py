"""Fixtures shared across test files: a private keyring that subprocesses can share."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from support.keyring_backend import ENV_VAR, FileKeyring

__all__ = ["TESTS_DIR", "null_keyring", "test_keyring"]

TESTS_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def test_keyring(tmp_path, monkeypatch):
    """A FileKeyring in tmp_path, active in this process and in child processes.

    Children inherit the environment variables set here; they also need tests/ on
    PYTHONPATH to import the backend.
    """
    previous = keyring.get_keyring()  # before the variables change which backend loads
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "support.keyring_backend.FileKeyring")
    backend = FileKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def null_keyring():
    """keyring's null backend in this process: every read gives None, writes vanish."""
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(previous)
