"""What the wizard has gathered so far. Plain data; the steps read and fill it."""

from __future__ import annotations

from dataclasses import dataclass, field

from smtp_setup.core.profiles.broken import BrokenProfile
from smtp_setup.core.profiles.model import Profile, ProfileError, SecretRef

# Where the person chose to keep the password.
STORE_KEYRING = "keyring"
STORE_ENV = "env"
STORE_COMMAND = "command"
STORE_FILE = "inline"

# The step that asks for each config key: a broken profile opens where its bad value is.
FIELD_STEPS = {
    "provider": "provider", "host": "connection", "port": "connection",
    "security": "connection", "verify_certificates": "connection", "ca_file": "connection",
    "timeout": "connection", "username": "credentials", "auth": "credentials",
    "password": "credentials", "oauth": "credentials", "from_email": "sender",
    "from_name": "sender",
}


@dataclass
class Draft:
    """The profile being built, plus the choices that only matter until it is saved."""

    profile: Profile = field(default_factory=lambda: Profile(name=""))
    editing: str | None = None  # the saved profile's name when reconfiguring
    provider_id: str = ""
    password: str = ""  # typed in this session; never written except by the chosen store
    # OAuth: the refresh token this session holds (a sign-in, or what the server replaced
    # it with during a test), and whether it came from a sign-in rather than the saved one.
    refresh_token: str = ""
    signed_in: bool = False
    secret_store: str = STORE_KEYRING
    secret_target: str = ""  # env variable name or command, for those stores
    use_auth: bool = True
    test_ok: bool | None = None  # None: not run; False: failed; True: accepted
    suggested_name: str = ""  # e.g. the name a profile had in an imported file
    flagged: ProfileError | None = None  # the saved value a broken profile could not use
    # The last "Check which ports work": the host it checked and each (port, security)'s
    # status ("usable", "refused", "timeout", ...). Advice after a failed test heeds it.
    port_check_host: str = ""
    port_check: dict = field(default_factory=dict)

    @property
    def flagged_step(self) -> str | None:
        """The step that asks for the flagged value (None when nothing is flagged)."""
        if self.flagged is None:
            return None
        return FIELD_STEPS.get(self.flagged.field.split(".")[0], "provider")

    @property
    def kept_secret(self) -> SecretRef | None:
        """The saved profile's secret reference, kept when no new password is typed."""
        return self.profile.password if self.editing else None

    def keep_rotated(self, refresh_token: str) -> None:
        """The sign-in server replaced the refresh token: the old one is spent, so this
        one is what Save writes."""
        self.refresh_token = self.password = refresh_token

    def secret_ref(self) -> SecretRef | None:
        """The reference that will be written for the chosen store (None without AUTH)."""
        if not self.use_auth or not self.profile.username:
            return None
        name = self.profile.name or "draft"
        if self.secret_store == STORE_ENV:
            return SecretRef("env", self.secret_target)
        if self.secret_store == STORE_COMMAND:
            return SecretRef("command", self.secret_target)
        if self.secret_store == STORE_FILE:
            if not self.password and self.kept_secret and self.kept_secret.kind == "inline":
                return self.kept_secret
            return SecretRef("inline", self.password)
        return SecretRef.keyring_for(name)

    def to_profile(self) -> Profile:
        """The profile as it would be written now (secret by reference)."""
        profile = self.profile.copy()
        profile.provider = self.provider_id or "custom"
        if not self.use_auth:
            profile.username = None
        profile.password = self.secret_ref()
        return profile

    def name_to_suggest(self, taken) -> str:
        """The name the Save step offers: the saved or imported one, else the provider's
        id (for "Other SMTP server", the host: smtp-example-com), numbered past the names
        in `taken`."""
        if self.editing or self.suggested_name:
            return self.editing or self.suggested_name
        base, names = self._name_base(), set(taken)
        if base not in names:
            return base
        return next(f"{base}-{n}" for n in range(2, 1000) if f"{base}-{n}" not in names)

    def _name_base(self) -> str:
        """A name that says which account or server, valid under core's profile-name rule:
        the catalogue's id (gmail, sendgrid), for a server of one's own its host name."""
        import re

        from smtp_setup.core.profiles.validation import profile_name

        if self.provider_id and self.provider_id != "custom":
            return self.provider_id
        name = re.sub(r"[^A-Za-z0-9]+", "-", self.profile.host or "").strip("-")[:60].strip("-")
        return name if name and not profile_name(name) else "mail"

    def worth_trying(self, suggestion: dict | None) -> dict | None:
        """A diagnosis's suggested settings, unless the port check found that port refused
        or silent on this host: then a port the check found working with encryption, if
        any, else nothing (the diagnosis cannot know what the check saw)."""
        if not suggestion or "port" not in suggestion:
            return suggestion
        host = suggestion.get("host", self.profile.host)
        if host != self.port_check_host:
            return suggestion
        dead = {port for (port, _security), status in self.port_check.items()
                if status in ("refused", "timeout")}
        if suggestion["port"] not in dead:
            return suggestion
        current = (self.profile.port, self.profile.security)
        working = sorted(
            (choice for choice, status in self.port_check.items()
             if status == "usable" and choice[1].value != "none" and choice != current),
            key=lambda choice: (choice[1].value != "tls", choice[0]))
        if not working:
            return None
        port, security = working[0]
        return {"port": port, "security": security.value}

    def reset_to(self, other: Draft) -> None:
        """Replace every field in place (steps hold a reference to this object)."""
        self.__dict__.update(other.__dict__)


