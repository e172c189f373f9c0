"""Exports for command-line mail senders, each run for real against aiosmtpd on 127.0.0.1
in every security mode (implicit TLS, STARTTLS, none), checking the message arrived with
that security: the swaks and curl test commands, neomutt's muttrc and s-nail's mailrc."""

from __future__ import annotations

import os
import re

import pytest
from export_programs import CURL, NEOMUTT, S_NAIL, SWAKS, needs, run
from export_readers import make
from export_sends import MODES, assert_arrived, recording_server
from smtp_setup.core.exports.formats import ExportProblem, render_export
from smtp_setup.core.profiles.model import SecretRef

ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"
RECIPIENT = "rcpt@example.test"


def run_script(tmp_path, text: str, **env: str):
    script = tmp_path / "test.sh"
    script.write_text(text, encoding="utf-8")
    return run(["/bin/sh", str(script), RECIPIENT], env={"HOME": str(tmp_path), **env})


@pytest.mark.parametrize("fmt, program", [("swaks", SWAKS), ("curl", CURL)])
@pytest.mark.parametrize("kind", MODES)
def test_the_test_command_sends(smtp_server_factory, tmp_path, fmt, program, kind):
    if program is None:
        pytest.skip(f"{fmt} is not installed (.ci/install-export-tools installs it)")
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="cli", password=SecretRef("env", ENV_VAR),
                             from_name='Ops "Team"')
    text = render_export([profile], fmt)
    assert server.password not in text
    done = run_script(tmp_path, text, **{ENV_VAR: server.password})
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, f"sent with {fmt}".encode())
    assert server.messages[0].rcpt_tos == [RECIPIENT]
    assert b'From: "Ops \\"Team\\"" <sender@example.test>' in server.messages[0].content


@pytest.mark.parametrize("fmt, program", [("swaks", SWAKS), ("curl", CURL)])
def test_the_test_command_checks_the_certificate(smtp_server_factory, tmp_path, fmt, program):
    if program is None:
        pytest.skip(f"{fmt} is not installed (.ci/install-export-tools installs it)")
    server = recording_server(smtp_server_factory, "tls")
    trusting_system = server.profile(name="cli", ca_file=None)
    text = render_export([trusting_system], fmt, secrets={"cli": server.password})
    done = run_script(tmp_path, text, SSL_CERT_FILE=os.devnull)
    assert done.returncode != 0 and server.messages == []
    unchecked = render_export([trusting_system.copy(verify_certificates=False)], fmt,
                              secrets={"cli": server.password})
    assert "WARNING" in unchecked
    assert run_script(tmp_path, unchecked).returncode == 0
    assert_arrived(server, "tls")


def test_curl_refuses_a_colon_in_the_user_name_and_swaks_refuses_oauth():
    with pytest.raises(ExportProblem, match="colon.*--format swaks"):
        render_export([make(username="a:b")], "curl")
    with pytest.raises(ExportProblem, match="OAuth"):
        render_export([make(auth="oauth2")], "swaks")
    assert '--oauth2-bearer "$token"' in render_export([make(auth="oauth2")], "curl")


# -- neomutt ------------------------------------------------------------------------------------
@needs(NEOMUTT, "neomutt")
@pytest.mark.parametrize("kind", MODES)
def test_neomutt_sends_with_the_exported_settings(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="mua", password=SecretRef("env", ENV_VAR),
                             from_name="Zoë 'Ops'")
    text = render_export([profile], "neomutt")
    assert server.password not in text
    muttrc = tmp_path / "neomuttrc"
    # the test's own lines: no copy of the sent message, no mailbox of its own
    muttrc.write_text(text + "set copy = no\nset folder = /nonexistent\n", encoding="utf-8")
    done = run([NEOMUTT, "-n", "-F", str(muttrc), "-s", "smtp-setup", "--", RECIPIENT],
               input=b"Hello from neomutt.\n",
               env={"HOME": str(tmp_path), ENV_VAR: server.password, "TERM": "dumb"})
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from neomutt.")
    assert server.messages[0].mail_from == "sender@example.test"


