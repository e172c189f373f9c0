"""The test message and its envelope addresses, built from a profile.

The message speaks the language of the run. It must still pass servers without SMTPUTF8 or
8BITMIME: a non-ASCII subject or From name becomes an RFC 2047 encoded word when the
message is written out (email.policy.SMTP), and a non-ASCII body is base64 from the start,
so the bytes on the wire stay ASCII whatever the server offers.
"""

from __future__ import annotations

import email.utils
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.i18n import N_, _

SUBJECT = N_("smtp-setup test message")
# A line break in a header value would let it add headers of its own (header injection).
_LINE_BREAK = {
    "from_name": N_("The From name cannot contain line breaks."),
    "from_email": N_("The From address cannot contain line breaks."),
    "to": N_("The recipient cannot contain line breaks."),
}


def build_test_message(profile: Profile, to: str) -> EmailMessage:
    """The test message: a short plain-text note naming the profile and server.

    Raises InvalidInput when a header value would carry a line break (header injection).
    """
    for name, value in (("from_name", profile.from_name), ("from_email", profile.from_email),
                        ("to", to)):
        if "\r" in value or "\n" in value:
            raise InvalidInput(name, str(_LINE_BREAK[name]))
    now = datetime.now().astimezone()
    domain = profile.from_email.rpartition("@")[2] or "smtp-setup.invalid"
    msg = EmailMessage()
    msg["Subject"] = str(SUBJECT)
    if profile.from_name:
        msg["From"] = Address(display_name=profile.from_name, addr_spec=profile.from_email)
    else:
        msg["From"] = profile.from_email
    msg["To"] = to
    msg["Date"] = email.utils.format_datetime(now)
    # An explicit domain: without one, make_msgid() calls the blocking socket.getfqdn().
    msg["Message-ID"] = email.utils.make_msgid("smtp-setup", domain=ascii_domain(domain))
    sent = email.utils.format_datetime(now)
    body = _("This is a test message sent by smtp-setup.\n"
             "\n"
             "Profile:    {profile}\n"
             "Server:     {server} ({security})\n"
             "Sent:       {sent}\n"
             "\n"
             "If you are reading this, the profile can send mail.\n").format(
        profile=profile.name, server=profile.server, security=profile.security.label,
        sent=sent)
    # 7-bit safe on any server: base64 for a body that is not ASCII (Japanese), else 7bit.
    msg.set_content(body, cte=None if body.isascii() else "base64")
    return msg


def envelope_address(value: str, field_name: str) -> str:
    """The address for MAIL FROM / RCPT TO, with an international domain in IDNA form.

    Checked by the one address rule (validation.email_address: internal and reserved
    domains such as corp.local are fine); raises InvalidInput with its sentence otherwise.
    """
    sender = field_name == "from_email"
    value = value.strip()
    if not value:
        raise InvalidInput(field_name, _("The From address is empty; enter an email address.")
                           if sender else
                           _("The recipient is empty; enter an email address."))
    if problem := validation.email_address(value):
        text = (_("The From address {address}: {problem}") if sender else
                _("The recipient {address}: {problem}"))
        raise InvalidInput(field_name, text.format(address=repr(value), problem=problem))
    local, _at, domain = value.rpartition("@")
    try:
        return f"{local}@{ascii_domain(domain, strict=True)}"
    except UnicodeError:
        text = (_("The domain of the From address {address} is not valid.") if sender else
                _("The domain of the recipient {address} is not valid."))
        raise InvalidInput(field_name, text.format(address=repr(value))) from None


def ascii_domain(domain: str, *, strict: bool = False) -> str:
    """`domain` in IDNA (xn--) form; with strict=False a bad one becomes a placeholder."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        if strict:
            raise
        return "smtp-setup.invalid"
