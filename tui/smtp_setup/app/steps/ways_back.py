"""Which way back a failed test send offers: to the Connection step, to the Login step, or
both. Only a way that can fix the failure: no "Back to login" after a refused connection,
nor when the profile does not log in and a login would not help."""

from __future__ import annotations

from smtp_setup.core.smtp.diagnosis_codes import OAUTH_CODES

# Failures that the login settings alone explain: the Connection step cannot fix them.
LOGIN_ONLY_CODES = frozenset({"auth_failed", *OAUTH_CODES})
# Failures where the login is one of the fixes (with login on): the server refused it, wants
# it encrypted, or offers none of the ways the profile logs in.
LOGIN_CODES = LOGIN_ONLY_CODES | {"auth_not_offered", "auth_requires_encryption"}
# Failures a missing login explains (with login off): a server that relays only for a login.
NO_LOGIN_CODES = frozenset({"sender_rejected", "recipient_rejected"})


def ways_back(code: str | None, use_auth: bool) -> tuple[bool, bool]:
    """(offer the Connection step, offer the Login step) after a failure with `code`
    (None: a failure without a diagnosis)."""
    if use_auth:
        login = code is None or code in LOGIN_CODES
    else:
        login = code in NO_LOGIN_CODES
    return code not in LOGIN_ONLY_CODES, login