@needs(NEOMUTT, "neomutt")
def test_neomutt_reads_back_every_value(tmp_path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("p'w\"$x\\\n", encoding="utf-8")
    profile = make(username="me@example.com", from_name="O'Brien \"$HOME\" `x`",
                   password=SecretRef("command", f"cat '{secret_file}'"),
                   ca_file=str(tmp_path / "ca's.pem"))
    muttrc = tmp_path / "neomuttrc"
    muttrc.write_text(render_export([profile], "neomutt"), encoding="utf-8")
    seen = {}
    for name in ("smtp_url", "smtp_pass", "realname", "ssl_ca_certificates_file",
                 "ssl_starttls", "ssl_force_tls"):
        done = run([NEOMUTT, "-n", "-F", str(muttrc), "-Q", name], env={"HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        value = done.stdout.decode().strip().split(" = ", 1)[1]
        seen[name] = re.sub(r"\\(.)", r"\1", value[1:-1]) if value[0] == '"' else value
    assert seen["smtp_url"] == "smtp://me%40example.com@smtp.example.com:587/"
    assert seen["smtp_pass"] == "p'w\"$x\\"
    assert seen["realname"] == profile.from_name
    assert (seen["ssl_starttls"], seen["ssl_force_tls"]) == ("yes", "yes")
    assert "ca's.pem" in seen["ssl_ca_certificates_file"]


# -- s-nail ---------------------------------------------------------------------------------------
@needs(S_NAIL, "s-nail")
@pytest.mark.parametrize("kind", MODES)
def test_s_nail_sends_with_the_exported_settings(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    # s-nail matches the certificate against DNS names only, not IP addresses
    profile = server.profile(name="mua", password=SecretRef("env", ENV_VAR),
                             from_name="Zoë 'Ops'", host="localhost")
    text = render_export([profile], "s-nail")
    assert server.password not in text
    mailrc = tmp_path / "mailrc"
    mailrc.write_text(text, encoding="utf-8")
    done = run([S_NAIL, "-n", "-s", "smtp-setup", "-.", RECIPIENT],
               input=b"Hello from s-nail.\n",
               env={"HOME": str(tmp_path), "MAILRC": str(mailrc), ENV_VAR: server.password})
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from s-nail.")
    assert server.messages[0].mail_from == "sender@example.test"


@needs(S_NAIL, "s-nail")
def test_s_nail_reads_back_every_value(tmp_path):
    profile = make(username="me@example.com", from_name="O'Brien \"$HOME\"",
                   ca_file=str(tmp_path / "ca's.pem"))
    mailrc = tmp_path / "mailrc"
    secret = "p'w\"$x\\ y"
    mailrc.write_text(render_export([profile], "s-nail", secrets={"work": secret}))
    password = "password-me@example.com@smtp.example.com:587"
    names = ["mta", password, "from", "tls-ca-file", "smtp-use-starttls", "smtp-auth"]
    done = run([S_NAIL, "-n", "-#", "-X", "varshow " + " ".join(names)],
               input=b"", env={"HOME": str(tmp_path), "MAILRC": str(mailrc)})
    seen = {}
    for line in done.stdout.decode().splitlines():  # set NAME=VALUE, or =$'C-escaped'
        name, _, value = line.split(" set ", 1)[-1].removeprefix("set ").partition("=")
        if value.startswith("$'"):
            value = re.sub(r"\\(.)", r"\1", value[2:-1])
        seen[name] = value
    assert seen == {"mta": "smtp://me%40example.com@smtp.example.com:587", password: secret,
                    "from": "\"O'Brien \\\"$HOME\\\"\" <alerts@example.com>",
                    "tls-ca-file": str(tmp_path / "ca's.pem"), "smtp-use-starttls": "",
                    "smtp-auth": "plain"}
