"""The words of each diagnosis: title, explanation, likely causes and next steps.

Kept apart from the logic in diagnosis.py so the text can be read and edited as a whole.
Placeholders in braces are filled from the failure: host, port, server, security, reply,
reason, sender, recipient, stage_label, limit, waited (seconds the failed stage waited).
Every text is N_() (a LazyText): diagnosis.py turns it into a str in the chosen language.
"""

from __future__ import annotations

from smtp_setup.i18n import N_, _

STAGE_LABELS = {
    "connect": N_("connecting"), "greeting": N_("the greeting"), "ehlo": N_("EHLO (introductions)"),
    "starttls": N_("STARTTLS (switching on encryption)"), "auth": N_("login"),
    "mail_from": N_("MAIL FROM (the sender)"), "rcpt_to": N_("RCPT TO (the recipient)"),
    "data": N_("DATA (the message)"), "quit": N_("QUIT"),
}

_PROBE = N_("Run `smtp-setup probe {host}` to see which ports answer and with what encryption.")
_CHECK_PORT = (N_("Check the port. Submission uses 587 (STARTTLS) or 465 (implicit TLS); 2525 is a "
               "common alternative."))



def probe_step(host: str) -> str:
    """The next step that sends the person to `smtp-setup probe` for `host`, worded as a
    diagnosis words it (the wizard shows its own port check in its place)."""
    return str(_PROBE).format(host=host)


