"""Step 3: server, port and encryption, each choice explained."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Collapsible, Input, OptionList, Static

from smtp_setup.app.steps.base import StepPane
from smtp_setup.app.widgets.field import Field
from smtp_setup.app.widgets.hanging_text import MarkedLines
from smtp_setup.app.widgets.port_choices import CA_FILE_FIX, CA_FILE_LABEL, PortChoices
from smtp_setup.app.widgets.select import Select
from smtp_setup.app.widgets.toggles import Checkbox
from smtp_setup.core.catalog.loader import PortOption
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import Security
from smtp_setup.i18n import N_, _, ngettext

PROBE_TIMEOUT = 6.0  # seconds per port; all ports are checked at the same time


class ConnectionStep(StepPane):
    step_id = "connection"
    title = N_("Server, port and encryption")
    why = N_(
        "The port and its encryption must match what the server expects. Implicit TLS (465) is "
        "encrypted from the first byte, as RFC 8314 recommends; STARTTLS (587) upgrades to TLS "
        "before you log in. F1 explains every choice."
    )

    def compose_body(self) -> ComposeResult:
        yield Static(_("Server"), classes="field-label", id="host-choice-label")
        yield Select([], id="host-choice", prompt=_("Choose the server"))
        yield Field(_("Server host name"), check=validation.host, input_id="host",
                    placeholder="smtp.example.com", id="host-field")
        yield Static("", id="host-fixed", markup=False)
        with Horizontal(id="port-heading"):
            yield Static(_("Port and encryption"), classes="field-label")
            yield Button(_("Check which ports work"), id="check-ports", compact=True)
        yield PortChoices(id="port-list")
        yield Static("", id="probe-summary", markup=False)
        with Horizontal(id="custom-port-row"):
            yield Field(_("Port"), check=validation.port, input_id="custom-port",
                        placeholder=_("e.g. 1025"), id="custom-port-field")
            yield Select([(str(s.label), s.value) for s in Security], id="custom-security", allow_blank=False,
                         value=Security.STARTTLS.value)
        yield Static("", id="plain-warning", classes="-warning", markup=False)
        yield Checkbox(_("I understand: the password is sent unencrypted"), id="plain-ok")
        with Collapsible(title=_("Advanced: certificates and time limit"), id="advanced"):
            yield Checkbox(_("Verify the server's certificate (strongly recommended)"),
                           value=True, id="verify")
            yield Field(_("{ca_file} (for a private or self-signed CA)").format(ca_file=CA_FILE_LABEL),
                        check=_ca_file_check, input_id="ca-file", optional=True,
                        placeholder="/etc/ssl/private-ca.pem", id="ca-field")
            yield Field(_("Time limit for a test send (seconds)"), check=validation.timeout,
                        input_id="timeout", id="timeout-field")

    @property
    def provider(self):
        return self.services.catalog.get(self.draft.provider_id or "custom")

    def _port_options(self) -> list[PortOption]:
        return list(self.provider.ports)

    def enter(self) -> None:
        provider, profile = self.provider, self.draft.profile
        hosts = provider.hosts
        host_choice = self.query_one("#host-choice", Select)
        multi = len(hosts) > 1 and not provider.host_editable
        host_choice.display = multi
        label = self.query_one("#host-choice-label", Static)
        label.display = multi
        label.update(provider.host_label or _("Server"))
        if multi:
            host_choice.set_options(
                [(f"{_('Default') if key == 'default' else key} — {host}", key)
                 for key, host in hosts.items()]
            )
            key = next((k for k, h in hosts.items() if h == profile.host), next(iter(hosts)))
            host_choice.value = key
        host_field = self.query_one("#host-field", Field)
        host_field.display = provider.host_editable
        host_field.value = profile.host
        fixed = self.query_one("#host-fixed", Static)
        fixed.display = not provider.host_editable and not multi
        fixed.update(_("Server: {host}  (set by {provider})").format(
            host=profile.host, provider=provider.name))

        plist = self.query_one("#port-list", PortChoices)
        if plist.choices != list(provider.ports):
            plist.results.clear()
            self.query_one("#probe-summary").display = False
        plist.load(self._port_options(), provider.recommended)
        if not plist.choose(profile.port, profile.security):
            self.query_one("#custom-port-field", Field).value = str(profile.port)
            self.query_one("#custom-security", Select).value = profile.security.value
        self.query_one("#check-ports").display = provider.id != "sandbox"
        self.query_one("#verify", Checkbox).value = profile.verify_certificates
        self.query_one("#ca-field", Field).value = profile.ca_file or ""
        self.query_one("#timeout-field", Field).value = f"{profile.timeout:g}"
        self._clear_flagged()
        self._refresh()

    def _clear_flagged(self) -> None:
        """A broken profile's bad value is not replaced by a default the person never
        chose: its field stays empty (the port: none chosen) until they choose."""
        flagged = self.draft.flagged.field.split(".")[0] if (
            self.draft.flagged_step == self.step_id) else None
        if flagged in ("port", "security"):
            plist = self.query_one("#port-list", PortChoices)
            plist.highlighted = len(plist.choices)  # "Custom port…", left empty
            self.query_one("#custom-port-field", Field).value = ""
        elif flagged in ("host", "ca_file", "timeout"):
            field_id = {"host": "#host-field", "ca_file": "#ca-field", "timeout": "#timeout-field"}
            self.query_one(field_id[flagged], Field).value = ""

    def _chosen(self) -> tuple[int | None, Security]:
        chosen = self.query_one("#port-list", PortChoices).chosen
        if chosen is None:
            text = self.query_one("#custom-port-field", Field).value
            security = Security(self.query_one("#custom-security", Select).value)
            return (int(text) if not validation.port(text) else None), security
        return chosen.port, chosen.security

    def _refresh(self) -> None:
        about = self.summary_about
        if about is not None and about != (self._host(), self._chosen()):
            self.summary_about = None  # another host or port: the check's verdict is stale
            self.query_one("#probe-summary").display = False
        custom = self.query_one("#port-list", PortChoices).chosen is None
        self.query_one("#custom-port-row").display = custom
        _port, security = self._chosen()
        plain = security is Security.NONE and self.provider.id != "sandbox"
        warning = self.query_one("#plain-warning", Static)
        warning.display = plain
        needs_ack = plain and self.draft.use_auth and self.provider.id != "sandbox"
        self.query_one("#plain-ok", Checkbox).display = needs_ack
        if plain:
            warning.update(MarkedLines(
                _("! No encryption: anyone on the network path can read your mail and your "
                  "password. Use this only for a server on this machine or a network you trust.")
                if needs_ack else
                _("! No encryption: anyone on the network path can read your mail. Use this "
                  "only for a server on this machine or a network you trust.")
            ))
        verify = self.query_one("#verify", Checkbox).value
        if not verify:
            warning.display = True
            warning.update(MarkedLines(_(
                "! Certificate checks are off: a machine in the middle could pose as your "
                "server and read your password. Prefer adding the CA file instead."
            )))
        self.fields_changed()

    @on(OptionList.OptionHighlighted, "#port-list")
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(Input.Changed)
    def _changed(self) -> None:
        self._refresh()

    @on(Input.Changed, "#host")
    @on(Select.Changed, "#host-choice")
    def _host_changed(self) -> None:
        self.workers.cancel_group(self, "probe")
        self.query_one("#port-list", PortChoices).clear_marks()
        self.query_one("#probe-summary").display = False
        self.draft.port_check_host, self.draft.port_check = "", {}

    @on(Button.Pressed, "#check-ports")
    def _check_ports(self) -> None:
        host = self._host()
        if validation.host(host):
            self._summary(_("! Enter a valid host name first."), "-warning")
            return
        self.check_ports(host)

    def _host(self) -> str:
        provider = self.provider
        if provider.host_editable:
            return self.query_one("#host-field", Field).value.strip()
        key = self.query_one("#host-choice", Select).value
        return provider.hosts.get(key, provider.default_host) if isinstance(key, str) else (
            provider.default_host)

    summary_about: tuple | None = None  # the host and port the shown check result is about

    def _summary(self, text: str, css: str = "") -> None:
        self.summary_about = None
        summary = self.query_one("#probe-summary", Static)
        summary.display = True
        summary.update(MarkedLines(text))  # a wrapped verdict hangs under its words
        summary.set_classes(css)

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def check_ports(self, host: str) -> None:
        """Probe every offered port at once; mark each choice as its answer arrives."""
        import asyncio

        from smtp_setup.core.smtp.probe import Candidate, probe_host
        from smtp_setup.core.smtp.tls import client_tls_context

        plist = self.query_one("#port-list", PortChoices)
        button = self.query_one("#check-ports", Button)
        candidates = [
            Candidate(choice.port, choice.security, documented=True,
                      recommended=choice == plist.recommended)
            for choice in plist.choices
        ]
        custom_port = self.query_one("#custom-port-field", Field).value
        if not validation.port(custom_port):  # a typed custom port is checked too
            custom = (int(custom_port), Security(self.query_one("#custom-security", Select).value))
            if custom not in {(c.port, c.security) for c in candidates}:
                candidates.append(Candidate(*custom))
        trust = self.draft.profile.copy(
            host=host, verify_certificates=self.query_one("#verify", Checkbox).value,
            ca_file=self.query_one("#ca-field", Field).value.strip() or None,
        )
        plist.results.clear()
        plist.checking = True
        plist.load(plist.choices, plist.recommended)
        # The list is where the answers arrive, and a disabled button would drop the focus
        # (the next Tab then went back to the host, whose Enter leaves the step).
        plist.focus(scroll_visible=False)
        button.disabled = True
        self._summary(ngettext("Checking {count} port on {host} at once…",
                               "Checking {count} ports on {host} at once…",
                               len(candidates)).format(count=len(candidates), host=host))
        try:
            context = await asyncio.to_thread(client_tls_context, trust)
            report = await probe_host(host, candidates, timeout=PROBE_TIMEOUT,
                                      tls_context=context, on_result=plist.mark,
                                      nameserver=self.services.nameserver,
                                      login=self.draft.use_auth)
        finally:
            plist.checking = False
            button.disabled = False
        plist.load(plist.choices, plist.recommended)
        self.draft.port_check_host = host
        self.draft.port_check = {(r.port, r.security): r.status for r in report.results}
        lines = []
        best, waiting = report.recommended, report.awaiting_certificate
        if best is not None:
            plist.choose(best.port, best.security)
            lines.append(_("✓ Chose {port} ({security}): {reasons}").format(
                port=best.port, security=best.security.label, reasons=" ".join(report.reasons)))
        elif waiting is not None:  # encryption answers: never fall back to a plain port
            plist.choose(waiting.port, waiting.security)
            lines.append(_("! Kept {port} ({security}): {reasons}").format(
                port=waiting.port, security=waiting.security.label,
                reasons=" ".join(report.reasons)))
            if waiting.diagnosis_code == "certificate_untrusted":
                lines.append(_("! To fix it, {fix} (opened below).").format(fix=CA_FILE_FIX))
                self.query_one("#advanced", Collapsible).collapsed = False
        else:
            lines.append(_("✗ No port worked from this network. {reasons}").format(
                reasons=" ".join(report.reasons)))
        if report.blocked_hint:
            lines.append("! " + report.blocked_hint)
        self._summary("\n".join(lines), "-success" if best is not None else
                      "-warning" if waiting is not None else "-error")
        self.summary_about = (host, self._chosen())  # hidden once either changes
        self._refresh()

    @on(OptionList.OptionSelected, "#port-list")
    def _port_selected(self) -> None:
        custom = self.query_one("#custom-port-field", Field)
        if self.query_one("#port-list", PortChoices).chosen is None and not custom.value.strip():
            # Enter on "Custom port…": the port is typed next, so go where it is typed
            self.call_after_refresh(self.query_one("#custom-port", Input).focus)
            return
        self._submitted()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if not self.errors():
            self.request_advance()

    def focus_first(self) -> bool:
        # The host when it is typed; else the port list, where Enter takes the highlighted
        # (recommended) port and moves on, rather than a button that starts a port check.
        if self.provider.host_editable:
            self.query_one("#host", Input).focus(scroll_visible=False)
        else:
            self.query_one("#port-list", PortChoices).focus(scroll_visible=False)
        return True

    def errors(self) -> list[str]:
        problems = []
        provider = self.provider
        if provider.host_editable:
            error = self.query_one("#host-field", Field).error
            if error:
                problems.append(error)
        port, security = self._chosen()
        if port is None:
            typed = self.query_one("#custom-port-field", Field).value
            problems.append(_("Choose a port, or type one under Custom port.") if not typed.strip()
                            else validation.port(typed) or "")
        checkbox = self.query_one("#plain-ok", Checkbox)
        if checkbox.display and not checkbox.value:
            problems.append(_("Confirm that you accept sending the password unencrypted."))
        for field_id in ("#ca-field", "#timeout-field"):
            error = self.query_one(field_id, Field).error
            if error:
                problems.append(error)
        return problems

    def leave(self) -> None:
        self.workers.cancel_group(self, "probe")
        provider, profile = self.provider, self.draft.profile
        if provider.host_editable:
            profile.host = self.query_one("#host-field", Field).value.strip()
        elif len(provider.hosts) > 1:
            key = self.query_one("#host-choice", Select).value
            if key in provider.hosts:
                profile.host = provider.hosts[key]
        port, security = self._chosen()
        if port is not None:
            if (port, security) != (profile.port, profile.security):
                self.draft.test_ok = None
            profile.port, profile.security = port, security
        profile.verify_certificates = self.query_one("#verify", Checkbox).value
        profile.ca_file = self.query_one("#ca-field", Field).value.strip() or None
        timeout = self.query_one("#timeout-field", Field).value
        if not validation.timeout(timeout):
            profile.timeout = float(timeout)


def _ca_file_check(value: str) -> str | None:
    from pathlib import Path

    path = Path(value.strip()).expanduser()
    if not path.is_file():
        return _("No file at {path}. Give the path of a PEM file with the CA certificate.").format(
            path=path)
    return None
