"""The doctor: one health verdict for a saved profile, for people, cron jobs and monitoring.

It checks the profile's server ports (the profile's own port and encryption, plus the
provider's documented ports so that a broken one comes with an alternative), makes a real
test send, and checks the From domain's MX, SPF, DKIM and DMARC. The domain check runs while
the server is probed and the message sent. The verdict is ok only when the test message was
accepted, the profile's own port works, and no domain check failed.

Its problems, warnings and report lines are sentences in the current language (the JSON's
keys, statuses and codes stay English).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from smtp_setup.core.catalog.loader import Provider, load_catalog
from smtp_setup.core.dns.domain_check import check_domain, sender_domain
from smtp_setup.core.dns.domain_report import DomainReport
from smtp_setup.core.dns.domain_report import format_report as format_domain_report
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.next_command import next_command
from smtp_setup.core.profiles.validation import InvalidInput
from smtp_setup.core.smtp.probe import check_nameserver, probe_host
from smtp_setup.core.smtp.probe_ports import Candidate, default_candidates, parse_ports
from smtp_setup.core.smtp.probe_report import MODE_WORDS, STATUSES, PortProbe, ProbeReport
from smtp_setup.core.smtp.probe_report import format_result as format_port
from smtp_setup.core.smtp.session import SendResult, StageEvent, send_test_message
from smtp_setup.core.smtp.stages import stage_name
from smtp_setup.core.smtp.tls import client_tls_context
from smtp_setup.i18n import _, ngettext
from smtp_setup.text_width import wrap

# A port in these states refused the connection or did not answer: a test send there would
# only fail the same way.
_UNREACHABLE = ("refused", "timeout")


@dataclass
class DoctorReport:
    """Everything the doctor found. `problems` say why it is not ok (empty when ok);
    `warnings` are worth a look but do not change the verdict."""

    profile: str
    server: str
    security: str
    probe: ProbeReport | None = None
    own_port: PortProbe | None = None
    send: SendResult | None = None
    send_skipped: str | None = None  # why no test send was made
    domain: DomainReport | None = None
    domain_skipped: str | None = None  # why the domain was not checked
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The JSON of `smtp-setup doctor --json`."""
        return {
            "ok": self.ok, "profile": self.profile, "server": self.server,
            "security": self.security, "problems": list(self.problems),
            "warnings": list(self.warnings), "ms": round(self.ms, 1),
            "own_port": self.own_port.to_json() if self.own_port else None,
            "probe": self.probe.to_json() if self.probe else None,
            "send": self.send.to_json() if self.send else None,
            "send_skipped": self.send_skipped,
            "domain": self.domain.to_json() if self.domain else None,
            "domain_skipped": self.domain_skipped,
        }


async def run_doctor(profile: Profile, password: str | None, *, nameserver: str | None = None,
                     probe_timeout: float = 5, domain_timeout: float = 8.0,
                     to: str | None = None, tls_context: ssl.SSLContext | None = None,
                     on_event: Callable[[StageEvent], None] | None = None,
                     store_rotated: Callable[[str], Any] | None = None) -> DoctorReport:
    """Probe the profile's server, send a test message and check the From domain.

    `nameserver` ("HOST[:PORT]") is the DNS server for everything: the domain check and
    the server's own address. `to` defaults to
    the From address. `tls_context` replaces the profile's TLS trust for the probe and the
    send (tests, special trust); `on_event` receives the test send's stages as they happen;
    `store_rotated` keeps an OAuth profile's new refresh token (see send_test_message).
    Raises InvalidInput (a ValueError with one sentence) for a malformed `nameserver`;
    anything the network does becomes part of the report. Cancel it like any coroutine.
    """
    started = perf_counter()
    report = DoctorReport(profile.name, profile.server, str(profile.security))
    provider = _provider(profile.provider)
    check_nameserver(nameserver)  # a typo there is the caller's to fix, before any work
    domain_task = asyncio.ensure_future(
        _domain(report, profile, provider, nameserver, domain_timeout))
    try:
        await _server(report, profile, password, provider, probe_timeout, to, tls_context,
                      on_event, store_rotated, nameserver)
        await domain_task
    finally:
        domain_task.cancel()
    _verdict(report, profile)
    report.ms = (perf_counter() - started) * 1000
    return report


