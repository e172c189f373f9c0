"""The real Alertmanager, started on 127.0.0.1 with the exported alertmanager.yml, sends
an alert by e-mail through aiosmtpd: STARTTLS with a login (the password read from
smtp_auth_password_file) and plain SMTP without one. Implicit TLS needs port 465, which a
test cannot count on, so that mode is checked by amtool in test_export_servers.py."""

from __future__ import annotations

import json
import shlex
import subprocess
import time
import urllib.request

import pytest
from export_programs import ALERTMANAGER, ROOT, UNSHARE, can_unshare, needs
from export_sends import assert_arrived, recording_server
from smtp_fixtures import free_port
from smtp_setup.core.exports.formats import render_export


def wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/-/ready", timeout=1) as reply:
            return reply.status == 200
    except OSError:
        return False


def with_templates(command: list[str]) -> list[str]:
    """An unpacked Alertmanager reads its templates from /usr/share/prometheus: lay the
    unpacked /usr/share over the machine's, in a private mount namespace."""
    if ALERTMANAGER.startswith("/usr/"):
        return command
    if not can_unshare():
        pytest.skip("the unpacked Alertmanager needs its templates in /usr/share/prometheus "
                    "and there is no private mount namespace here (unshare -m)")
    share = ROOT / "usr/share"
    script = (f"mount -t overlay overlay -o lowerdir={shlex.quote(str(share))}:/usr/share "
              f"/usr/share && exec {shlex.join(command)}")
    return [UNSHARE, "-m", "--propagation", "private", "sh", "-c", script]


@needs(ALERTMANAGER, "prometheus-alertmanager")
@pytest.mark.parametrize("kind", ["starttls", "plain"])
def test_alertmanager_sends_an_alert_by_mail(smtp_server_factory, tmp_path, kind):
    # Alertmanager takes the first mechanism offered and its LOGIN expects the prompt
    # "Username:", where aiosmtpd says "User Name": offer PLAIN only, as most servers prefer
    extra = {"auth_exclude_mechanism": ["LOGIN"]} if kind == "starttls" else {}
    server = recording_server(smtp_server_factory, kind, auth=kind == "starttls", **extra)
    profile = server.profile(name="alerts")
    text = render_export([profile], "alertmanager")
    if server.password:
        assert server.password not in text
        password_file = tmp_path / "smtp_password"
        password_file.write_text(server.password)
        text = text.replace("/etc/alertmanager/smtp_password", str(password_file))
    # the test's own routing: send at once rather than after the default 30 s
    config = tmp_path / "alertmanager.yml"
    config.write_text(text.replace("  receiver: email\n", "  receiver: email\n  group_wait: 0s\n"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [ALERTMANAGER, f"--config.file={config}", f"--storage.path={tmp_path / 'data'}",
               f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="]
    process = subprocess.Popen(with_templates(command), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: ready(url), 20), "Alertmanager did not start"
        alert = json.dumps([{"labels": {"alertname": "SmtpSetupTest"}}]).encode()
        request = urllib.request.Request(url + "/api/v2/alerts", data=alert, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as reply:
            assert reply.status == 200
        arrived = wait_for(lambda: server.messages, 30)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert arrived, errors.decode(errors="replace")[-3000:]
    assert_arrived(server, kind, b"SmtpSetupTest")
    assert server.messages[0].mail_from == "sender@example.test"
