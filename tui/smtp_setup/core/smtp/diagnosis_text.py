"""The words of each diagnosis: title, explanation, likely causes and next steps.

Kept apart from the logic in diagnosis.py so the text can be read and edited as a whole.
Placeholders in braces are filled from the failure: host, port, server, security, reply,
reason, sender, recipient, stage_label, limit, waited (seconds the failed stage waited),
names, offered.
"""

from __future__ import annotations

STAGE_LABELS = {
    "connect": "connecting", "greeting": "the greeting", "ehlo": "EHLO (introductions)",
    "starttls": "STARTTLS (switching on encryption)", "auth": "login",
    "mail_from": "MAIL FROM (the sender)", "rcpt_to": "RCPT TO (the recipient)",
    "data": "DATA (the message)", "quit": "QUIT",
}

_PROBE = "Run `smtp-setup probe {host}` to see which ports answer and with what encryption."
_PORTS = "Submission uses 587 (STARTTLS) or 465 (implicit TLS); 2525 is a common alternative."

# code -> (title, explanation, causes, next steps); {placeholders} filled from the context.
TEXT: dict[str, tuple[str, str, list[str], list[str]]] = {
    "dns_not_found": ("The server name could not be found",
        "The name {host} could not be turned into an address ({reason}).",
        ["a typing mistake in the host name", "the provider uses another name for its SMTP server",
         "this computer is offline or its DNS is not working"],
        ["Check the spelling of {host} against the provider's instructions.",
         "Pick your provider from the list so the host is filled in for you.",
         "Check that this computer is online (open a web page)."]),
    "connection_refused": ("The server refused the connection",
        "{host} is reachable, but nothing accepts connections on port {port}.",
        ["the wrong port for this server", "a firewall rejects the connection",
         "the mail service is not running"],
        ["Check the port. " + _PORTS, _PROBE]),
    "not_the_sandbox": ("Another server answers on {server}, not the smtp-setup sandbox",
        "The profile is for the local sandbox, but the server on {server} greeted with "
        "{reply}. The test stopped there: nothing was sent to it.",
        ["another program (a mail server, another test server) already uses port {port}",
         "the sandbox is not running, and something else listens on that port"],
        ["If you meant that server, choose \"Other SMTP server\" for this profile instead "
         "of the sandbox."]),
    "network_unreachable": ("The server cannot be reached from this computer",
        "Connecting to {server} failed before any server answered ({reason}).",
        ["this computer is offline", "no route to that network (for example IPv6 only)",
         "a VPN or firewall blocks it"],
        ["Check that this computer is online.", "Check the host name.", _PROBE]),
    "connection_timeout": ("No answer from the server",
        "Nothing answered on {server} within the time limit: the connection was silently dropped.",
        ["a firewall or your internet provider blocks outgoing mail ports (25 often is)",
         "the host or port is wrong", "the server is down or overloaded"],
        ["Try port 587 or 465, or 2525 if your provider offers it.", _PROBE,
         "On a company, hotel or cloud network, ask whether outgoing mail ports are blocked."]),
    "greeting_timeout": ("Connected, but the server never said hello",
        "The connection to {server} opened, but no greeting came in {waited} s of waiting. An "
        "SMTP server speaks first, unless it waits for encryption from the first byte "
        "(implicit TLS).",
        ["the port expects implicit TLS (usually 465) but the profile uses {security}",
         "the server is overloaded", "the port belongs to another service"],
        ["If this port uses implicit TLS, choose it as the encryption.", _PROBE]),
    "plain_on_tls_port": ("Port {port} expects encryption from the first byte",
        "Port {port} speaks implicit TLS: the server waits for encryption before it says "
        "anything, while the profile ({security}) waits for the server's greeting. Both wait "
        "until the time limit.",
        ["the encryption setting does not match the port"],
        ["Choose implicit TLS for port {port}, or use port 587 with STARTTLS."]),
    "tls_on_plain_port": ("Port {port} does not start with encryption",
        "The profile started TLS right away (implicit TLS), but the server on {server} answered "
        "in plain text. This port expects STARTTLS: a plain greeting, then an upgrade.",
        ["the encryption setting does not match the port"],
        ["Choose STARTTLS for this port, or use port 465 with implicit TLS."]),
    "starttls_not_offered": ("The server does not offer encryption (STARTTLS)",
        "The profile requires STARTTLS, but {server} did not offer it, so the test stopped "
        "before anything secret was sent.",
        ["the port is meant for server-to-server mail or a plain relay",
         "something on the network strips STARTTLS (some firewalls and antivirus products "
         "do; so would an attacker)", "the server has no TLS configured"],
        ["Try port 465 with implicit TLS, or 587 with STARTTLS.",
         "Only for a relay you trust on your own network: choose 'No encryption' knowingly."]),
    "certificate_expired": ("The server's certificate has expired",
        "{host} presented a certificate outside its validity dates ({reason}). It can no "
        "longer prove who the server is.",
        ["the certificate was not renewed in time", "this computer's clock is wrong"],
        ["Check the date and time on this computer.",
         "Tell the server's administrator or provider: the certificate must be renewed."]),
    "certificate_untrusted": ("The server's certificate is not trusted",
        "{host} presented a certificate from an authority this computer does not trust "
        "({reason}).",
        ["a self-signed certificate or a company's private certificate authority",
         "a network device inspects encrypted traffic", "an incomplete certificate chain"],
        ["If the server uses a private CA, save its CA certificate as a PEM file and give it "
         "as the Extra trusted CA file, under Advanced on the Connection step (ca_file in "
         "the config file).",
         "Turning off certificate checks makes the test pass but lets anyone in between read "
         "the password: only do it for a test server you control."]),
    "certificate_hostname_mismatch": ("The certificate is for a different name",
        "The certificate at {server} is not valid for the name {host}.{names}",
        ["the host name is an alias and the certificate names the provider's main host",
         "you connected by IP address"],
        ["Use the exact SMTP host name from the provider's instructions."]),
    "tls_handshake_failed": ("Encryption could not be set up",
        "The TLS handshake with {server} failed ({reason}).",
        ["the server only offers TLS versions or ciphers this computer refuses",
         "the server closed the connection during the handshake",
         "a proxy or firewall interferes"],
        ["Try the other encryption mode: implicit TLS on 465 or STARTTLS on 587.",
         "Ask the provider which TLS versions it supports."]),
    "server_unavailable": ("The server is not accepting mail right now",
        "{server} answered {reply}. A 4xx reply is temporary: the server is busy, limiting "
        "this address, or in maintenance.",
        ["too many connections or messages from this address", "maintenance or overload"],
        ["Wait a few minutes and test again.",
         "If it persists, check the provider's status page or contact its support."]),
    "connection_rejected": ("The server refuses to talk to this computer",
        "{server} answered {reply} during {stage_label}.",
        ["this internet address is on a block list",
         "the server only accepts connections from certain networks"],
        ["Check the host: it may be a receiving (MX) server, not a submission server.",
         "Ask the provider whether your address is blocked."]),
    "not_smtp": ("That port does not speak SMTP",
        "{server} answered with something that is not SMTP ({reason}).",
        ["the port number belongs to another service"], ["Check the port. " + _PORTS, _PROBE]),
    "auth_not_offered": ("The server does not offer login",
        "{server} offered no way to log in that smtp-setup can use.{offered}",
        ["the server relays by IP address and needs no login",
         "login is only offered after encryption or on the submission ports",
         "the account needs OAuth2 sign-in"],
        ["If this relay accepts mail without a password, remove the username.",
         "Use port 587 with STARTTLS or 465 with implicit TLS."]),
    "auth_failed": ("The server rejected the username or password",
        "{server} answered {reply} to the login.",
        ["a wrong username or password",
         "the provider wants an app password, SMTP key or API key, not the account password",
         "SMTP login is switched off for this account"],
        ["Check the username (most mailbox providers want the full email address).",
         "Enter the password again: copy-paste can add a space or line break."]),
    "encryption_required": ("The server only accepts mail over encryption",
        "{server} answered {reply} during {stage_label}: it takes nothing over a plain "
        "connection, with or without a login.",
        ["the profile uses no encryption, and this server requires it"],
        ["Use STARTTLS on this port or on 587, or implicit TLS on 465."]),
    "auth_requires_encryption": ("The server only accepts a login over encryption",
        "{server} answered {reply}: it will not take a password over a plain connection.",
        ["the profile uses no encryption"],
        ["Use STARTTLS on 587 or implicit TLS on 465."]),
    "sender_rejected": ("The server refused the sender address",
        "At MAIL FROM the server answered {reply} for {sender}.",
        ["the account may only send as its own address or verified senders",
         "the domain is not verified with the sending service",
         "the server wants a login before accepting mail"],
        ["Use the address you log in with, or one verified with the provider."]),
    "recipient_rejected": ("The server refused the recipient",
        "At RCPT TO the server answered {reply} for {recipient}.",
        ["a typing mistake in the recipient address",
         "the server does not relay to outside addresses without a login",
         "a trial or sandbox account may only send to verified recipients"],
        ["Check the recipient address."]),
    "message_rejected": ("The server refused the message",
        "After receiving the message, the server answered {reply}.",
        ["the server's spam or policy filter", "the From domain is not allowed for this "
         "account", "a size or sending limit"],
        ["Check the From address and that its domain is verified with the provider.",
         "Check the account's sending limits."]),
    "temporary_failure": ("The server asked to try again later",
        "At {stage_label} the server answered {reply}. A reply that starts with 4 is "
        "temporary: nothing was refused for good.",
        [], ["Wait a few minutes and test again."]),
    "reply_too_long": ("The server's reply was too long",
        "During {stage_label}, {server} sent a reply line longer than SMTP allows, so it "
        "could not be read.",
        ["a misconfigured mail server", "a proxy or filter in between that garbles the "
         "conversation"],
        ["Ask the server's administrator: an SMTP reply line may be at most 512 characters "
         "(RFC 5321).", "Check the port. " + _PORTS, _PROBE]),
    "disconnected": ("The server closed the connection",
        "{server} hung up during {stage_label} without an answer.",
        ["the server limits connections or blocked this address",
         "a firewall cut the connection", "the server restarted"],
        ["Test again in a minute.", _PROBE]),
    "timeout": ("The server stopped answering",
        "{server} did not answer during {stage_label} within the time limit ({limit:g} s).",
        ["the server or the network is very slow", "a firewall silently drops the traffic"],
        ["Test again; if it keeps happening, raise the time limit or try another port."]),
    "invalid_input": ("A setting cannot be used as entered",
        "{reason}", [], ["Correct the value and test again."]),
    # -- OAuth (issue #6): {reason} is the sign-in server's answer in a few words ----------
    "oauth_smtp_disabled": ("Signed in, but SMTP sending is switched off for this mailbox",
        "{server} accepted the sign-in but answered {reply}: authenticated SMTP (SMTP AUTH) "
        "is turned off for this mailbox or for the whole organisation.",
        ["SMTP AUTH is off for the organisation (the default for Microsoft 365 tenants "
         "created since 2020)", "SMTP AUTH is off for this one mailbox",
         "Entra security defaults are on"],
        ["Ask your Microsoft 365 administrator to turn on Authenticated SMTP for the mailbox "
         "(admin center > Users > Active users > Mail > Manage email apps), or to run: "
         "Set-CASMailbox -Identity <address> -SmtpClientAuthenticationDisabled $false",
         "Then test again; there is no need to sign in again."]),
    "oauth_wrong_user": ("The server refused the sign-in for this mailbox",
        "{server} answered {reply}: the access token is not good for sending as this "
        "username.",
        ["you signed in with another account than the profile's username",
         "the token lacks the permission to send mail (Microsoft: SMTP.Send; Gmail: "
         "https://mail.google.com/)", "the mailbox has no Exchange Online licence"],
        ["Check that the username is the address of the account you signed in with.",
         "Sign in again, with the account of this mailbox."]),
    "oauth_refresh_expired": ("Your sign-in has expired",
        "The saved sign-in can no longer get access tokens ({reason}).",
        ["it went unused too long (Microsoft: 90 days; Google: 6 months)",
         "your password changed, or you or an administrator ended your sessions or removed "
         "the app's access", "a Google app still in Testing: Google ends its sign-ins after "
         "7 days"],
        ["If this happens every week with Google, publish your app (Google Auth Platform > "
         "Audience > Publish app).", "Sign in again."]),
    "oauth_unreachable": ("The sign-in server could not be reached",
        "{reason}",
        ["this computer is offline", "a firewall or proxy blocks the sign-in server",
         "the sign-in server has a problem"],
        ["Check that this computer is online (open a web page).",
         "Try again in a minute; a saved sign-in stays valid."]),
    "oauth_consent_required": ("Access to the mailbox was not granted",
        "The sign-in ended without permission to send mail ({reason}).",
        ["your organisation lets only an administrator approve new apps",
         "a Google app in Testing that does not list you as a test user, or Cancel pressed "
         "on the consent page", "an administrator blocks this app or this kind of sign-in"],
        ["Microsoft: ask your administrator to grant admin consent to your app registration "
         "for SMTP.Send and offline_access.",
         "Google: add your address as a test user of the app, or publish it (Google Auth "
         "Platform > Audience).", "Sign in again."]),
    "oauth_device_flow_blocked": ("Your organisation blocks sign-in with a code",
        "Microsoft refused the code sign-in (AADSTS53003): a Conditional Access policy "
        "blocks the device code flow, as Microsoft advises organisations to do.",
        ["a Conditional Access policy blocks device code sign-in"],
        ["If the browser sign-in is blocked as well, ask your administrator.",
         "Sign in again, with the browser sign-in (over SSH: forward its port with ssh -L)."]),
    "oauth_client_misconfigured": ("The app registration is not set up right",
        "The sign-in server refused the app registration: {reason}.",
        ["Microsoft: 'Allow public client flows' is off (AADSTS7000218)",
         "the redirect address is not registered (Microsoft: http://localhost under Mobile "
         "and desktop applications; Google: the client must be a Desktop app)",
         "a wrong client ID, tenant or client secret"],
        ["Check the app registration against the README's guide to OAuth client IDs.",
         "Correct the client ID, tenant or client secret in the profile if needed.",
         "Sign in again."]),
    "oauth_cancelled": ("The sign-in was cancelled",
        "The sign-in was declined or stopped before it finished.",
        ["Cancel or Decline was pressed", "the sign-in was stopped in smtp-setup"],
        ["Sign in again when you are ready."]),
    "oauth_timeout": ("The sign-in took too long",
        "{reason}",
        ["the code was not entered in time (Microsoft: 15 minutes)",
         "no answer came back from the browser (it runs on another computer, or it showed "
         "an error)"],
        ["If the browser showed redirect_uri_mismatch or AADSTS50011, add the redirect "
         "address to the app registration.", "Sign in again."]),
}