# code -> (title, explanation, causes, next steps); {placeholders} filled from the context.
TEXT: dict[str, tuple[str, str, list[str], list[str]]] = {
    "dns_not_found": (N_("The server name could not be found"),
        N_("The name {host} could not be turned into an address ({reason})."),
        [N_("a typing mistake in the host name"), N_("the provider uses another name for its SMTP server"),
         N_("this computer is offline or its DNS is not working")],
        [N_("Check the spelling of {host} against the provider's instructions."),
         N_("Pick your provider from the list so the host is filled in for you."),
         N_("Check that this computer is online (open a web page).")]),
    "connection_refused": (N_("The server refused the connection"),
        N_("{host} is reachable, but nothing accepts connections on port {port}."),
        [N_("the wrong port for this server"), N_("a firewall rejects the connection"),
         N_("the mail service is not running")],
        [_CHECK_PORT, _PROBE]),
    "not_the_sandbox": (N_("Another server answers on {server}, not the smtp-setup sandbox"),
        N_("The profile is for the local sandbox, but the server on {server} greeted with "
        "{reply}. The test stopped there: nothing was sent to it."),
        [N_("another program (a mail server, another test server) already uses port {port}"),
         N_("the sandbox is not running, and something else listens on that port")],
        [N_("If you meant that server, choose \"Other SMTP server\" for this profile instead "
         "of the sandbox.")]),
    "network_unreachable": (N_("The server cannot be reached from this computer"),
        N_("Connecting to {server} failed before any server answered ({reason})."),
        [N_("this computer is offline"), N_("no route to that network (for example IPv6 only)"),
         N_("a VPN or firewall blocks it")],
        [N_("Check that this computer is online."), N_("Check the host name."), _PROBE]),
    "connection_timeout": (N_("No answer from the server"),
        N_("Nothing answered on {server} within the time limit: the connection was silently dropped."),
        [N_("a firewall or your internet provider blocks outgoing mail ports (25 often is)"),
         N_("the host or port is wrong"), N_("the server is down or overloaded")],
        [N_("Try port 587 or 465, or 2525 if your provider offers it."), _PROBE,
         N_("On a company, hotel or cloud network, ask whether outgoing mail ports are blocked.")]),
    "greeting_timeout": (N_("Connected, but the server never said hello"),
        N_("The connection to {server} opened, but no greeting came in {waited} s of waiting. An "
        "SMTP server speaks first, unless it waits for encryption from the first byte "
        "(implicit TLS)."),
        [N_("the port expects implicit TLS (usually 465) but the profile uses {security}"),
         N_("the server is overloaded"), N_("the port belongs to another service")],
        [N_("If this port uses implicit TLS, choose it as the encryption."), _PROBE]),
    "plain_on_tls_port": (N_("Port {port} expects encryption from the first byte"),
        N_("Port {port} speaks implicit TLS: the server waits for encryption before it says "
        "anything, while the profile ({security}) waits for the server's greeting. Both wait "
        "until the time limit."),
        [N_("the encryption setting does not match the port")],
        [N_("Choose implicit TLS for port {port}, or use port 587 with STARTTLS.")]),
    "tls_on_plain_port": (N_("Port {port} does not start with encryption"),
        N_("The profile started TLS right away (implicit TLS), but the server on {server} answered "
        "in plain text. This port expects STARTTLS: a plain greeting, then an upgrade."),
        [N_("the encryption setting does not match the port")],
        [N_("Choose STARTTLS for this port, or use port 465 with implicit TLS.")]),
    "starttls_not_offered": (N_("The server does not offer encryption (STARTTLS)"),
        N_("The profile requires STARTTLS, but {server} did not offer it, so the test stopped "
        "before anything secret was sent."),
        [N_("the port is meant for server-to-server mail or a plain relay"),
         N_("something on the network strips STARTTLS (some firewalls and antivirus products "
         "do; so would an attacker)"), N_("the server has no TLS configured")],
        [N_("Try port 465 with implicit TLS, or 587 with STARTTLS."),
         N_("Only for a relay you trust on your own network: choose 'No encryption' knowingly.")]),
    "certificate_expired": (N_("The server's certificate has expired"),
        N_("{host} presented a certificate outside its validity dates ({reason}). It can no "
        "longer prove who the server is."),
        [N_("the certificate was not renewed in time"), N_("this computer's clock is wrong")],
        [N_("Check the date and time on this computer."),
         N_("Tell the server's administrator or provider: the certificate must be renewed.")]),
    "certificate_untrusted": (N_("The server's certificate is not trusted"),
        N_("{host} presented a certificate from an authority this computer does not trust "
        "({reason})."),
        [N_("a self-signed certificate or a company's private certificate authority"),
         N_("a network device inspects encrypted traffic"), N_("an incomplete certificate chain")],
        [N_("If the server uses a private CA, save its CA certificate as a PEM file and give it "
         "as the Extra trusted CA file, under Advanced on the Connection step (ca_file in "
         "the config file)."),
         N_("Turning off certificate checks makes the test pass but lets anyone in between read "
         "the password: only do it for a test server you control.")]),
    "certificate_hostname_mismatch": (N_("The certificate is for a different name"),
        N_("The certificate at {server} is not valid for the name {host}."),
        [N_("the host name is an alias and the certificate names the provider's main host"),
         N_("you connected by IP address")],
        [N_("Use the exact SMTP host name from the provider's instructions.")]),
    "tls_handshake_failed": (N_("Encryption could not be set up"),
        N_("The TLS handshake with {server} failed ({reason})."),
        [N_("the server only offers TLS versions or ciphers this computer refuses"),
         N_("the server closed the connection during the handshake"),
         N_("a proxy or firewall interferes")],
        [N_("Try the other encryption mode: implicit TLS on 465 or STARTTLS on 587."),
         N_("Ask the provider which TLS versions it supports.")]),
    "server_unavailable": (N_("The server is not accepting mail right now"),
        N_("{server} answered {reply}. A 4xx reply is temporary: the server is busy, limiting "
        "this address, or in maintenance."),
        [N_("too many connections or messages from this address"), N_("maintenance or overload")],
        [N_("Wait a few minutes and test again."),
         N_("If it persists, check the provider's status page or contact its support.")]),
    "connection_rejected": (N_("The server refuses to talk to this computer"),
        N_("{server} answered {reply} during {stage_label}."),
        [N_("this internet address is on a block list"),
         N_("the server only accepts connections from certain networks")],
        [N_("Check the host: it may be a receiving (MX) server, not a submission server."),
         N_("Ask the provider whether your address is blocked.")]),
    "not_smtp": (N_("That port does not speak SMTP"),
        N_("{server} answered with something that is not SMTP ({reason})."),
        [N_("the port number belongs to another service")], [_CHECK_PORT, _PROBE]),
    "auth_not_offered": (N_("The server does not offer login"),
        N_("{server} offered no way to log in that smtp-setup can use."),
        [N_("the server relays by IP address and needs no login"),
         N_("login is only offered after encryption or on the submission ports"),
         N_("the account needs OAuth2 sign-in")],
        [N_("If this relay accepts mail without a password, remove the username."),
         N_("Use port 587 with STARTTLS or 465 with implicit TLS.")]),
    "auth_failed": (N_("The server rejected the username or password"),
        N_("{server} answered {reply} to the login."),
        [N_("a wrong username or password"),
         N_("the provider wants an app password, SMTP key or API key, not the account password"),
         N_("SMTP login is switched off for this account")],
        [N_("Check the username (most mailbox providers want the full email address)."),
         N_("Enter the password again: copy-paste can add a space or line break.")]),
    "encryption_required": (N_("The server only accepts mail over encryption"),
        N_("{server} answered {reply} during {stage_label}: it takes nothing over a plain "
        "connection, with or without a login."),
        [N_("the profile uses no encryption, and this server requires it")],
        [N_("Use STARTTLS on this port or on 587, or implicit TLS on 465.")]),
    "auth_requires_encryption": (N_("The server only accepts a login over encryption"),
        N_("{server} answered {reply}: it will not take a password over a plain connection."),
        [N_("the profile uses no encryption")],
        [N_("Use STARTTLS on 587 or implicit TLS on 465.")]),
    "sender_rejected": (N_("The server refused the sender address"),
        N_("At MAIL FROM the server answered {reply} for {sender}."),
        [N_("the account may only send as its own address or verified senders"),
         N_("the domain is not verified with the sending service"),
         N_("the server wants a login before accepting mail")],
        [N_("Use the address you log in with, or one verified with the provider.")]),
    "recipient_rejected": (N_("The server refused the recipient"),
        N_("At RCPT TO the server answered {reply} for {recipient}."),
        [N_("a typing mistake in the recipient address"),
         N_("the server does not relay to outside addresses without a login"),
         N_("a trial or sandbox account may only send to verified recipients")],
        [N_("Check the recipient address.")]),
    "message_rejected": (N_("The server refused the message"),
        N_("After receiving the message, the server answered {reply}."),
        [N_("the server's spam or policy filter"), N_("the From domain is not allowed for this "
         "account"), N_("a size or sending limit")],
        [N_("Check the From address and that its domain is verified with the provider."),
         N_("Check the account's sending limits.")]),
    "temporary_failure": (N_("The server asked to try again later"),
        N_("At {stage_label} the server answered {reply}. A reply that starts with 4 is "
        "temporary: nothing was refused for good."),
        [], [N_("Wait a few minutes and test again.")]),
    "reply_too_long": (N_("The server's reply was too long"),
        N_("During {stage_label}, {server} sent a reply line longer than SMTP allows, so it "
        "could not be read."),
        [N_("a misconfigured mail server"), N_("a proxy or filter in between that garbles the "
         "conversation")],
        [N_("Ask the server's administrator: an SMTP reply line may be at most 512 characters "
         "(RFC 5321)."), _CHECK_PORT, _PROBE]),
    "disconnected": (N_("The server closed the connection"),
        N_("{server} hung up during {stage_label} without an answer."),
        [N_("the server limits connections or blocked this address"),
         N_("a firewall cut the connection"), N_("the server restarted")],
        [N_("Test again in a minute."), _PROBE]),
    "timeout": (N_("The server stopped answering"),
        N_("{server} did not answer during {stage_label} within the time limit ({limit:g} s)."),
        [N_("the server or the network is very slow"), N_("a firewall silently drops the traffic")],
        [N_("Test again; if it keeps happening, raise the time limit or try another port.")]),
    "invalid_input": (N_("A setting cannot be used as entered"),
        N_("{reason}"), [], [N_("Correct the value and test again.")]),
    # -- OAuth (issue #6): {reason} is the sign-in server's answer in a few words ----------
    "oauth_smtp_disabled": (N_("Signed in, but SMTP sending is switched off for this mailbox"),
        N_("{server} accepted the sign-in but answered {reply}: authenticated SMTP (SMTP AUTH) "
        "is turned off for this mailbox or for the whole organisation."),
        [N_("SMTP AUTH is off for the organisation (the default for Microsoft 365 tenants "
         "created since 2020)"), N_("SMTP AUTH is off for this one mailbox"),
         N_("Entra security defaults are on")],
        [N_("Ask your Microsoft 365 administrator to turn on Authenticated SMTP for the mailbox "
         "(admin center > Users > Active users > Mail > Manage email apps), or to run: "
         "Set-CASMailbox -Identity <address> -SmtpClientAuthenticationDisabled $false"),
         N_("Then test again; there is no need to sign in again.")]),
    "oauth_wrong_user": (N_("The server refused the sign-in for this mailbox"),
        N_("{server} answered {reply}: the access token is not good for sending as this "
        "username."),
        [N_("you signed in with another account than the profile's username"),
         N_("the token lacks the permission to send mail (Microsoft: SMTP.Send; Gmail: "
         "https://mail.google.com/)"), N_("the mailbox has no Exchange Online licence")],
        [N_("Check that the username is the address of the account you signed in with."),
         N_("Sign in again, with the account of this mailbox.")]),
    "oauth_refresh_expired": (N_("Your sign-in has expired"),
        N_("The saved sign-in can no longer get access tokens ({reason})."),
        [N_("it went unused too long (Microsoft: 90 days; Google: 6 months)"),
         N_("your password changed, or you or an administrator ended your sessions or removed "
         "the app's access"), N_("a Google app still in Testing: Google ends its sign-ins after "
         "7 days")],
        [N_("If this happens every week with Google, publish your app (Google Auth Platform > "
         "Audience > Publish app)."), N_("Sign in again.")]),
    "oauth_unreachable": (N_("The sign-in server could not be reached"),
        N_("{reason}"),
        [N_("this computer is offline"), N_("a firewall or proxy blocks the sign-in server"),
         N_("the sign-in server has a problem")],
        [N_("Check that this computer is online (open a web page)."),
         N_("Try again in a minute; a saved sign-in stays valid.")]),
    "oauth_consent_required": (N_("Access to the mailbox was not granted"),
        N_("The sign-in ended without permission to send mail ({reason})."),
        [N_("your organisation lets only an administrator approve new apps"),
         N_("a Google app in Testing that does not list you as a test user, or Cancel pressed "
         "on the consent page"), N_("an administrator blocks this app or this kind of sign-in")],
        [N_("Microsoft: ask your administrator to grant admin consent to your app registration "
         "for SMTP.Send and offline_access."),
         N_("Google: add your address as a test user of the app, or publish it (Google Auth "
         "Platform > Audience)."), N_("Sign in again.")]),
    "oauth_device_flow_blocked": (N_("Your organisation blocks sign-in with a code"),
        N_("Microsoft refused the code sign-in (AADSTS53003): a Conditional Access policy "
        "blocks the device code flow, as Microsoft advises organisations to do."),
        [N_("a Conditional Access policy blocks device code sign-in")],
        [N_("If the browser sign-in is blocked as well, ask your administrator."),
         N_("Sign in again, with the browser sign-in (over SSH: forward its port with ssh -L).")]),
    "oauth_client_misconfigured": (N_("The app registration is not set up right"),
        N_("The sign-in server refused the app registration: {reason}."),
        [N_("Microsoft: 'Allow public client flows' is off (AADSTS7000218)"),
         N_("the redirect address is not registered (Microsoft: http://localhost under Mobile "
         "and desktop applications; Google: the client must be a Desktop app)"),
         N_("a wrong client ID, tenant or client secret")],
        [N_("Check the app registration against the README's guide to OAuth client IDs."),
         N_("Correct the client ID, tenant or client secret in the profile if needed."),
         N_("Sign in again.")]),
    "oauth_cancelled": (N_("The sign-in was cancelled"),
        N_("The sign-in was declined or stopped before it finished."),
        [N_("Cancel or Decline was pressed"), N_("the sign-in was stopped in smtp-setup")],
        [N_("Sign in again when you are ready.")]),
    "oauth_timeout": (N_("The sign-in took too long"),
        N_("{reason}"),
        [N_("the code was not entered in time (Microsoft: 15 minutes)"),
         N_("no answer came back from the browser (it runs on another computer, or it showed "
         "an error)")],
        [N_("If the browser showed redirect_uri_mismatch or AADSTS50011, add the redirect "
         "address to the app registration."), N_("Sign in again.")]),
}