def _provider(provider_id: str) -> Provider | None:
    try:
        catalog = load_catalog()
    except Exception:  # the doctor still works without provider knowledge
        return None
    return catalog.get(provider_id) if provider_id in catalog else None


def candidates_for(profile: Profile, provider: Provider | None) -> list[Candidate]:
    """The profile's own port and encryption first, then the provider's documented ports
    (the conventional submission ports when the provider is not in the catalog)."""
    own = parse_ports(f"{profile.port}/{profile.security}", provider)
    return own + [c for c in default_candidates(provider)
                  if (c.port, c.security) != (profile.port, profile.security)]


async def _server(report: DoctorReport, profile: Profile, password: str | None,
                  provider: Provider | None, probe_timeout: float, to: str | None,
                  tls_context: ssl.SSLContext | None,
                  on_event: Callable[[StageEvent], None] | None,
                  store_rotated: Callable[[str], Any] | None, nameserver: str | None) -> None:
    context = tls_context
    if context is None and not profile.verify_certificates:
        context = await asyncio.to_thread(client_tls_context, profile)  # the user's choice
    try:
        report.probe = await probe_host(profile.host, candidates_for(profile, provider),
                                        timeout=probe_timeout, tls_context=context,
                                        ca_file=profile.ca_file, nameserver=nameserver)
    except InvalidInput as exc:  # a bad host or CA file: the send explains it with stages
        report.warnings.append(_("The port check could not run: {problem}").format(
            problem=exc.message))
    else:
        report.own_port = next(r for r in report.probe.results
                               if (r.port, r.security) == (profile.port, profile.security))
        if report.own_port.status in _UNREACHABLE:
            report.send_skipped = (_(
                "Port {port} refused the connection (nothing listens there, or a firewall "
                "rejects it), so no test message was sent.")
                if report.own_port.status == "refused" else _(
                "Port {port} did not answer within {limit} s, so no test message was "
                "sent.")).format(port=profile.port, limit=f"{probe_timeout:g}")
            return
    report.send = await send_test_message(profile, password, to=to, on_event=on_event,
                                          tls_context=tls_context, store_rotated=store_rotated,
                                          nameserver=nameserver)


async def _domain(report: DoctorReport, profile: Profile, provider: Provider | None,
                  nameserver: str | None, timeout: float) -> None:
    try:
        domain = sender_domain(profile.from_email)
    except InvalidInput as exc:
        report.domain_skipped = _("The From address has no domain to check: {problem}").format(
            problem=exc.message)
        return
    try:
        report.domain = await check_domain(domain, provider_id=provider.id if provider else None,
                                           nameserver=nameserver, timeout=timeout)
    except InvalidInput as exc:
        report.domain_skipped = _("The domain could not be checked: {problem}").format(
            problem=exc.message)


def _verdict(report: DoctorReport, profile: Profile) -> None:
    problems, warnings = report.problems, report.warnings
    own, probe = report.own_port, report.probe
    if own is not None and not own.usable:
        words = STATUSES.get(own.status, STATUSES["error"])[1]
        problems.append(_("Port {port} with {mode} does not work ({status}): {detail}").format(
            port=own.port, mode=MODE_WORDS[own.security], status=words, detail=own.detail))
        if probe is not None and probe.recommended is not None:
            best = probe.recommended
            problems.append(_("Port {port} with {mode} works from here: run `{command}` to "
                              "switch to it.").format(port=best.port,
                                                      mode=MODE_WORDS[best.security],
                                                      command=next_command("edit", profile.name)))
    elif (own is not None and probe is not None and probe.recommended is not None
          and probe.recommended is not own):
        best = probe.recommended
        warnings.append(_("The port check prefers port {port} with {mode}: {reason}").format(
            port=best.port, mode=MODE_WORDS[best.security], reason=probe.reasons[0]))
    if probe is not None and probe.blocked_hint:
        warnings.append(probe.blocked_hint)
    send = report.send
    if send is None:
        problems.append(report.send_skipped or _("No test message was sent."))
    elif not send.ok:
        title = send.diagnosis.title if send.diagnosis else _("the message was not accepted")
        problems.append(_("The test send failed at {stage}: {title}").format(
            stage=stage_word(send.failed_stage), title=title))
    domain = report.domain
    if domain is None:
        warnings.append(report.domain_skipped or _("The From domain was not checked."))
    elif domain.offline:
        warnings.append(domain.problem or _("The From domain could not be checked (no DNS)."))
    else:
        for row in domain.rows:
            if row.status in ("fail", "warn"):
                # TRANSLATORS: a failed or doubtful check of the From domain: "SPF of
                # example.com: <what the check found>"
                (problems if row.status == "fail" else warnings).append(_(
                    "{check} of {domain}: {summary}").format(
                    check=row.name, domain=domain.domain, summary=row.summary))


