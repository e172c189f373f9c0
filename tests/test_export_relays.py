"""Exports for relay-only mail transport agents, run for real: nullmailer-send (unpacked
from its .deb, with NULLMAILER_TEST_PREFIX pointing it at a private config and queue)
delivers through aiosmtpd on 127.0.0.1 in every security mode and falls back to the second
remote; dma reads its dma.conf and sends; Postfix's postconf reads main.cf with a fallback
relay. Nothing here installs or starts a system MTA."""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile

import pytest
from export_programs import (
    DMA,
    NULLMAILER_SEND,
    POSTCONF,
    ROOT,
    UNSHARE,
    can_unshare,
    needs,
    postconf_env,
    run,
)
from export_readers import SECRET, make
from export_sends import MODES, assert_arrived, recording_server
from smtp_fixtures import free_port
from smtp_setup.core.exports.formats import ExportProblem, render_export
from smtp_setup.core.profiles.model import Security

RECIPIENT = "rcpt@example.test"
MESSAGE = "Subject: smtp-setup relay test\n\nHello from the relay.\n"


def nullmailer_send(tmp_path, remotes: str):
    """Queue one message in a private nullmailer tree and run nullmailer-send once."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "remotes").write_text(remotes, encoding="utf-8")
    (tmp_path / "conf" / "pausetime").write_text("0\n")  # one pass over the queue, then exit
    (tmp_path / "conf" / "me").write_text("relay.example.test\n")
    for folder in ("queue/queue", "queue/tmp", "queue/failed", "protocols"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "queue" / "trigger").touch()
    smtp = ROOT / "usr/lib/nullmailer/smtp" if not NULLMAILER_SEND.startswith("/usr/") \
        else "/usr/lib/nullmailer/smtp"
    (tmp_path / "protocols" / "smtp").symlink_to(smtp)
    (tmp_path / "queue" / "queue" / "1.1").write_text(
        f"sender@example.test\n{RECIPIENT}\n\n{MESSAGE}", encoding="utf-8")
    return run([NULLMAILER_SEND], env={"NULLMAILER_TEST_PREFIX": str(tmp_path)}, timeout=60)


@needs(NULLMAILER_SEND, "nullmailer")
@pytest.mark.parametrize("kind", MODES)
def test_nullmailer_sends_with_the_exported_remote(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="relay")
    text = render_export([profile], "nullmailer", secrets={"relay": server.password})
    done = nullmailer_send(tmp_path, text)
    assert b"Sent file." in done.stdout, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from the relay.")


@needs(NULLMAILER_SEND, "nullmailer")
def test_nullmailer_falls_back_to_the_second_remote(smtp_server_factory, tmp_path):
    server = recording_server(smtp_server_factory, "tls")
    broken = server.profile(name="primary", port=free_port())  # nothing listens there
    text = render_export([broken], "nullmailer", fallback=server.profile(name="backup"),
                         secrets={"primary": "x", "backup": server.password})
    assert text.count(" smtp --port=") == 2 and "# Fallback" in text
    done = nullmailer_send(tmp_path, text)
    assert b"Sent file." in done.stdout, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, "tls", b"Hello from the relay.")


def test_nullmailer_without_secrets_and_what_it_refuses():
    text = render_export([make()], "nullmailer")
    assert text.splitlines()[-1] == (
        "#smtp.example.com smtp --port=587 --starttls --user=apikey --pass=")
    assert SECRET not in text
    with pytest.raises(ExportProblem, match="blanks.*--format msmtp"):
        render_export([make()], "nullmailer", secrets={"work": "two words"})
    with pytest.raises(ExportProblem, match="OAuth"):
        render_export([make(auth="oauth2")], "nullmailer")
    with pytest.raises(ExportProblem, match="own fallback"):
        render_export([make()], "nullmailer", fallback=make())


@pytest.mark.parametrize("fmt", ["msmtp", "laravel", "alertmanager"])
def test_formats_without_a_backup_relay_refuse_a_fallback(fmt):
    with pytest.raises(ExportProblem, match=f"The {fmt} format has no backup relay"):
        render_export([make()], fmt, fallback=make("backup"))


# -- dma ----------------------------------------------------------------------------------------
def dma_send(tmp_path, text: str):
    """Run dma with the exported files as /etc/dma, in a private mount namespace: dma reads
    only /etc/dma/dma.conf, and the machine's own /etc is never touched."""
    etc = tmp_path / "etc"
    (etc / "dma").mkdir(parents=True)
    for name in ("passwd", "group", "nsswitch.conf", "hosts", "hostname"):
        if os.path.exists(f"/etc/{name}"):
            shutil.copy(f"/etc/{name}", etc / name)
    conf = text.split("# --- /etc/dma/dma.conf ---\n")[1].split("\n# --- ")[0]
    # dma writes its queue as the mail group: a folder outside pytest's private tmp_path
    spool = tempfile.mkdtemp(prefix="dma-spool-")
    os.chmod(spool, 0o1777)
    (etc / "dma" / "dma.conf").write_text(conf + f"\nSPOOLDIR {spool}\n")
    if "# --- /etc/dma/auth.conf" in text:
        (etc / "dma" / "auth.conf").write_text(text.split("---\n")[-1])
    script = (f"mount --bind {shlex.quote(str(etc))} /etc && "
              f"timeout -s KILL 20 {shlex.quote(DMA)} -D -f sender@example.test {RECIPIENT}")
    try:
        return run([UNSHARE, "-m", "--propagation", "private", "sh", "-c", script],
                   input=MESSAGE.encode())
    finally:
        shutil.rmtree(spool, ignore_errors=True)


