"""Questions put to the port after a failure, in the time the send has left: a TLS hello
when the port did not behave as the profile expects, whether it offers STARTTLS, and the
names on a certificate that did not match. The diagnosis then rests on what the port
answered rather than on its number."""

from __future__ import annotations

from time import perf_counter
from typing import Any

from smtp_setup.core.profiles.model import Security
from smtp_setup.core.smtp.tls import certificate_names, tls_hello_answer


class PortQuestions:
    """Mixed into the session driver, which provides `profile`, `deadline`, `per_op`,
    `custom_tls`, `tls_context`, `local_hostname`, `nameserver`, `diagnosis` and
    `_diagnose()`."""

    async def _add_certificate_names(self, stage: str, exc: BaseException) -> None:
        """Name the certificate's names in a mismatch diagnosis (needs the profile's trust)."""
        if self.custom_tls:
            return
        names = await certificate_names(self.profile, local_hostname=self.local_hostname,
                                        timeout=min(self.per_op, 3.0),
                                        nameserver=self.nameserver)
        if names:
            self.diagnosis = self._diagnose(stage, exc, cert_names=names)

    async def _ask_the_port(self, stage: str, exc: BaseException) -> None:
        """The port did not behave as the profile expects (no greeting; no answer to TLS;
        plain text instead of TLS): in the time that is left, send it a TLS hello and let
        the diagnosis rest on what it answers rather than on the port number."""
        left = self.deadline - perf_counter() - 0.05  # stay inside the whole-send limit
        if left < 0.05:
            return
        answer = await tls_hello_answer(self.profile.host.strip(), self.profile.port,
                                        min(left, 3.0), self.nameserver)
        facts: dict[str, Any] = {"hello_answer": answer}
        left = self.deadline - perf_counter() - 0.05
        if self.diagnosis.code == "tls_on_plain_port" and left > 0.1:
            facts["starttls_offered"] = await self._starttls_offered(min(left, 3.0))
        self.diagnosis = self._diagnose(stage, exc, **facts)

    async def _starttls_offered(self, limit: float) -> bool | None:
        """Whether the port offers STARTTLS (a plain greeting and EHLO; nothing sent after)."""
        from smtp_setup.core.smtp.probe import Candidate, probe_host

        try:
            report = await probe_host(self.profile.host.strip(),
                                      [Candidate(self.profile.port, Security.STARTTLS)],
                                      timeout=limit, tls_context=self.tls_context,
                                      nameserver=self.nameserver)
        except ValueError:
            return None
        return report.results[0].starttls_offered if report.results else None


# (stage, first diagnosis) after which the port is asked; "connect" only for implicit TLS.
ASK_THE_PORT = {("greeting", "greeting_timeout"), ("greeting", "plain_on_tls_port"),
                 ("connect", "connection_timeout"), ("connect", "tls_on_plain_port")}