def draft_for_new() -> Draft:
    return Draft()


def draft_for_profile(profile: Profile) -> Draft:
    """A draft prefilled from a saved profile, for reconfiguring it."""
    draft = Draft(profile=profile.copy(), editing=profile.name, provider_id=profile.provider)
    draft.use_auth = bool(profile.username)
    ref = profile.password
    if ref is not None:
        draft.secret_store = ref.kind
        if ref.kind in (STORE_ENV, STORE_COMMAND):
            draft.secret_target = ref.value
    return draft


def draft_for_broken(broken: BrokenProfile) -> Draft | None:
    """A broken profile opened to be fixed: its bad value set aside and flagged. None when
    the table cannot be read even so (then only a text editor can fix it)."""
    profile = broken.salvage()
    if profile is None:
        return None
    draft = draft_for_profile(profile)
    draft.flagged = broken.error
    return draft


def apply_provider(draft: Draft, provider) -> None:
    """Reset the connection and login fields to a newly chosen provider's defaults."""
    profile = draft.profile
    draft.provider_id = provider.id
    profile.host = provider.default_host
    profile.port = provider.recommended.port
    profile.security = provider.recommended.security
    draft.use_auth = provider.needs_auth
    profile.auth, profile.oauth = "password", None  # the new provider's Login step decides
    if provider.username_locked:
        profile.username = provider.username_value
    elif not provider.needs_auth:
        profile.username = None
    elif draft.editing is None:
        profile.username = ""
    draft.test_ok = None


def draft_for_import(profile: Profile) -> Draft:
    """A new profile prefilled from an export file; its password, when it stayed behind on
    the other machine, is asked on the Login step."""
    draft = draft_for_profile(profile)
    draft.editing = None
    draft.suggested_name = profile.name
    if profile.password is None or profile.password.kind in (STORE_KEYRING, STORE_FILE):
        draft.profile.password = None
        draft.secret_store = STORE_KEYRING
    return draft


def apply_suggestion(draft: Draft, suggestion, address: str, catalog) -> None:
    """Fill provider, server, port, encryption, username and From from a discovery result."""
    provider_id = suggestion.provider_id if suggestion.provider_id in catalog else "custom"
    apply_provider(draft, catalog.get(provider_id))
    profile = draft.profile
    profile.host, profile.port, profile.security = (
        suggestion.host, suggestion.port, suggestion.security)
    if suggestion.username:
        profile.username = suggestion.username
    elif suggestion.username_kind == "email":
        profile.username = address
    elif suggestion.username_kind == "localpart":
        profile.username = address.rpartition("@")[0]
    profile.from_email = profile.from_email or address
