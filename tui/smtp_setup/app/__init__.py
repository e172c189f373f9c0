"""The Textual wizard. Import cost is paid only when the wizard opens."""

from __future__ import annotations

from pathlib import Path

from smtp_setup.app.wide_overlays import keep_wide_characters_whole
from smtp_setup.text_width import let_rich_break_wide_text

# Every screen and widget of the wizard wraps Japanese text between characters, not only at
# spaces, and a notification drawn over other widgets keeps every wide character (importing
# any app module imports this package first).
let_rich_break_wide_text()
keep_wide_characters_whole()


def build_wizard(config_path: Path | None = None, edit: str | None = None, debug: bool = False,
                 nameserver: str | None = None):
    """Create the wizard app with its services loaded (used by the CLI and the tests)."""
    from smtp_setup.app.services import WizardServices
    from smtp_setup.app.wizard_app import SetupWizard
    from smtp_setup.core.profiles.config_store import ConfigStore

    services = WizardServices(store=ConfigStore(config_path), debug=debug,
                              nameserver=nameserver)
    services.reload()
    return SetupWizard(services, edit=edit)


def run_wizard(config_path: Path | None = None, edit: str | None = None,
               debug: bool = False, nameserver: str | None = None) -> int:
    """Run the wizard in this terminal; returns the exit status (0 saved, 130 cancelled)."""
    import sys

    app = build_wizard(config_path, edit, debug, nameserver)
    app.run()
    if app.farewell:  # one line per line, whatever the terminal's width (copyable commands)
        print(app.farewell, file=sys.stderr)
    return app.return_code if app.return_code is not None else 0
