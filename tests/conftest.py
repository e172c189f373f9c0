"""Shared fixtures. Every test gets its own config path and a private keyring."""

from __future__ import annotations

import pytest
from dns_server import *  # noqa: F401,F403
from fake_oauth_server import *  # noqa: F401,F403
from smtp_fixtures import *  # noqa: F401,F403
from support.fixtures import *  # noqa: F401,F403


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    """Never read or write the developer's real config or keyring."""
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("SMTP_SETUP_CONFIG", str(config))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    yield config


@pytest.fixture(autouse=True)
def _english_unless_chosen(monkeypatch):
    """Tests read English whatever the developer's LANG; a test that wants Japanese sets
    SMTP_SETUP_LANG or calls set_language itself, and the next test starts fresh."""
    from smtp_setup import i18n

    monkeypatch.setenv("SMTP_SETUP_LANG", "en")
    i18n.set_language(None)
    yield
    i18n.set_language(None)
