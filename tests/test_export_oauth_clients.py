"""OAuth profiles in the curl and neomutt exports, sent for real: each program asks
`smtp-setup token NAME` for a fresh access token and logs in with XOAUTH2 to an aiosmtpd
server on 127.0.0.1 that checks the token against the fake authorization server."""

from __future__ import annotations

import os

import pytest
from export_programs import CURL, NEOMUTT, needs, run
from smtp_setup.core.exports.formats import render_export
from support.cli import cli_env
from test_cli_oauth import BIN, USER, keyring_profile, store  # noqa: F401 (store: a fixture)

RECIPIENT = "rcpt@example.test"


def environment(tmp_path) -> dict[str, str]:
    return cli_env({"HOME": str(tmp_path), "PATH": BIN + os.pathsep + os.environ["PATH"]})


@needs(CURL, "curl")
def test_curl_logs_in_with_a_token_from_smtp_setup(store, smtp_xoauth2, fake_oauth,  # noqa: F811
                                                   test_keyring, tmp_path):
    server = smtp_xoauth2("exchange")
    keyring_profile(store, server, fake_oauth, test_keyring)
    text = render_export([store.load().profile("mail")], "curl")
    assert 'token="$(smtp-setup token mail)"' in text
    script = tmp_path / "curl-test.sh"
    script.write_text(text)
    done = run(["/bin/sh", str(script), RECIPIENT], env=environment(tmp_path))
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert [user for _, user in server.logins] == [USER]
    assert [m.rcpt_tos for m in server.messages] == [[RECIPIENT]]


@needs(NEOMUTT, "neomutt")
def test_neomutt_logs_in_with_a_token_from_smtp_setup(store, smtp_xoauth2,  # noqa: F811
                                                      fake_oauth, test_keyring, tmp_path):
    server = smtp_xoauth2("exchange")
    keyring_profile(store, server, fake_oauth, test_keyring)
    text = render_export([store.load().profile("mail")], "neomutt")
    assert "set smtp_authenticators = 'xoauth2'" in text
    muttrc = tmp_path / "neomuttrc"
    muttrc.write_text(text + "set copy = no\nset folder = /nonexistent\n")
    done = run([NEOMUTT, "-n", "-F", str(muttrc), "-s", "oauth", "--", RECIPIENT],
               input=b"Hello over XOAUTH2.\n", env=environment(tmp_path))
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert [m.rcpt_tos for m in server.messages] == [[RECIPIENT]]
    assert b"Hello over XOAUTH2." in server.messages[0].content


def test_formats_that_cannot_renew_a_token_refuse_oauth():
    from export_readers import make
    from smtp_setup.core.exports.formats import ExportProblem

    for fmt in ("laravel", "nodemailer", "phpmailer", "rails", "swaks", "s-nail", "nullmailer",
                "dma", "gitea", "grafana", "gitlab", "nextcloud", "alertmanager", "mastodon"):
        with pytest.raises(ExportProblem, match="OAuth.*--format msmtp"):
            render_export([make(auth="oauth2")], fmt)
