"""The child process first_frame.py times: start one app, note when its first frame is shown.

    python frame_probe.py hello|wizard RESULT_FILE [--headless]

BENCH_T0 in the environment is the parent's `time.perf_counter()` taken just before it
started this process (CLOCK_MONOTONIC on Linux, shared by all processes), so every mark
below counts from process start: interpreter start-up, imports, building the app,
composing, layout and the first compositor update.

"First frame" is Textual's `Ready` event: the screen posts it right after its first
layout refresh has handed the full frame to the driver (in a terminal the writer thread
then puts it on screen; in headless mode nothing is written). The handler records the
time and exits the app. Both apps get the same handler, through a subclass made here,
so nothing in the package is changed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

T0 = float(os.environ["BENCH_T0"])


def since_start() -> float:
    return (time.perf_counter() - T0) * 1000


def hello_app():
    """The baseline: Textual's hello world with a header and a footer."""
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class HelloApp(App):
        def compose(self):
            yield Header()
            yield Static("Hello, world!")
            yield Footer()

    return HelloApp


def main() -> None:
    kind, result_file = sys.argv[1], Path(sys.argv[2])
    headless = "--headless" in sys.argv[3:]
    marks: dict[str, float] = {}
    if kind == "hello":
        app_class = hello_app()
        marks["imported"] = since_start()
        app = app_class()
    elif kind == "wizard":
        # build_wizard imports these itself; importing them first only moves their cost
        # into the "imported" mark, so the phases compare like with like.
        import smtp_setup.app.services  # noqa: F401
        import smtp_setup.app.wizard_app  # noqa: F401
        from smtp_setup.app import build_wizard

        marks["imported"] = since_start()
        app = build_wizard(config_path=Path(os.environ["SMTP_SETUP_CONFIG"]))
    else:
        raise SystemExit(f"unknown app {kind!r}: use hello or wizard")
    marks["built"] = since_start()

    def on_ready(self, event) -> None:
        marks["frame"] = since_start()
        marks["widgets"] = len(list(self.screen.walk_children(with_self=False)))
        self.exit()

    # A subclass of the app's own class, so Textual dispatches Ready to on_ready too.
    base = type(app)
    app.__class__ = type(f"{base.__name__}Probe", (base,), {"on_ready": on_ready})
    app.run(headless=headless, size=(80, 24) if headless else None)
    marks["exited"] = since_start()
    result_file.write_text(json.dumps(marks), encoding="utf-8")


if __name__ == "__main__":
    main()