# Failures that share a code but not its words: (title, explanation, causes, next steps).
VARIANTS: dict[str, tuple[str, str, list[str], list[str]]] = {
    "starttls_refused": (N_("The server could not switch on encryption"),
        N_("{server} offers STARTTLS, but answered {reply} when asked to start it: its "
        "encryption is switched off or broken. Nothing secret was sent."),
        [N_("the server's TLS is not set up (often a missing or unreadable certificate)"),
         N_("a temporary problem on the server")],
        [N_("Ask the server's administrator to fix its TLS setup; the mail server's log says "
         "why."), N_("Try the other port: implicit TLS on 465, or STARTTLS on 587."),
         N_("Test again later: a reply that starts with 4 can be temporary.")]),
    "tls_too_old": (N_("The server's encryption is too old"),
        N_("{server} only speaks TLS 1.0 or 1.1, which this computer no longer accepts as safe "
        "({reason})."),
        [N_("the mail server or its TLS library has not been updated for years")],
        [N_("Ask the server's administrator to enable TLS 1.2 or 1.3."),
         N_("Try the other port: implicit TLS on 465, or STARTTLS on 587; it may be newer.")]),
}

# A temporary refusal (temporary_failure): the likely cause, read from the reply, and what to
# do when waiting does not help, by stage.
TEMPORARY_CAUSES = [  # (words of the reply, what they point to); the first match wins
    (("greylist", "graylist"), N_("greylisting: the server delays a sender it has not seen "
     "before on purpose, and accepts the same message when it is tried again")),
    (("452 ", "4.2.2", "4.3.1", "full", "quota", "storage"),
     N_("the recipient's mailbox is full, or the server is short of storage")),
    (("rate", "limit", "too many"),
     N_("a sending limit: too many messages or connections in a short time")),
]
TEMPORARY_BUSY = (N_("the server is busy or short of a resource for a moment"))
TEMPORARY_LATER = {
    "mail_from": N_("If it keeps happening, check the account's sending limits with the provider."),
    "rcpt_to": N_("If it keeps happening, test with another recipient: this one may be over its "
               "quota or limited by the server."),
    "data": N_("If it keeps happening, check the account's sending limits and the message size."),
}


def suggestion_words(suggestion: dict) -> str:
    """A suggested change of settings as a button says it: "Try port 465 with implicit TLS"."""
    host, port = suggestion.get("host"), suggestion.get("port")
    security = None if suggestion.get("security") is None else str(suggestion["security"])
    if host is not None:
        return (_("Try the server {host}").format(host=host) if port is None and security is None
                else _("Try the suggested settings"))
    if security is None:
        return (_("Try port {port}").format(port=port) if port is not None
                else _("Try the suggested settings"))
    if port is None:
        words = {"tls": _("Try with implicit TLS"), "starttls": _("Try with STARTTLS"),
                 "none": _("Try without encryption")}
        return words.get(security) or _("Try with {security}").format(security=security)
    words = {"tls": _("Try port {port} with implicit TLS"),
             "starttls": _("Try port {port} with STARTTLS"),
             "none": _("Try port {port} without encryption")}
    return (words.get(security) or _("Try port {port} with {security}")).format(
        port=port, security=security)
