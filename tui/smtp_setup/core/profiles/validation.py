"""Plain validators: each takes the raw text a person typed and returns an error
sentence, or None when the value is fine. The UI adapts them to Textual validators."""

from __future__ import annotations

import ipaddress
import re

from smtp_setup.i18n import N_, _

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def host(value: str) -> str | None:
    """A DNS host name or an IP address (IPv6 without brackets)."""
    value = value.strip()
    if not value:
        return _("Enter the server's host name, e.g. smtp.example.com.")
    try:
        ipaddress.ip_address(value.strip("[]"))
        return None
    except ValueError:
        pass
    if any(c.isspace() for c in value) or "/" in value or ":" in value or "@" in value:
        return _("A host name has no spaces, slashes, colons or @ (the port goes in its own "
                 "field).")
    try:
        ascii_name = value.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return _("{value} is not a valid host name (check for empty parts like '..').").format(
            value=repr(value))
    if len(ascii_name) > 253:
        return _("That host name is longer than DNS allows (253 characters).")
    if not all(_LABEL.match(label) for label in ascii_name.split(".")):
        return _("{value} is not a valid host name: use letters, digits, dots and hyphens."
                 ).format(value=repr(value))
    return None


def port(value: str) -> str | None:
    value = value.strip()
    if not value.isdigit():
        return _("The port is a number, such as 465, 587 or 2525.")
    if not 1 <= int(value) <= 65535:
        return _("A port is a number from 1 to 65535.")
    return None


# The common case, checked without importing email-validator (~15 ms): an ASCII dot-atom
# local part and a plain host name whose last label ends in a letter. Everything it accepts,
# email-validator accepts too; anything else (international, quoted, "xn--") goes there.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(
    rf"^{_ATEXT}(?:\.{_ATEXT})*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z0-9][A-Za-z0-9-]{0,61})?[A-Za-z]$")


def email_address(value: str) -> str | None:
    """The one address rule for every entry point (wizard, --to, import, config, the send):
    the syntax is checked, with no DNS look-up. Internal and reserved domains (corp.local,
    x.lan, example.test, localhost, a one-label mailhub) are accepted; `address_note`
    explains them."""
    value = value.strip()
    if not value:
        return _("Enter an email address, e.g. alerts@example.com.")
    if any(c in value for c in "<>\"") or any(c.isspace() for c in value):
        return _("Enter just the address, without a name, quotes, spaces or angle brackets.")
    if "@" not in value:  # not "nothing before the @", as the checks below would read it
        return _("That is not a valid email address: {reason}").format(
            reason=_("An address needs an @ sign."))
    local, _at, domain = value.rpartition("@")
    stand_in = _stand_in(domain)
    checked = value if stand_in is None else f"{local}@{stand_in}"
    # Plain ASCII addresses are decided here, as email-validator decides them (a property
    # test holds the two together); only the rest pays for its import (40-60 ms).
    if (_PLAIN_ADDRESS.match(checked) and len(checked) <= 254 and len(local) <= 64
            and "--" not in checked.rpartition("@")[2]
            and (stand_in is None or host(domain) is None)):
        return None
    return _full_check(value, local, domain)


# email-validator's reasons (English only), by how they start, in our words; the characters
# it names after ": " are kept. A reason not listed here is shown as the library wrote it.
# i18n: the keys are email-validator's own English, to recognise its reasons
_REASONS = {
    "There must be something before the @-sign": N_(
        "There must be something before the @ sign."),
    "There must be something after the @-sign": N_("There must be something after the @ sign."),
    "An email address must have an @-sign": N_("An address needs an @ sign."),
    "An email address cannot have two periods in a row": N_(
        "An address cannot have two periods in a row."),
    "An email address cannot start with a period": N_(
        "An address cannot start with a period."),
    "An email address cannot end with a period": N_("An address cannot end with a period."),
    "An email address cannot have a period immediately before the @-sign": N_(
        "An address cannot have a period right before the @ sign."),
    "An email address cannot have a period and a hyphen next to each other": N_(
        "An address cannot have a period and a hyphen next to each other."),
    "An email address cannot have a hyphen immediately after the @-sign": N_(
        "The domain after the @ sign cannot start with a hyphen."),
    "The email address is too long": N_("The address is too long."),
    "The part after the @-sign is not valid. It should have a period": N_(
        "The domain after the @ sign needs a period (as in example.com)."),
    "The part after the @-sign is not valid IDNA": N_(
        "The domain after the @ sign is not a valid international domain name."),
    "The part after the @-sign contains invalid characters": N_(
        "The domain after the @ sign contains characters a domain cannot have: {characters}"),
    "The email address contains invalid characters before the @-sign": N_(
        "The part before the @ sign contains characters an address cannot have: {characters}"),
}


def _reason(said: str) -> str:
    """email-validator's reason in the words (and the language) of smtp-setup."""
    for start, ours in _REASONS.items():
        if said.startswith(start):
            characters = said.partition(": ")[2].rstrip(".") or said
            return str(ours).format(characters=characters)
    return said


