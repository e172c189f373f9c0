"""What the steps need from outside the UI, gathered once and handed to each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smtp_setup.core.profiles.config_store import Config, ConfigError, ConfigStore

if TYPE_CHECKING:
    from smtp_setup.core.catalog.loader import ProviderCatalog


@dataclass
class WizardServices:
    store: ConfigStore
    _catalog: ProviderCatalog | None = None
    config: Config | None = None
    config_error: ConfigError | None = None
    keyring: tuple[bool, str] = (False, "still checking")
    sandbox_port: int | None = None  # tests: 0 = any free port; else the profile's port
    debug: bool = False  # --debug: log each test send (redacted) and say where
    nameserver: str | None = None  # --nameserver: every DNS question goes there
    discovery_options: dict = field(default_factory=dict)  # tests: loopback ports for discovery
    extras: dict = field(default_factory=dict)
    saved_changes: list[str] = field(default_factory=list)  # rename, delete, default: done

    @property
    def catalog(self) -> ProviderCatalog:
        """Loaded on first use, so the first frame does not wait for it."""
        if self._catalog is None:
            from smtp_setup.core.catalog.loader import load_catalog

            self._catalog = load_catalog()
        return self._catalog

    def reload(self) -> None:
        try:
            self.config = self.store.load()
            self.config_error = None
        except ConfigError as exc:
            self.config = None
            self.config_error = exc

    @property
    def profile_names(self) -> list[str]:
        return sorted(self.config.names) if self.config else []  # broken ones too

    async def ensure_sandbox(self, preferred_port: int) -> tuple[int, bool]:
        """Run the local sandbox server on `preferred_port` when it is free, else on a port
        near it; returns the port it listens on and whether the preferred one was taken."""
        wanted = self.sandbox_port if self.sandbox_port is not None else preferred_port
        sandbox = self.extras.get("sandbox")
        if sandbox is not None and wanted not in (0, sandbox.port):
            await self.stop_sandbox()  # the profile's port changed since the last test
            sandbox = None
        if sandbox is None:
            from smtp_setup.core.smtp.sandbox import Sandbox

            sandbox = Sandbox()
            await sandbox.start_preferring(wanted)
            self.extras["sandbox"] = sandbox
        return sandbox.port, wanted not in (0, sandbox.port)

    def sandbox_messages(self) -> list:
        sandbox = self.extras.get("sandbox")
        return list(sandbox.messages) if sandbox else []

    async def stop_sandbox(self) -> None:
        sandbox = self.extras.pop("sandbox", None)
        if sandbox is not None:
            await sandbox.stop()
