"""Exports for other tools, read back by each tool's own rules (see export_readers.py): real
msmtp and git and bash where installed, readers of python-decouple's, PHP's and Postfix's
rules elsewhere. Property tests over every valid value are in test_export_properties.py."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from export_programs import POSTCONF, postconf_env
from export_readers import (
    GIT,
    SECRET,
    bash_env,
    clean_env,
    decouple_env,
    git_config,
    git_credential,
    make,
    msmtp_pretend,
    needs_bash,
    needs_git,
    needs_msmtp,
    read_defines,
    read_msmtprc,
    read_postfix,
)
from smtp_setup.core.exports.formats import (
    FORMAT_FILES,
    FORMATS,
    ExportProblem,
    render_export,
    suggested_filename,
)
from smtp_setup.core.profiles.model import SecretRef, Security

ONE_PROFILE_FORMATS = tuple(f for f in FORMATS if f not in ("msmtp", "git"))


# -- the API -----------------------------------------------------------------------------------
def test_formats_and_file_names():
    assert set(FORMATS) == {
        "msmtp", "git", "env", "wp-config", "postfix", "laravel", "nodemailer", "phpmailer",
        "rails", "swaks", "curl", "neomutt", "s-nail", "nullmailer", "dma", "gitea",
        "grafana", "gitlab", "nextcloud", "alertmanager", "mastodon"}
    assert all(FORMATS.values()) and set(FORMAT_FILES) == set(FORMATS)
    assert [suggested_filename(f) for f in list(FORMATS)[:5]] == [
        "msmtprc", "sendemail.gitconfig", ".env", "wp-config-smtp.php", "main.cf+sasl_passwd"]
    assert all("/" not in suggested_filename(f) for f in FORMATS)
    with pytest.raises(ExportProblem, match="choose one of: msmtp, git"):
        suggested_filename("mutt")
    with pytest.raises(ExportProblem, match="no export format 'mutt'"):
        render_export([make()], "mutt")
    with pytest.raises(ExportProblem, match="no profile"):
        render_export([], "msmtp")


@pytest.mark.parametrize("fmt", ONE_PROFILE_FORMATS)
def test_one_profile_formats_refuse_several_and_suggest_another_format(fmt):
    with pytest.raises(ExportProblem, match="holds one profile.*--format msmtp"):
        render_export([make("a"), make("b")], fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("field", ["host", "username", "from_email", "from_name", "ca_file",
                                   "password"])
@pytest.mark.parametrize("bad", ["\n", "\r", "\0"])
def test_line_breaks_and_nul_are_refused_everywhere(fmt, field, bad):
    value = f"x{bad}injected = yes"
    changes = {"password": SecretRef("command", value)} if field == "password" else {field: value}
    with pytest.raises(ExportProblem, match=r"line break or NUL.*smtp-setup edit work"):
        render_export([make(**changes)], fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_secret_with_a_line_break_is_refused_without_showing_it(fmt):
    profile = make(password=SecretRef("inline", "a\nb"))
    with pytest.raises(ExportProblem) as caught:
        render_export([profile], fmt, secrets={"work": "hidden\nvalue"})
    assert "hidden" not in str(caught.value) and "its password" in str(caught.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hand_edited_name_or_an_empty_host_is_refused(fmt):
    with pytest.raises(ExportProblem, match="not a valid profile name"):
        render_export([make(name="bad name")], fmt)
    with pytest.raises(ExportProblem, match="no host name"):
        render_export([make(host=" ")], fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["inline", "keyring", "env", "command"])
def test_no_secret_is_written_unless_it_was_passed(fmt, kind):
    value = {"inline": SECRET, "keyring": "smtp-setup/work", "env": "SMTP_PASSWORD",
             "command": "pass show smtp/work"}[kind]
    profile = make(password=SecretRef(kind, value))
    assert SECRET not in render_export([profile], fmt)
    assert SECRET in render_export([profile], fmt, secrets={"work": SECRET})
    # a secret for another profile, or for a profile with no user name, is not written
    assert SECRET not in render_export([profile], fmt, secrets={"other": SECRET})
    assert SECRET not in render_export([make(username=None)], fmt, secrets={"work": SECRET})


# -- msmtp -------------------------------------------------------------------------------------
@needs_msmtp
@pytest.mark.parametrize("security, tls, starttls", [
    (Security.STARTTLS, "on", "on"), (Security.TLS, "on", "off"), (Security.NONE, "off", None)])
def test_msmtp_reads_host_port_and_encryption(tmp_path, security, tls, starttls):
    profile = make(security=security, port=465 if security is Security.TLS else 587)
    seen = msmtp_pretend(tmp_path, render_export([profile], "msmtp"), "work",
                         run_password=True, SMTP_PASSWORD="from-env")
    assert (seen["host"], seen["port"], seen["tls"]) == ("smtp.example.com", str(profile.port), tls)
    if starttls:
        assert (seen["tls_starttls"], seen["tls_trust_file"], seen["tls_certcheck"]) == (
            starttls, "system", "on")
    # no encryption: msmtp sends a password in the clear only with a named method
    assert seen["auth"] == ("PLAIN" if security is Security.NONE else "choose")
    assert (seen["user"], seen["from"]) == ("apikey", "alerts@example.com")
    assert seen["passwordeval"] == "printenv SMTP_PASSWORD"
    assert seen["timeout"] == "20 seconds"


@needs_msmtp
def test_msmtp_trust_file_unchecked_certificates_and_no_login(tmp_path):
    pinned = make(ca_file="/etc/ssl/private ca/ca.pem", username=None)
    seen = msmtp_pretend(tmp_path, render_export([pinned], "msmtp"), "work")
    assert (seen["tls_trust_file"], seen["user"]) == ("/etc/ssl/private ca/ca.pem", "(not set)")
    assert read_msmtprc(render_export([pinned], "msmtp"))["work"]["auth"] == "off"
    unchecked = make(verify_certificates=False)
    text = render_export([unchecked], "msmtp")
    assert "# WARNING" in text
    assert msmtp_pretend(tmp_path, text, "work")["tls_certcheck"] == "off"


@needs_msmtp
def test_msmtp_default_account_and_several_profiles(tmp_path):
    text = render_export([make("work"), make("alerts", host="smtp.alerts.example")], "msmtp",
                         default="alerts")
    assert msmtp_pretend(tmp_path, text, None)["host"] == "smtp.alerts.example"
    assert msmtp_pretend(tmp_path, text, "work")["host"] == "smtp.example.com"
    # a profile literally named "default" already is msmtp's default account
    text = render_export([make("default"), make("alerts")], "msmtp", default="alerts")
    assert "account default :" not in text
    assert msmtp_pretend(tmp_path, text, None)["host"] == "smtp.example.com"


@needs_msmtp
def test_msmtp_keeps_quotes_and_blanks_at_the_ends_of_a_value(tmp_path):
    profile = make(username='"quoted"', from_email="a@example.com")
    text = render_export([profile], "msmtp", secrets={"work": "  padded\t"})
    assert read_msmtprc(text)["work"]["password"] == "  padded\t"
    assert msmtp_pretend(tmp_path, text, "work")["user"] == '"quoted"'


def test_msmtp_password_sources():
    def source_lines(ref: SecretRef | None, secrets=None) -> dict[str, str]:
        return read_msmtprc(render_export([make(password=ref)], "msmtp", secrets=secrets))["work"]

    keyring = source_lines(SecretRef("keyring", "smtp-setup/work"))
    assert keyring["passwordeval"] == "secret-tool lookup service smtp-setup username work"
    assert source_lines(SecretRef("command", "pass show 'smtp/work'"))["passwordeval"] == (
        "pass show 'smtp/work'")
    inline = source_lines(SecretRef("inline", SECRET))
    assert "password" not in inline and "passwordeval" not in inline
    assert source_lines(SecretRef("inline", SECRET), {"work": SECRET})["password"] == SECRET


def test_the_keyring_command_uses_python_keyrings_own_attributes():
    # python-keyring's Secret Service and libsecret backends file a secret under these
    # attributes; secret-tool must ask for exactly them.
    from keyring.backends import SecretService, libsecret

    text = render_export([make(password=SecretRef("keyring", "smtp-setup/work"))], "msmtp")
    command = read_msmtprc(text)["work"]["passwordeval"].split()
    asked = dict(zip(command[2::2], command[3::2], strict=True))
    assert command[:2] == ["secret-tool", "lookup"]
    assert asked == SecretService.Keyring()._query("smtp-setup", "work")
    assert asked == libsecret.Keyring()._query("smtp-setup", "work")


def test_msmtp_env_reference_prints_exactly_the_variable(tmp_path):
    text = render_export([make(password=SecretRef("env", "SMTP_PASSWORD"))], "msmtp")
    command = read_msmtprc(text)["work"]["passwordeval"]
    tricky = "a 'b' \"c\" \\n $HOME `x` -e"
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=10,
                          env=clean_env(tmp_path, SMTP_PASSWORD=tricky))
    assert done.stdout.decode() == tricky + "\n"  # msmtp drops the newline


def test_msmtp_refuses_what_it_cannot_hold():
    with pytest.raises(ExportProblem, match="%U, %H, %C or %M"):
        render_export([make(from_email="ops%Uteam@example.com")], "msmtp")
    with pytest.raises(ExportProblem, match="user name of profile 'work' is too long"):
        render_export([make(username="u" * 495)], "msmtp")
    accepted = read_msmtprc(render_export([make(username="u" * 490)], "msmtp"))
    assert accepted["work"]["user"] == "u" * 490
    long_command = SecretRef("command", "printf %s " + "x" * 600)
    with pytest.raises(ExportProblem, match="password command"):
        render_export([make(password=long_command)], "msmtp")


# -- git -----------------------------------------------------------------------------------------
@needs_git
@pytest.mark.parametrize("security, encryption", [
    (Security.TLS, "ssl"), (Security.STARTTLS, "tls"), (Security.NONE, None)])
def test_git_reads_sendemail_settings(tmp_path, security, encryption):
    profile = make(security=security, port=2525, from_name='Ops "Team", Inc.',
                   ca_file="~/certs/private ca.pem")
    seen = git_config(tmp_path, render_export([profile], "git"))
    assert seen["sendemail.smtpserver"] == "smtp.example.com"
    assert seen["sendemail.smtpserverport"] == "2525"
    assert seen.get("sendemail.smtpencryption") == encryption
    assert seen["sendemail.smtpuser"] == "apikey"
    assert seen["sendemail.from"] == '"Ops \\"Team\\", Inc." <alerts@example.com>'
    assert seen.get("sendemail.smtpsslcertpath") == (
        None if security is Security.NONE else "~/certs/private ca.pem")
    assert "sendemail.smtppass" not in seen


@needs_git
def test_git_identities_for_several_profiles(tmp_path):
    text = render_export([make("work"), make("lab", security=Security.TLS, port=465,
                                             verify_certificates=False)], "git", default="lab")
    seen = git_config(tmp_path, text)
    assert seen["sendemail.identity"] == "lab"
    assert seen["sendemail.work.smtpencryption"] == "tls"
    assert (seen["sendemail.lab.smtpencryption"], seen["sendemail.lab.smtpserverport"]) == (
        "ssl", "465")
    assert seen["sendemail.lab.smtpsslcertpath"] == ""  # git's "do not verify", with a warning
    assert "WARNING" in text


@needs_git
def test_git_asks_a_credential_helper_for_a_password_kept_by_reference(tmp_path):
    tricky = "p a'ss\"w$rd\\ `x`"
    by_env = render_export([make(password=SecretRef("env", "SMTP_PASSWORD"))], "git")
    assert tricky not in by_env
    assert git_credential(tmp_path, by_env, "smtp.example.com:587", SMTP_PASSWORD=tricky) == tricky

    secret_file = tmp_path / "pw file"
    secret_file.write_text(tricky + "\n", encoding="utf-8")
    command = SecretRef("command", f"cat '{secret_file}'")
    by_command = render_export([make(password=command)], "git")
    assert git_credential(tmp_path, by_command, "smtp.example.com:587") == tricky

    # the keyring: secret-tool with python-keyring's attributes (a stand-in on PATH checks them)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "secret-tool").write_text(
        '#!/bin/sh\n[ "$*" = "lookup service smtp-setup username work" ] && echo from-keyring\n')
    (tools / "secret-tool").chmod(0o755)
    by_keyring = render_export([make(password=SecretRef("keyring", "smtp-setup/work"))], "git")
    path = f"{tools}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    assert git_credential(tmp_path, by_keyring, "smtp.example.com:587", PATH=path) == "from-keyring"


@needs_git
def test_git_helper_answers_only_its_own_server(tmp_path):
    text = render_export([make(password=SecretRef("env", "SMTP_PASSWORD"))], "git")
    config = tmp_path / "sendemail.gitconfig"
    config.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [GIT, "credential", "fill"], input="protocol=smtp\nhost=smtp.example.com:465\n\n",
        capture_output=True, text=True, timeout=10,
        env=clean_env(tmp_path, GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1",
                      GIT_TERMINAL_PROMPT="0", SMTP_PASSWORD="x"))
    assert done.returncode != 0 and "password=" not in done.stdout


# -- env -------------------------------------------------------------------------------------------
@needs_bash
@pytest.mark.parametrize("security, use_tls, use_ssl", [
    (Security.STARTTLS, "True", "False"), (Security.TLS, "False", "True"),
    (Security.NONE, "False", "False")])
def test_env_is_read_by_the_shell_and_by_decouple(tmp_path, security, use_tls, use_ssl):
    profile = make(security=security, from_name="Zoë O'Brien", timeout=12.5)
    text = render_export([profile], "env", secrets={"work": SECRET})
    expected = {"EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": "587",
                "EMAIL_USE_TLS": use_tls, "EMAIL_USE_SSL": use_ssl,
                "EMAIL_HOST_USER": "apikey", "EMAIL_HOST_PASSWORD": SECRET,
                "DEFAULT_FROM_EMAIL": "Zoë O'Brien <alerts@example.com>",
                "EMAIL_TIMEOUT": "12.5"}
    shell = bash_env(tmp_path, text)
    assert {key: shell[key] for key in expected} == expected
    assert decouple_env(text) == expected


def test_env_without_secrets_leaves_a_comment_where_the_password_goes():
    text = render_export([make()], "env")
    assert "EMAIL_HOST_PASSWORD" not in decouple_env(text)
    assert "# EMAIL_HOST_PASSWORD=" in text
    assert "the environment variable SMTP_PASSWORD" in text


# -- wp-config -------------------------------------------------------------------------------------
@pytest.mark.parametrize("security, ssl, autotls", [
    (Security.STARTTLS, "tls", True), (Security.TLS, "ssl", True), (Security.NONE, "", False)])
def test_wp_config_constants(security, ssl, autotls):
    profile = make(security=security, from_name="Site \\ 'Ops'")
    defines = read_defines(render_export([profile], "wp-config", secrets={"work": "p'w\\"}))
    assert defines == {
        "WPMS_ON": True, "WPMS_MAILER": "smtp", "WPMS_SMTP_HOST": "smtp.example.com",
        "WPMS_SMTP_PORT": 587, "WPMS_SSL": ssl, "WPMS_SMTP_AUTOTLS": autotls,
        "WPMS_SMTP_AUTH": True, "WPMS_SMTP_USER": "apikey", "WPMS_SMTP_PASS": "p'w\\",
        "WPMS_MAIL_FROM": "alerts@example.com", "WPMS_MAIL_FROM_FORCE": True,
        "WPMS_MAIL_FROM_NAME": "Site \\ 'Ops'"}


def test_wp_config_password_by_reference():
    by_env = read_defines(render_export([make()], "wp-config"))
    assert by_env["WPMS_SMTP_PASS"] == ("getenv", "SMTP_PASSWORD")
    keyring = make(password=SecretRef("keyring", "smtp-setup/work"))
    assert "WPMS_SMTP_PASS" not in read_defines(render_export([keyring], "wp-config"))
    no_login = read_defines(render_export([make(username=None)], "wp-config"))
    assert no_login["WPMS_SMTP_AUTH"] is False and "WPMS_SMTP_USER" not in no_login


def test_wp_config_never_puts_a_value_in_a_php_comment():
    # `?>` in a // comment would end the PHP code; values only appear inside strings
    profile = make(password=SecretRef("command", "echo '?>'"), ca_file="/tmp/?>/ca.pem")
    text = render_export([profile], "wp-config")
    assert "?>" not in text


@pytest.mark.skipif(shutil.which("php") is None, reason="php is not installed")
def test_php_itself_reads_the_constants(tmp_path):
    path = tmp_path / "wp-config-smtp.php"
    profile = make(from_name="Zoë \\ 'x' ?> $y")
    path.write_text(render_export([profile], "wp-config", secrets={"work": SECRET}))
    done = subprocess.run(["php", "-r", f"require '{path}'; echo WPMS_MAIL_FROM_NAME, "
                           "\"\\n\", WPMS_SMTP_PASS;"], capture_output=True, text=True, timeout=10)
    assert done.stdout == f"{profile.from_name}\n{SECRET}"


# -- postfix ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("security, level, wrapper", [
    (Security.STARTTLS, "secure", None), (Security.TLS, "secure", "yes"),
    (Security.NONE, "may", None)])
def test_postfix_relay_lines(security, level, wrapper):
    text = render_export([make(security=security)], "postfix", secrets={"work": "pa ss:$w"})
    main_cf, sasl = read_postfix(text)
    assert main_cf["relayhost"] == "[smtp.example.com]:587"
    assert main_cf["smtp_sasl_auth_enable"] == "yes"
    assert main_cf["smtp_sasl_password_maps"] == "hash:/etc/postfix/sasl_passwd"
    assert main_cf["smtp_sasl_security_options"] == "noanonymous"
    assert main_cf["smtp_tls_security_level"] == level
    assert main_cf.get("smtp_tls_wrappermode") == wrapper
    key, value = sasl[0].split(None, 1)
    assert (key, *value.split(":", 1)) == ("[smtp.example.com]:587", "apikey", "pa ss:$w")
    assert "postmap hash:/etc/postfix/sasl_passwd" in text


def test_postfix_certificates_and_password_placeholder():
    unchecked, _ = read_postfix(render_export([make(verify_certificates=False)], "postfix"))
    assert unchecked["smtp_tls_security_level"] == "encrypt"
    by_ip, _ = read_postfix(render_export([make(host="127.0.0.1")], "postfix"))
    assert by_ip["smtp_tls_security_level"] == "encrypt"
    pinned, sasl = read_postfix(render_export([make(ca_file="/etc/ca $dir/ca.pem")], "postfix"))
    assert pinned["smtp_tls_CAfile"] == "/etc/ca $dir/ca.pem"
    assert sasl == []  # the password line stays a comment until it is filled in
    no_login, _ = read_postfix(render_export([make(username=None)], "postfix"))
    assert "smtp_sasl_auth_enable" not in no_login
    with pytest.raises(ExportProblem, match="colon"):
        render_export([make(username="a:b")], "postfix")
    with pytest.raises(ExportProblem, match="starts or ends with a space"):
        render_export([make()], "postfix", secrets={"work": " padded"})


@pytest.mark.skipif(POSTCONF is None, reason="postfix is not installed (.ci/install-export-tools "
                    "unpacks it)")
def test_postconf_reads_main_cf(tmp_path):
    text = render_export([make(ca_file="/etc/ca $dir/ca.pem")], "postfix")
    main = text.split("# --- /etc/postfix/main.cf")[1].split("\n# --- ")[0]
    (tmp_path / "main.cf").write_text(main.split("\n", 1)[1])
    done = subprocess.run([POSTCONF, "-c", str(tmp_path), "-h", "-x", "smtp_tls_CAfile",
                           "relayhost"], capture_output=True, text=True, timeout=10,
                          env={**os.environ, **postconf_env()})
    assert done.stdout.split("\n")[:2] == ["/etc/ca $dir/ca.pem", "[smtp.example.com]:587"]


