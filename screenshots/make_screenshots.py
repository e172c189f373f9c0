"""Regenerate the README screenshots from the real app: `python screenshots/make_screenshots.py`
(English, for README.md) and `python screenshots/make_screenshots.py ja` (Japanese, into
screenshots/ja/ for README.ja.md).

Drives the wizard with Textual's Pilot, exactly as a person would step through it, and
saves one SVG per step into this folder. The test steps send for real: one through the
built-in sandbox (success) and one to a closed port on 127.0.0.1 (the diagnosis)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the shared Pilot driver lives with the tests

from wizard_driver import EXAMPLE_CONFIG as SAVED  # noqa: E402
from wizard_driver import STEP_ORDER, go_to  # noqa: E402

SIZE = (100, 32)
LANGUAGE = sys.argv[1] if len(sys.argv) > 1 else "en"
OUT = HERE if LANGUAGE == "en" else HERE / LANGUAGE


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def shoot(config: Path, name: str, drive) -> None:
    from smtp_setup.app import build_wizard
    from textual.widgets import Input

    Input._toggle_cursor = lambda self: None  # a steady cursor in the pictures
    app = build_wizard(config_path=config)
    app.services.sandbox_port = 0
    async with app.run_test(size=SIZE) as pilot:
        await drive(app, pilot)
        await pilot.pause(0.2)
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"{OUT.relative_to(HERE.parent)}/{name}.svg")


async def send(app, pilot) -> None:
    await pilot.click("#send")
    for _ in range(100):
        await pilot.pause(0.1)
        if not app.step.sending and app.screen.query_one("#outcome").display:
            break


async def main() -> None:
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    os.environ["SMTP_SETUP_LANG"] = LANGUAGE
    OUT.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="smtp-setup-shots-"))
    config = folder / "config.toml"
    try:
        for number, step in enumerate(STEP_ORDER, 1):
            config.write_text(SAVED)

            async def drive(app, pilot, step=step):
                await go_to(app, pilot, step)

            await shoot(config, f"{number}-{step}", drive)

        async def sandbox_success(app, pilot):
            await go_to(app, pilot, "test", {"provider": "sandbox", "from_email": "me@example.com"})
            await send(app, pilot)
            app.step.scroll_end(animate=False)

        await shoot(config, "6b-test-sandbox-success", sandbox_success)

        async def diagnosis(app, pilot):
            values = {"provider": "custom",
                      "provider_filter": "その他" if LANGUAGE == "ja" else "other",
                      "host": "127.0.0.1", "username": "me@example.org",
                      "from_email": "me@example.org"}
            await go_to(app, pilot, "connection", values)
            app.screen.query_one("#host").value = values["host"]
            ports = app.screen.query_one("#port-list")
            ports.highlighted = len(ports.options) - 1  # custom port
            await pilot.pause()
            app.screen.query_one("#custom-port").value = str(closed_port())
            await pilot.pause()
            await pilot.press("ctrl+n")
            app.screen.query_one("#username").value = values["username"]
            app.screen.query_one("#password").value = "not-a-real-password"
            await pilot.pause()
            await pilot.press("ctrl+n")
            app.screen.query_one("#from-email").value = values["from_email"]
            await pilot.pause()
            await pilot.press("ctrl+n")
            await send(app, pilot)

        await shoot(config, "6c-test-diagnosis", diagnosis)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