def _full_check(value: str, local: str, domain: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    stand_in = _stand_in(domain)
    # email-validator refuses special-use names (.local, localhost) and one-label names
    # (mailhub) outright; they are real addresses inside a network. Check the syntax with a
    # ".test" name in their place (allowed under test_environment), then the real length.
    checked = value if stand_in is None else f"{local}@{stand_in}"
    try:
        validate_email(checked, check_deliverability=False, allow_smtputf8=True,
                       test_environment=True)
    except EmailNotValidError as exc:
        return _("That is not a valid email address: {reason}").format(reason=_reason(str(exc)))
    if stand_in is not None and (problem := host(domain)):
        return _("That is not a valid email address: {reason}").format(reason=problem)
    return None


def address_note(value: str) -> str | None:
    """A note (not an error) for an address whose domain is internal (only servers inside
    that network deliver it) or kept for examples (example.com, .example, .invalid: nothing
    delivers it). None for public domains and invalid text."""
    domain = value.strip().rpartition("@")[2].rstrip(".")
    if not domain or not is_reserved_domain(domain) or email_address(value):
        return None
    name = domain.casefold()
    if name.rpartition(".")[2] in _EXAMPLE_TLDS or any(
            name == d or name.endswith("." + d) for d in _RESERVED_DOMAINS):
        return _("{domain} is reserved for examples; no real server delivers to it.").format(
            domain=domain)
    return _("{domain} is an internal or reserved name: only mail servers inside that "
             "network deliver to it.").format(domain=domain)


def header_text(value: str) -> str | None:
    """Text that ends up in a header (e.g. the From name): one line only."""
    if "\r" in value or "\n" in value:
        return _("This must fit on one line.")
    if len(value) > 200:
        return _("Keep this under 200 characters.")
    return None


def username(value: str) -> str | None:
    if any(c in value for c in "\r\n\0"):
        return _("The username cannot contain line breaks.")
    if value != value.strip():
        return _("The username has spaces at the start or end; remove them.")
    return None


def profile_name(value: str) -> str | None:
    if not value:
        return _("Give the profile a name, e.g. work or alerts.")
    if not _PROFILE_NAME.match(value):
        return _(
            "Use letters, digits, dot, dash or underscore (start with a letter or digit, "
            "at most 64)."
        )
    return None


def env_name(value: str) -> str | None:
    if not value:
        return _("Enter the name of the environment variable, e.g. SMTP_PASSWORD.")
    if not _ENV_NAME.match(value):
        return _("An environment variable name uses letters, digits and _, and no leading digit.")
    return None


def secret_command(value: str) -> str | None:
    if not value.strip():
        return _("Enter the command that prints the password, e.g. pass show smtp/work.")
    if "\n" in value:
        return _("The command must fit on one line.")
    return None


def timeout(value: str) -> str | None:
    try:
        seconds = float(value)
    except ValueError:
        return _("The time limit is a number of seconds.")
    if not 1 <= seconds <= 300:
        return _("Choose a time limit between 1 and 300 seconds.")
    return None


# Names public DNS does not serve: IANA special-use names (RFC 6761 .test .invalid
# .localhost, RFC 6762 .local, .arpa incl. RFC 8375 home.arpa, RFC 7686 .onion), the
# documentation names (RFC 2606), ICANN's private .internal, and what networks use in
# practice (Active Directory's .corp and .lan, home routers' .home and .localdomain).
_RESERVED_TLDS = ("test", "example", "invalid", "localhost", "local", "arpa", "onion",
                  "internal", "lan", "home", "corp", "localdomain", "intranet", "private")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
# Names for documentation and examples (RFC 2606), never a network's own: no mail is
# delivered there at all.
_EXAMPLE_TLDS = ("example", "invalid")
# The names email-validator refuses; the address rule checks them with a stand-in.
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _stand_in(domain: str) -> str | None:
    """What email-validator checks in place of a special-use or one-label name (the same
    labels, ending in .test), or None when it can check `domain` itself."""
    last = domain.rpartition(".")[2]  # a trailing dot leaves "": email-validator refuses it
    if last.casefold() in _SPECIAL_USE:
        return domain[:len(domain) - len(last)] + "test"
    if "." not in domain and last[-1:].isalpha():  # a host of the network: root@mailhub
        return domain + ".test"
    return None


def is_reserved_domain(domain: str) -> bool:
    """Internal and reserved names (see _RESERVED_TLDS) and one-label names (ICANN allows
    none in public DNS): public DNS has nothing useful about them, so DNS checks skip them
    unless a nameserver is named, and an address there gets a note."""
    name = domain.strip().rstrip(".").casefold()
    return "." not in name or name.rpartition(".")[2] in _RESERVED_TLDS or any(
        name == d or name.endswith("." + d) for d in _RESERVED_DOMAINS)


class InvalidInput(ValueError):
    """A profile value or argument cannot be used; `message` is one sentence for a person."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message
