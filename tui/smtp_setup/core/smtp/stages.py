"""The bookkeeping of a test send's stages: the stage names, the events the UI is sent as
each stage starts and ends, the final result, and `StageBook`, the part of a send that
opens, closes and records a stage and turns its failure into a diagnosis."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.smtp.diagnosis_codes import Diagnosis
from smtp_setup.core.smtp.failure_reading import failure_detail, is_name_mismatch
from smtp_setup.core.smtp.followups import ASK_THE_PORT
from smtp_setup.core.smtp.transcript import redact
from smtp_setup.i18n import _, pgettext

STAGES = ("connect", "greeting", "ehlo", "starttls", "auth", "mail_from", "rcpt_to", "data",
          "quit")

log = logging.getLogger(__name__)


def stages_for(security: Security) -> tuple[str, ...]:
    """The stages of a send with this encryption, in order: an implicit-TLS connection has
    no STARTTLS stage (it is encrypted from its first byte), so it is not listed at all.
    Without encryption the STARTTLS stage stays, skipped: its row says nothing encrypts."""
    return tuple(s for s in STAGES if s != "starttls") if security is Security.TLS else STAGES


@dataclass
class StageEvent:
    """One step of progress: status is "start", then "ok", "fail" or "skip"."""

    name: str
    status: str
    ms: float = 0.0
    detail: str = ""


@dataclass
class SendResult:
    """The outcome of a test send. Never holds the password."""

    ok: bool
    profile: str
    server: str
    security: str
    stages: list[StageEvent]  # the final status of every stage of stages_for(security)
    response: str | None  # the server's reply to DATA when the message was accepted
    diagnosis: Diagnosis | None
    transcript: list[str] = field(default_factory=list)
    total_ms: float = 0.0

    @property
    def failed_stage(self) -> str | None:
        return next((s.name for s in self.stages if s.status == "fail"), None)

    def to_json(self) -> dict[str, Any]:
        """design.md's "JSON of test"; stages that did not run are left out."""
        return {
            "ok": self.ok,
            "profile": self.profile,
            "server": self.server,
            "security": self.security,
            "stages": [{"name": s.name, "ok": s.status == "ok", "ms": round(s.ms, 1),
                        "detail": s.detail} for s in self.stages if s.status != "skip"],
            "response": self.response,
            "diagnosis": self.diagnosis.to_json() if self.diagnosis else None,
            "transcript": list(self.transcript),
        }


class StageFailed(Exception):
    """A stage failed and was recorded; stop the session."""


class RunningStage:
    """The stage now running: its detail line and when it started."""

    def __init__(self) -> None:
        self.detail = ""
        self.started = perf_counter()  # reset to leave local preparation out of the time
        self.ms: float | None = None  # set to override the measured time


