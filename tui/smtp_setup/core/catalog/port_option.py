"""One port a provider offers, and the sentence that explains it to a person."""

from __future__ import annotations

from dataclasses import dataclass

from smtp_setup.core.profiles.model import Security
from smtp_setup.i18n import N_, _

_IMPLICIT_465 = N_("Implicit TLS: encrypted from the first byte (RFC 8314 recommends it).")
_STARTTLS_587 = N_(
    "STARTTLS: the standard submission port; the connection is upgraded to TLS before login."
)
_NO_ENCRYPTION = N_(
    "No encryption: the password and message travel in clear text. "
    "Only for a trusted local relay."
)
# How each mode behaves, for ports whose number says nothing standard about it. Whole
# sentences per port and mode, so a translation never glues two English halves together.
_MODE = {
    Security.TLS: N_("Implicit TLS: encrypted from the first byte."),
    Security.STARTTLS: N_("STARTTLS: the connection is upgraded to TLS before login."),
    Security.NONE: _NO_ENCRYPTION,
}
_ALTERNATE_2525 = {
    Security.TLS: N_("An alternate port for networks that block 587 or 25. "
                     "Implicit TLS: encrypted from the first byte."),
    Security.STARTTLS: N_("An alternate port for networks that block 587 or 25. "
                          "STARTTLS: the connection is upgraded to TLS before login."),
    Security.NONE: N_("An alternate port for networks that block 587 or 25. "
                      "No encryption: the password and message travel in clear text. "
                      "Only for a trusted local relay."),
}
_RELAY_25 = {
    Security.TLS: N_("Port 25 is the server-to-server relay port; ISPs and cloud hosts often "
                     "block it. Implicit TLS: encrypted from the first byte."),
    Security.STARTTLS: N_("Port 25 is the server-to-server relay port; ISPs and cloud hosts "
                          "often block it. STARTTLS: the connection is upgraded to TLS before "
                          "login."),
    Security.NONE: N_("Port 25 is the server-to-server relay port; ISPs and cloud hosts often "
                      "block it. No encryption: the password and message travel in clear "
                      "text. Only for a trusted local relay."),
}


@dataclass(frozen=True)
class PortOption:
    """One port a provider offers, with the encryption it uses there."""

    port: int
    security: Security
    note: str = ""

    def explain(self) -> str:
        """One line a person can read: what this port and mode mean, then the note."""
        if self.port == 465 and self.security is Security.TLS:
            text = str(_IMPLICIT_465)
        elif self.port == 587 and self.security is Security.STARTTLS:
            text = str(_STARTTLS_587)
        elif self.security is Security.NONE and self.note:
            # a documented plain port says why it is safe
            return _("No encryption. {note}").format(note=self.note)
        elif self.port == 2525:
            text = str(_ALTERNATE_2525[self.security])
        elif self.port == 25:
            text = str(_RELAY_25[self.security])
        else:  # the mode comes from the data, never from the number
            text = str(_MODE[self.security])
        if not self.note:
            return text
        # TRANSLATORS: a port's explanation, then the provider's note about it (both whole
        # sentences); Japanese joins them without the space.
        return _("{explanation} {note}").format(explanation=text, note=self.note)