@needs(DMA, "dma")
@pytest.mark.skipif(not can_unshare(), reason="no private mount namespace here (unshare -m "
                    "needs CAP_SYS_ADMIN), and dma reads only /etc/dma/dma.conf")
@pytest.mark.parametrize("kind", MODES)
def test_dma_sends_with_the_exported_conf(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="relay")
    text = render_export([profile], "dma", secrets={"relay": server.password})
    done = dma_send(tmp_path, text)
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from the relay.")


def test_dma_without_secrets_and_what_it_refuses():
    text = render_export([make()], "dma")
    assert text.splitlines()[-1] == "#apikey|smtp.example.com:" and SECRET not in text
    assert "does not check the server's certificate" in text
    with pytest.raises(ExportProblem, match=r"\| or :"):
        render_export([make(username="a|b")], "dma")


# -- postfix with a fallback relay ---------------------------------------------------------------
def postfix_files(tmp_path, text: str):
    """Split the export into main.cf and sasl_passwd, as the comments tell a user to."""
    main = text.split("# --- /etc/postfix/main.cf")[1].split("\n# --- ")[0].split("\n", 1)[1]
    sasl = text.split("# --- /etc/postfix/sasl_passwd ---\n")[1].split("\n# --- ")[0]
    (tmp_path / "main.cf").write_text(main)
    (tmp_path / "sasl_passwd").write_text(sasl)


@needs(POSTCONF, "postfix (postconf)")
def test_postfix_reads_the_fallback_relay_and_both_logins(tmp_path):
    primary = make("primary", port=465, security=Security.TLS)
    backup = make("backup", host="smtp.backup.example", port=465, security=Security.TLS,
                  username="second")
    text = render_export([primary], "postfix", fallback=backup,
                         secrets={"primary": "pw-1", "backup": "pw:2"})
    postfix_files(tmp_path, text)
    env = postconf_env()
    done = run([POSTCONF, "-c", str(tmp_path), "-h", "relayhost", "smtp_fallback_relay",
                "smtp_tls_wrappermode"], env=env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout.decode().split() == [
        "[smtp.example.com]:465", "[smtp.backup.example]:465", "yes"]
    postmap = POSTCONF.replace("postconf", "postmap")
    with open(tmp_path / "main.cf", "a") as main_cf:  # this machine has no postfix user
        main_cf.write("mail_owner = daemon\nsetgid_group = mail\n")
    for relay, login in [("[smtp.example.com]:465", "apikey:pw-1"),
                         ("[smtp.backup.example]:465", "second:pw:2")]:
        done = run([postmap, "-c", str(tmp_path), "-q", relay,
                    f"texthash:{tmp_path / 'sasl_passwd'}"], env=env)
        assert done.stdout.decode().strip() == login, done.stderr.decode(errors="replace")


def test_postfix_fallback_must_be_secured_like_the_main_relay():
    with pytest.raises(ExportProblem, match="one TLS setting to every relay"):
        render_export([make("a")], "postfix",
                      fallback=make("b", security=Security.TLS, port=465))
    text = render_export([make("a")], "postfix", fallback=make("b", host="backup.example"))
    assert "#[backup.example]:587 apikey:" in text  # its password, to be filled in
    with pytest.raises(ExportProblem, match="export b as the main profile"):
        render_export([make("a", username=None)], "postfix", fallback=make("b"))