class StageBook:
    """Stage bookkeeping for a send (mixed into the session driver, which sets `profile`,
    `secrets`, `on_event`, `final`, `current`, `smtp`, `sender`, `recipient`, `waited`
    and `diagnosis`, and provides the port questions of `followups.PortQuestions`)."""

    profile: Profile
    secrets: tuple[str, ...]
    on_event: Callable[[StageEvent], None] | None
    final: dict[str, StageEvent]
    current: str | None
    current_started: float
    diagnosis: Diagnosis | None
    smtp: Any
    sender: str
    recipient: str
    waited: float | None

    @asynccontextmanager
    async def _stage(self, name: str) -> AsyncIterator[RunningStage]:
        self._start(name)
        running = RunningStage()
        try:
            yield running
        except Exception as exc:
            self._record_failure(name, exc, ms_since(running.started))
            if is_name_mismatch(exc):
                await self._add_certificate_names(name, exc)
            elif (name, self.diagnosis.code) in ASK_THE_PORT and (
                    name == "greeting" or self.profile.security is Security.TLS):
                await self._ask_the_port(name, exc)
            raise StageFailed from None
        ms = running.ms if running.ms is not None else ms_since(running.started)
        self._finish(name, "ok", ms, running.detail)

    def _start(self, name: str) -> None:
        self.current, self.current_started = name, perf_counter()
        self._emit(StageEvent(name, "start"))

    def _skip(self, name: str, why: str) -> None:
        self._finish(name, "skip", 0.0, why)

    def _finish(self, name: str, status: str, ms: float, detail: str) -> None:
        event = StageEvent(name, status, ms, redact(detail, self.secrets))
        self.final[name] = event
        if self.current == name:
            self.current = None
        self._emit(event)

    def _emit(self, event: StageEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # a display problem must not abort a send half-way
            log.exception("on_event callback failed for %s", event.name)

    def _record_failure(self, name: str, exc: BaseException, ms: float) -> None:
        self.waited = ms / 1000
        self.diagnosis = self._diagnose(name, exc)
        self._finish(name, "fail", ms, failure_detail(exc))

    def _whole_send_timeout(self) -> None:
        if self.diagnosis is not None:
            return
        name = self.current or next((n for n in stages_for(self.profile.security)
                                     if n not in self.final), "quit")
        if name == "quit":
            self._finish("quit", "ok", ms_since(self.current_started),
                         _("no answer to QUIT; the connection was closed"))
            return
        limit = f"{float(self.profile.timeout):g}"
        self._record_failure(name, TimeoutError(_(
            "no answer within the {limit} s limit for the whole test").format(limit=limit)),
            ms_since(self.current_started))

    def _diagnose(self, stage: str, exc: BaseException, **facts: Any) -> Diagnosis:
        extensions = tuple(self.smtp.esmtp_extensions) if self.smtp is not None else ()
        if stage == "auth" and self.profile.uses_oauth:
            from smtp_setup.core.smtp.oauth_login import oauth_login_diagnosis

            found = oauth_login_diagnosis(exc, self.profile)
            if found is not None:
                return redact_diagnosis(found, self.secrets)
        # the rules and their words load only when a stage failed: an accepted send skips them
        from smtp_setup.core.smtp.diagnosis import diagnose

        return redact_diagnosis(diagnose(
            stage, exc, self.profile, sender=self.sender, recipient=self.recipient,
            extensions=extensions, waited=self.waited, **facts), self.secrets)


def stage_name(stage: str) -> str:
    """A stage in the current language, as `smtp-setup test` lists it and `doctor` names it
    (English: the SMTP command, as RFC 5321 writes it; connect and greeting in words)."""
    names = {
        # TRANSLATORS: the stages of a test send, as `smtp-setup test` lists them (at most
        # 10 cells); SMTP command names (EHLO, MAIL FROM...) stay as they are.
        "connect": pgettext("smtp stage", "connect"),
        "greeting": pgettext("smtp stage", "greeting"),
        "ehlo": pgettext("smtp stage", "EHLO"),
        "starttls": pgettext("smtp stage", "STARTTLS"),
        "auth": pgettext("smtp stage", "AUTH"),
        "mail_from": pgettext("smtp stage", "MAIL FROM"),
        "rcpt_to": pgettext("smtp stage", "RCPT TO"),
        "data": pgettext("smtp stage", "DATA"),
        "quit": pgettext("smtp stage", "QUIT"),
    }
    return names.get(stage, stage)


def redact_diagnosis(diagnosis: Diagnosis, secrets: tuple[str, ...]) -> Diagnosis:
    diagnosis.title = redact(diagnosis.title, secrets)
    diagnosis.explanation = redact(diagnosis.explanation, secrets)
    diagnosis.causes = [redact(c, secrets) for c in diagnosis.causes]
    diagnosis.next_steps = [redact(s, secrets) for s in diagnosis.next_steps]
    return diagnosis


def ms_since(started: float) -> float:
    return (perf_counter() - started) * 1000
