"""Diagnoses for OAuth profiles: a failed sign-in or refresh, and a refused XOAUTH2 login.

The words live in diagnosis_text like every other code's; this module picks the code and
fills in what the server said. Where signing in again is the fix (SIGN_IN_AGAIN_CODES, which a
UI reads to offer it as a button), the last step says so and names the command, in the
language of the run.
"""

from __future__ import annotations

import re
from typing import Any

from smtp_setup.core.oauth.http import OAuthError
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.smtp.diagnosis import Diagnosis
from smtp_setup.core.smtp.diagnosis_text import STAGE_LABELS, TEXT
from smtp_setup.i18n import N_, _

# i18n: how the last step of these codes starts in English (for tests)
SIGN_IN_AGAIN = "Sign in again"
# The last step of those codes with the way to do it: the same sentence as a whole, by the
# English of the step it replaces.
# i18n: the keys are the English of those steps (marked in diagnosis_text), to look them up
_SIGN_IN_WITH_COMMAND = {
    "Sign in again.": N_("Sign in again: run {command} and sign in on the Credentials step."),
    "Sign in again, with the account of this mailbox.": N_(
        "Sign in again, with the account of this mailbox: run {command} and sign in on the "
        "Credentials step."),
    "Sign in again, with the browser sign-in (over SSH: forward its port with ssh -L).": N_(
        "Sign in again, with the browser sign-in (over SSH: forward its port with ssh -L): "
        "run {command} and sign in on the Credentials step."),
    "Sign in again when you are ready.": N_(
        "Sign in again when you are ready: run {command} and sign in on the Credentials "
        "step."),
}
# Codes whose fix is a new sign-in (their last step starts with SIGN_IN_AGAIN).
SIGN_IN_AGAIN_CODES = frozenset({
    "oauth_wrong_user", "oauth_refresh_expired", "oauth_consent_required",
    "oauth_device_flow_blocked", "oauth_client_misconfigured", "oauth_cancelled",
    "oauth_timeout",
})
_ENHANCED = re.compile(r"\s*([245]\.\d{1,3}\.\d{1,3})\b")


def oauth_diagnosis(exc: OAuthError, profile: Profile) -> Diagnosis:
    """The diagnosis for a failed sign-in or token refresh of `profile`."""
    # Full sentences for the codes whose explanation is the failure itself.
    reason = str(exc) if exc.code in ("oauth_timeout", "oauth_unreachable") else exc.reason
    diagnosis = _make(exc.code, profile, reason=reason)
    if exc.detail and not exc.detail.startswith(exc.reason):
        # AADSTS text and trace IDs help an administrator; they never hold a token
        diagnosis.explanation = _("{explanation} The server said: {detail}").format(
            explanation=diagnosis.explanation, detail=exc.detail)
    if 7000218 in exc.aadsts or 50011 in exc.aadsts or exc.error == "redirect_uri_mismatch":
        diagnosis.next_steps.insert(0, _("The app registration must be fixed: {reason}.").format(
            reason=exc.reason))
    return diagnosis


def oauth_auth_diagnosis(code: int, message: str, profile: Profile, *,
                         challenge: dict[str, Any] | None = None) -> Diagnosis | None:
    """The diagnosis for an SMTP server refusing AUTH XOAUTH2 with `code message`, or None
    when the reply says nothing OAuth-specific (diagnosis.diagnose then applies).

    `challenge`: Gmail's decoded 334 JSON ({"status", "schemes", "scope"}), when there was
    one. 5.7.139 means SMTP AUTH is off (no new sign-in helps); 5.7.3, 5.7.8 or a Gmail
    challenge mean the token is not good for this mailbox."""
    reply = " ".join(f"{code} {message}".split())
    match = _ENHANCED.match(message)
    enhanced = match.group(1) if match else ""
    if enhanced == "5.7.139":
        return _make("oauth_smtp_disabled", profile, reply=reply)
    if enhanced in ("5.7.3", "5.7.8") or challenge is not None or code == 535:
        diagnosis = _make("oauth_wrong_user", profile, reply=reply)
        scope = (challenge or {}).get("scope")
        if scope:
            diagnosis.next_steps.insert(0, _("The server wants a token with the scope {scope}; "
                                             "sign in again to get one.").format(scope=scope))
        return diagnosis
    return None


def _make(code: str, profile: Profile, *, reason: str = "", reply: str = "") -> Diagnosis:
    ctx = {"host": profile.host, "port": profile.port, "server": profile.server,
           "security": profile.security.label, "stage_label": str(STAGE_LABELS["auth"]),
           "limit": float(profile.timeout), "sender": profile.from_email,
           "recipient": profile.from_email, "reason": reason, "reply": reply}
    title, explanation, causes, steps = TEXT[code]
    next_steps = [s.format(**ctx) for s in steps]
    with_command = _SIGN_IN_WITH_COMMAND.get(steps[-1].message)
    if code in SIGN_IN_AGAIN_CODES and with_command is not None:
        # Name the way to do it; the words after the first comma stay (e.g. "with the browser")
        next_steps[-1] = with_command.format(command=next_command("edit", profile.name))
    return Diagnosis(code=code, title=title.format(**ctx),
                     explanation=explanation.format(**ctx),
                     causes=[c.format(**ctx) for c in causes], next_steps=next_steps)
