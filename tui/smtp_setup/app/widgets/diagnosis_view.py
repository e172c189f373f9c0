"""A failed test's diagnosis as the Test step shows it: the title, the explanation, then the
likely causes and the next steps as lists that keep their indent when they wrap."""

from __future__ import annotations

from smtp_setup.app.widgets.hanging_text import HangingText
from smtp_setup.i18n import _


def diagnosis_view(title: str, explanation: str, causes: list[str],
                   next_steps: list[str]) -> HangingText:
    view = HangingText().line(f"✗ {title}", "bold red").line(explanation)
    if causes:
        view.line().line(_("Likely causes:"), "bold").bullets(causes)
    if next_steps:
        view.line().line(_("What to do next:"), "bold").numbered(next_steps)
    return view.line()  # a blank line before the buttons, as after any outcome
