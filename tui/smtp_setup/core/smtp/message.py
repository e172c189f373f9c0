"""The test message and its envelope addresses, built from a profile."""

from __future__ import annotations

import email.utils
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage

from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.validation import InvalidInput

SUBJECT = "smtp-setup test message"


def build_test_message(profile: Profile, to: str) -> EmailMessage:
    """The test message: a short plain-text note naming the profile and server.

    Raises InvalidInput when a header value would carry a line break (header injection).
    """
    for name, value in (("from_name", profile.from_name), ("from_email", profile.from_email),
                        ("to", to)):
        if "\r" in value or "\n" in value:
            raise InvalidInput(name, f"The {name.replace('_', ' ')} cannot contain line breaks.")
    now = datetime.now().astimezone()
    domain = profile.from_email.rpartition("@")[2] or "smtp-setup.invalid"
    msg = EmailMessage()
    msg["Subject"] = SUBJECT
    if profile.from_name:
        msg["From"] = Address(display_name=profile.from_name, addr_spec=profile.from_email)
    else:
        msg["From"] = profile.from_email
    msg["To"] = to
    msg["Date"] = email.utils.format_datetime(now)
    # An explicit domain: without one, make_msgid() calls the blocking socket.getfqdn().
    msg["Message-ID"] = email.utils.make_msgid("smtp-setup", domain=ascii_domain(domain))
    msg.set_content(
        "This is a test message sent by smtp-setup.\n\n"
        f"Profile:    {profile.name}\n"
        f"Server:     {profile.server} ({profile.security.label})\n"
        f"Sent:       {email.utils.format_datetime(now)}\n\n"
        "If you are reading this, the profile can send mail.\n"
    )
    return msg


def envelope_address(value: str, field_name: str) -> str:
    """The address for MAIL FROM / RCPT TO, with an international domain in IDNA form.

    Checked by the one address rule (validation.email_address: internal and reserved
    domains such as corp.local are fine); raises InvalidInput with its sentence otherwise.
    """
    label = "From address" if field_name == "from_email" else "recipient"
    value = value.strip()
    if not value:
        raise InvalidInput(field_name, f"The {label} is empty; enter an email address.")
    if problem := validation.email_address(value):
        raise InvalidInput(field_name, f"The {label} {value!r}: {problem}")
    local, _, domain = value.rpartition("@")
    try:
        return f"{local}@{ascii_domain(domain, strict=True)}"
    except UnicodeError:
        raise InvalidInput(field_name, f"The domain of the {label} {value!r} is not valid."
                           ) from None


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
