"""OAuth failures -> one diagnosis code each, with the fix in plain words (oauth.md §1.8, §2.6,
§6.6). The answers are the shapes Microsoft and Google send; the real round trips against the
fake server are in test_oauth_flows.py."""

from __future__ import annotations

import pytest
from smtp_setup.core.oauth.flows import OAuthError
from smtp_setup.core.oauth.http import error_from_answer
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.smtp.diagnosis import CODES, OAUTH_CODES
from smtp_setup.core.smtp.diagnosis_text import TEXT
from smtp_setup.core.smtp.oauth_diagnosis import (
    SIGN_IN_AGAIN,
    SIGN_IN_AGAIN_CODES,
    oauth_auth_diagnosis,
    oauth_diagnosis,
)


def profile() -> Profile:
    return Profile(name="mail", host="smtp-mail.outlook.com", port=587, provider="outlook",
                   username="me@outlook.example", from_email="me@outlook.example")


def ms(error: str, number: int, text: str = "Something.") -> dict:
    return {"error": error, "error_description": f"AADSTS{number}: {text} Trace ID: 12ab "
            "Correlation ID: 34cd Timestamp: 2026-11-30 10:00:00Z", "error_codes": [number]}


@pytest.mark.parametrize(("answer", "stage", "code"), [
    (ms("invalid_client", 7000218, "The request body must contain the following parameter: "
        "'client_assertion' or 'client_secret'."), "device", "oauth_client_misconfigured"),
    (ms("invalid_request", 50011, "The redirect URI does not match."), "code",
     "oauth_client_misconfigured"),
    (ms("unauthorized_client", 700016, "Application not found."), "device",
     "oauth_client_misconfigured"),
    ({"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, "code",
     "oauth_client_misconfigured"),
    ({"error": "invalid_client", "error_description": "The OAuth client was not found."},
     "refresh", "oauth_client_misconfigured"),
    ({"error": "deleted_client"}, "code", "oauth_client_misconfigured"),
    (ms("invalid_grant", 70008, "The refresh token has expired due to inactivity."),
     "refresh", "oauth_refresh_expired"),
    (ms("invalid_grant", 700082, "The refresh token has expired due to inactivity."),
     "refresh", "oauth_refresh_expired"),
    (ms("invalid_grant", 50173, "The provided grant has expired due to it being revoked."),
     "refresh", "oauth_refresh_expired"),
    (ms("interaction_required", 50076, "Multi-factor authentication is required."), "refresh",
     "oauth_refresh_expired"),
    ({"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
     "refresh", "oauth_refresh_expired"),
    (ms("invalid_grant", 65001, "The user or administrator has not consented."), "refresh",
     "oauth_consent_required"),
    (ms("invalid_grant", 90094, "Admin consent is required."), "code", "oauth_consent_required"),
    ({"error": "admin_policy_enforced"}, "code", "oauth_consent_required"),
    ({"error": "org_internal"}, "code", "oauth_consent_required"),
    ({"error": "access_denied"}, "code", "oauth_consent_required"),
    ({"error": "access_denied"}, "device", "oauth_cancelled"),  # RFC 8628: the person said no
    ({"error": "authorization_declined"}, "device", "oauth_cancelled"),
    ({"error": "access_denied", "error_description": "AADSTS65004: User declined to consent."},
     "code", "oauth_cancelled"),
    (ms("invalid_grant", 53003, "Access has been blocked by Conditional Access policies."),
     "device", "oauth_device_flow_blocked"),
    (ms("invalid_grant", 53003, "Access has been blocked by Conditional Access policies."),
     "code", "oauth_consent_required"),  # the browser flow blocked too: an admin matter
    (ms("expired_token", 70019, "Verification code expired."), "device", "oauth_timeout"),
    ({"error": "server_error"}, "refresh", "oauth_unreachable"),
    ({"error": "temporarily_unavailable"}, "code", "oauth_unreachable"),
])  # fmt: skip
def test_server_errors_map_to_one_code(answer, stage, code):
    exc = error_from_answer(answer, stage, "login.example")
    assert exc.code == code
    assert exc.error == answer["error"]
    diagnosis = oauth_diagnosis(exc, profile())
    assert diagnosis.code == code and diagnosis.title and diagnosis.explanation
    assert "{" not in diagnosis.explanation + "".join(diagnosis.next_steps)


def test_aadsts_numbers_come_from_the_list_or_the_text():
    listed = error_from_answer(ms("invalid_client", 7000218), "device", "h")
    assert listed.aadsts == (7000218,)
    text_only = error_from_answer({"error": "invalid_client", "error_description":
                                   "AADSTS7000218: The request body must contain..."},
                                  "device", "h")
    assert text_only.aadsts == (7000218,) and text_only.code == "oauth_client_misconfigured"


@pytest.mark.parametrize(("answer", "words"), [
    (ms("invalid_client", 7000218), "allow public client flows"),
    (ms("invalid_request", 50011), "http://localhost"),
    ({"error": "redirect_uri_mismatch"}, "Desktop app"),
    (ms("unauthorized_client", 700016), "check the client ID and the tenant"),
    (ms("invalid_grant", 501481), "PKCE verifier"),
])  # fmt: skip
def test_a_misregistration_names_the_setting(answer, words):
    exc = error_from_answer(answer, "code", "h")
    assert words in str(exc) and words in exc.reason
    diagnosis = oauth_diagnosis(exc, profile())
    assert words in diagnosis.explanation
    if answer["error"] != "unauthorized_client" and 501481 not in exc.aadsts:
        assert words in diagnosis.next_steps[0]


def test_every_oauth_code_has_words_and_sign_in_again_where_it_applies():
    assert set(OAUTH_CODES) <= set(CODES) and set(OAUTH_CODES) <= set(TEXT)
    assert SIGN_IN_AGAIN_CODES <= set(OAUTH_CODES)
    for code in OAUTH_CODES:
        diagnosis = oauth_diagnosis(OAuthError(code, error="e", detail="Some detail."),
                                    profile())
        assert diagnosis.code == code and diagnosis.next_steps and diagnosis.causes
        last = diagnosis.next_steps[-1]
        if code in SIGN_IN_AGAIN_CODES:
            assert last.startswith(SIGN_IN_AGAIN) and "smtp-setup edit mail" in last
        else:
            assert not any(s.startswith(SIGN_IN_AGAIN) for s in diagnosis.next_steps)
        assert set(diagnosis.to_json()) == {"code", "title", "explanation", "next_steps",
                                            "suggestion"}


def test_the_server_text_reaches_the_explanation_once():
    exc = error_from_answer(ms("invalid_client", 7000218, "The request body must contain "
                               "'client_secret'."), "device", "h")
    explanation = oauth_diagnosis(exc, profile()).explanation
    assert "public client flows" in explanation and "Trace ID: 12ab" in explanation
    expired = error_from_answer(ms("invalid_grant", 70008, "The refresh token has expired "
                                   "due to inactivity."), "refresh", "h")
    explanation = oauth_diagnosis(expired, profile()).explanation
    assert explanation.count("expired due to inactivity") == 1


def test_unreachable_and_timeout_explain_themselves():
    exc = OAuthError("oauth_unreachable", error="unreachable", detail="Connection refused",
                     host="login.example")
    assert str(exc) == ("The sign-in server login.example could not be reached (Connection "
                        "refused); check that this computer is online, then try again.")
    assert oauth_diagnosis(exc, profile()).explanation == str(exc)


# -- AUTH XOAUTH2 refused by the SMTP server --------------------------------------------------
def test_smtp_auth_switched_off():
    diagnosis = oauth_auth_diagnosis(535, "5.7.139 Authentication unsuccessful, "
                                     "SmtpClientAuthentication is disabled for the Mailbox",
                                     profile())
    assert diagnosis.code == "oauth_smtp_disabled"
    assert "smtp-mail.outlook.com:587" in diagnosis.explanation and "5.7.139" in diagnosis.explanation
    assert any("Set-CASMailbox" in step for step in diagnosis.next_steps)
    assert not any(step.startswith(SIGN_IN_AGAIN) for step in diagnosis.next_steps)


@pytest.mark.parametrize(("code", "message", "challenge"), [
    (535, "5.7.3 Authentication unsuccessful [FAKE01.prod.example.test]", None),
    (535, "5.7.8 Username and Password not accepted.", None),
    (535, "5.7.8 Username and Password not accepted.",
     {"status": "400", "schemes": "Bearer", "scope": "https://mail.google.com/"}),
])  # fmt: skip
def test_token_refused_for_this_mailbox(code, message, challenge):
    diagnosis = oauth_auth_diagnosis(code, message, profile(), challenge=challenge)
    assert diagnosis.code == "oauth_wrong_user"
    assert diagnosis.next_steps[-1].startswith(SIGN_IN_AGAIN)
    if challenge:
        assert "https://mail.google.com/" in diagnosis.next_steps[0]


def test_a_reply_with_nothing_oauth_in_it_is_left_to_diagnose():
    assert oauth_auth_diagnosis(454, "4.7.0 Temporary authentication failure", profile()) is None