# Failures that share a code but not its words: (title, explanation, causes, next steps).
VARIANTS: dict[str, tuple[str, str, list[str], list[str]]] = {
    "starttls_refused": ("The server could not switch on encryption",
        "{server} offers STARTTLS, but answered {reply} when asked to start it: its "
        "encryption is switched off or broken. Nothing secret was sent.",
        ["the server's TLS is not set up (often a missing or unreadable certificate)",
         "a temporary problem on the server"],
        ["Ask the server's administrator to fix its TLS setup; the mail server's log says "
         "why.", "Try the other port: implicit TLS on 465, or STARTTLS on 587.",
         "Test again later: a reply that starts with 4 can be temporary."]),
    "tls_too_old": ("The server's encryption is too old",
        "{server} only speaks TLS 1.0 or 1.1, which this computer no longer accepts as safe "
        "({reason}).",
        ["the mail server or its TLS library has not been updated for years"],
        ["Ask the server's administrator to enable TLS 1.2 or 1.3.",
         "Try the other port: implicit TLS on 465, or STARTTLS on 587; it may be newer."]),
}

# A temporary refusal (temporary_failure): the likely cause, read from the reply, and what to
# do when waiting does not help, by stage.
TEMPORARY_CAUSES = [  # (words of the reply, what they point to); the first match wins
    (("greylist", "graylist"), "greylisting: the server delays a sender it has not seen "
     "before on purpose, and accepts the same message when it is tried again"),
    (("452 ", "4.2.2", "4.3.1", "full", "quota", "storage"),
     "the recipient's mailbox is full, or the server is short of storage"),
    (("rate", "limit", "too many"),
     "a sending limit: too many messages or connections in a short time"),
]
TEMPORARY_BUSY = "the server is busy or short of a resource for a moment"
TEMPORARY_LATER = {
    "mail_from": "If it keeps happening, check the account's sending limits with the provider.",
    "rcpt_to": "If it keeps happening, test with another recipient: this one may be over its "
               "quota or limited by the server.",
    "data": "If it keeps happening, check the account's sending limits and the message size.",
}


def suggestion_words(suggestion: dict) -> str:
    """A suggested change of settings as a button says it: "Try port 465 with implicit TLS"."""
    from smtp_setup.core.profiles.model import Security

    words = {Security.TLS.value: "with implicit TLS", Security.STARTTLS.value: "with STARTTLS",
             Security.NONE.value: "without encryption"}
    parts = []
    if "host" in suggestion:
        parts.append(f"the server {suggestion['host']}")
    if "port" in suggestion:
        parts.append(f"port {suggestion['port']}")
    if "security" in suggestion:
        parts.append(words.get(str(suggestion["security"]), f"with {suggestion['security']}"))
    return "Try " + " ".join(parts) if parts else "Try the suggested settings"