def stage_word(stage: str | None) -> str:
    """A test send's stage as `smtp-setup test` names it, or "the end" when none failed."""
    return stage_name(stage) if stage else _("the end")


def format_report(report: DoctorReport) -> list[str]:
    """The doctor's findings as plain text lines (✓ / ! / ✗ marks, no colour codes), at most
    79 terminal cells wide in any language."""
    lines = [_("Doctor for profile {name} ({server}, {security})").format(
        name=report.profile, server=report.server,
        security=MODE_WORDS.get(report.security, report.security)), ""]
    if report.probe is not None:
        lines.append(_("Ports of {host} ({limit} s limit each):").format(
            host=report.probe.host, limit=f"{report.probe.timeout:g}"))
        for result in report.probe.results:
            lines += format_port(result)
            if result is report.own_port:
                lines.append(" " * 11 + _("(the port and encryption this profile uses)"))
        lines.append("")
    lines.append(_("Test send:"))
    send = report.send
    if send is None:
        lines += wrap(report.send_skipped or _("No test message was sent."), 79,
                      initial_indent="  ✗ ", subsequent_indent="    ")
    elif send.ok:
        lines += wrap(_("accepted in {ms} ms: {response}").format(
            ms=f"{send.total_ms:.0f}", response=send.response), 79,
            initial_indent="  ✓ ", subsequent_indent="    ")
    else:
        diagnosis = send.diagnosis
        lines += wrap(_("failed at {stage}: {title}").format(
            stage=stage_word(send.failed_stage),
            title=diagnosis.title if diagnosis else _("the message was not accepted")), 79,
            initial_indent="  ✗ ", subsequent_indent="    ")
        for step in diagnosis.next_steps if diagnosis else []:
            lines += wrap(step, 79, initial_indent="    - ", subsequent_indent="      ")
    lines.append("")
    if report.domain is None:
        lines += wrap(report.domain_skipped or _("The From domain was not checked."), 79,
                      initial_indent="! ", subsequent_indent="  ")
    elif report.domain.offline:  # a warning here: the server itself was reached
        lines.append(_("Sender domain check of {domain}").format(domain=report.domain.domain))
        lines += wrap(report.domain.problem or _("The From domain could not be checked (no "
                                                 "DNS)."), 79,
                      initial_indent="! ", subsequent_indent="  ")
    else:
        lines += format_domain_report(report.domain)[:-2]  # the doctor gives the verdict
    lines.append("")
    lines.append(_verdict_line(report))
    if not report.ok:
        for problem in report.problems:
            lines += wrap(problem, 79, initial_indent="  - ", subsequent_indent="    ")
    for warning in report.warnings:
        lines += wrap(warning, 79, initial_indent="  ! ", subsequent_indent="    ")
    return lines


def _verdict_line(report: DoctorReport) -> str:
    """The closing line, which counts what is listed under it: the problems and warnings."""
    warnings = len(report.warnings)
    if report.ok:
        return "✓ " + (ngettext(
            "Healthy: the test message was accepted and nothing failed ({count} warning):",
            "Healthy: the test message was accepted and nothing failed ({count} warnings):",
            warnings).format(count=warnings) if warnings else
            _("Healthy: the test message was accepted and nothing failed."))
    count = len(report.problems)
    if not warnings:
        return "✗ " + ngettext("Not healthy ({count} problem):",
                               "Not healthy ({count} problems):", count).format(count=count)
    # TRANSLATORS: "Not healthy (2 problems and 1 warning):", the counts from the two
    # messages below
    return "✗ " + _("Not healthy ({problems} and {warnings}):").format(
        problems=ngettext("{count} problem", "{count} problems", count).format(count=count),
        warnings=ngettext("{count} warning", "{count} warnings", warnings).format(
            count=warnings))
