"""Plain validators: each takes the raw text a person typed and returns an error
sentence, or None when the value is fine. The UI adapts them to Textual validators."""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def host(value: str) -> str | None:
    """A DNS host name or an IP address (IPv6 without brackets)."""
    value = value.strip()
    if not value:
        return "Enter the server's host name, e.g. smtp.example.com."
    try:
        ipaddress.ip_address(value.strip("[]"))
        return None
    except ValueError:
        pass
    if any(c.isspace() for c in value) or "/" in value or ":" in value or "@" in value:
        return "A host name has no spaces, slashes, colons or @ (the port goes in its own field)."
    try:
        ascii_name = value.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return f"{value!r} is not a valid host name (check for empty parts like '..')."
    if len(ascii_name) > 253:
        return "That host name is longer than DNS allows (253 characters)."
    if not all(_LABEL.match(label) for label in ascii_name.split(".")):
        return (
            f"{value!r} is not a valid host name: use letters, digits, dots and hyphens."
        )
    return None


def port(value: str) -> str | None:
    value = value.strip()
    if not value.isdigit():
        return "The port is a number, such as 465, 587 or 2525."
    if not 1 <= int(value) <= 65535:
        return "A port is a number from 1 to 65535."
    return None


def email_address(value: str) -> str | None:
    """A syntactically valid address (no DNS look-up). Uses email-validator."""
    from email_validator import EmailNotValidError, validate_email

    value = value.strip()
    if not value:
        return "Enter an email address, e.g. alerts@example.com."
    if any(c in value for c in "\r\n<>\"") or " " in value:
        return "Enter just the address, without a name, quotes or angle brackets."
    try:
        # test_environment: accept reserved test domains (.test) used by sandboxes and labs.
        validate_email(
            value, check_deliverability=False, allow_smtputf8=True, test_environment=True
        )
    except EmailNotValidError as exc:
        return f"That is not a valid email address: {exc}"
    return None


def header_text(value: str) -> str | None:
    """Text that ends up in a header (e.g. the From name): one line only."""
    if "\r" in value or "\n" in value:
        return "This must fit on one line."
    if len(value) > 200:
        return "Keep this under 200 characters."
    return None


def username(value: str) -> str | None:
    if any(c in value for c in "\r\n\0"):
        return "The username cannot contain line breaks."
    if value != value.strip():
        return "The username has spaces at the start or end; remove them."
    return None


def profile_name(value: str) -> str | None:
    if not value:
        return "Give the profile a name, e.g. work or alerts."
    if not _PROFILE_NAME.match(value):
        return (
            "Use letters, digits, dot, dash or underscore (start with a letter or digit, "
            "at most 64)."
        )
    return None


def env_name(value: str) -> str | None:
    if not value:
        return "Enter the name of the environment variable, e.g. SMTP_PASSWORD."
    if not _ENV_NAME.match(value):
        return "An environment variable name uses letters, digits and _, and no leading digit."
    return None


def secret_command(value: str) -> str | None:
    if not value.strip():
        return "Enter the command that prints the password, e.g. pass show smtp/work."
    if "\n" in value:
        return "The command must fit on one line."
    return None


def timeout(value: str) -> str | None:
    try:
        seconds = float(value)
    except ValueError:
        return "The time limit is a number of seconds."
    if not 1 <= seconds <= 300:
        return "Choose a time limit between 1 and 300 seconds."
    return None


_RESERVED_TLDS = ("test", "example", "invalid", "localhost", "local")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


def is_reserved_domain(domain: str) -> bool:
    """Names reserved for tests and documentation (RFC 2606, RFC 6761, mDNS .local): public
    DNS has nothing useful about them, so DNS checks skip them unless a nameserver is named."""
    name = domain.strip().rstrip(".").casefold()
    return name.rpartition(".")[2] in _RESERVED_TLDS or any(
        name == d or name.endswith("." + d) for d in _RESERVED_DOMAINS)
