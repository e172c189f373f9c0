"""Exports for server applications, read back by each program's own parser in every
security mode: Gitea/Forgejo's app.ini and Grafana's grafana.ini (Python's configparser
with go-ini's quoting rules), GitLab's gitlab.rb (ruby), Nextcloud's config.php (php),
alertmanager.yml (amtool check-config, and a YAML library: Ruby's) and Mastodon's
.env.production (the shell and the dotenv rules)."""

from __future__ import annotations

import configparser
import json

import pytest
from export_programs import AMTOOL, PHP, RUBY, needs, run
from export_readers import SECRET, bash_env, decouple_env, make, needs_bash
from smtp_setup.core.exports.formats import ExportProblem, render_export
from smtp_setup.core.profiles.model import Security

MODES = [(Security.TLS, 465), (Security.STARTTLS, 587), (Security.NONE, 25)]
TRICKY = "p#w;`x` 'y' \"z\" $HOME \\"


def go_ini(text: str, section: str) -> dict[str, str]:
    """configparser for the structure, go-ini's rules for a value: backticks or triple
    double quotes keep it literally; else it is cut at an inline # or ;."""
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"),
                                       strict=True)
    parser.optionxform = str
    parser.read_string(text)
    values = {}
    for key, raw in parser[section].items():
        if len(raw) >= 2 and raw[0] == raw[-1] == "`":
            values[key] = raw[1:-1]
        elif raw.startswith('"""') and raw.endswith('"""'):
            values[key] = raw[3:-3]
        else:
            assert "#" not in raw and ";" not in raw, raw
            values[key] = raw
    return values


# -- gitea / forgejo ----------------------------------------------------------------------------
@pytest.mark.parametrize("security, port, protocol", [
    (Security.TLS, 465, "smtps"), (Security.STARTTLS, 587, "smtp+starttls"),
    (Security.NONE, 25, "smtp")])
def test_gitea_mailer_section(security, port, protocol):
    login = security is not Security.NONE  # Go sends no password without TLS
    profile = make(security=security, port=port, username="apikey" if login else None,
                   from_name='Ops "Team"')
    seen = go_ini(render_export([profile], "gitea", secrets={"work": TRICKY}), "mailer")
    expected = {"ENABLED": "true", "PROTOCOL": protocol, "SMTP_ADDR": "smtp.example.com",
                "SMTP_PORT": str(port), "FROM": '"Ops \\"Team\\"" <alerts@example.com>'}
    if login:
        expected |= {"USER": "apikey", "PASSWD": TRICKY}
    assert seen == expected


def test_gitea_refuses_a_password_without_encryption_and_keeps_references_out():
    with pytest.raises(ExportProblem, match="Go's SMTP client refuses"):
        render_export([make(security=Security.NONE, port=25)], "gitea")
    text = render_export([make(verify_certificates=False)], "gitea")
    assert go_ini(text, "mailer")["FORCE_TRUST_SERVER_CERT"] == "true"
    assert "PASSWD" not in go_ini(text, "mailer") and "GITEA__mailer__PASSWD" in text


# -- grafana --------------------------------------------------------------------------------------
@pytest.mark.parametrize("security, port, policy", [
    (Security.TLS, 465, "NoStartTLS"), (Security.STARTTLS, 587, "MandatoryStartTLS"),
    (Security.NONE, 25, "NoStartTLS")])
def test_grafana_smtp_section(security, port, policy):
    login = security is not Security.NONE
    profile = make(security=security, port=port, username="apikey" if login else None)
    seen = go_ini(render_export([profile], "grafana", secrets={"work": TRICKY}), "smtp")
    assert seen["host"] == f"smtp.example.com:{port}"
    assert seen["startTLS_policy"] == policy
    assert (seen["from_address"], seen["from_name"]) == ("alerts@example.com",
                                                         "Example Alerts")
    assert seen.get("password") == (TRICKY if login else None)
    by_env = render_export([make(security=security, port=port)], "grafana") if login else ""
    assert not login or go_ini(by_env, "smtp")["password"] == "$__env{SMTP_PASSWORD}"


def test_grafana_refuses_implicit_tls_off_port_465():
    with pytest.raises(ExportProblem, match="implicit TLS on port 465 and only there"):
        render_export([make(security=Security.TLS, port=2465)], "grafana")


# -- gitlab ---------------------------------------------------------------------------------------
@needs(RUBY, "ruby")
@pytest.mark.parametrize("security, port", MODES)
def test_gitlab_rb_read_by_ruby(tmp_path, security, port):
    path = tmp_path / "gitlab.rb"
    profile = make(security=security, port=port, from_name="O'Brien #{x}",
                   ca_file="/etc/ssl/private ca.pem")
    path.write_text(render_export([profile], "gitlab"), encoding="utf-8")
    done = run([RUBY, "-rjson", "-e", "gitlab_rails = {}; eval(File.read(ARGV[0])); "
                "puts JSON.generate(gitlab_rails)", str(path)], env={"SMTP_PASSWORD": "pw"})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    seen = json.loads(done.stdout)
    assert (seen["smtp_address"], seen["smtp_port"]) == ("smtp.example.com", port)
    assert seen["smtp_tls"] is (security is Security.TLS)
    assert seen["smtp_enable_starttls_auto"] is (security is Security.STARTTLS)
    assert not (seen["smtp_tls"] and seen["smtp_enable_starttls_auto"])  # GitLab refuses both
    assert (seen["smtp_user_name"], seen["smtp_password"]) == ("apikey", "pw")
    assert seen["gitlab_email_display_name"] == "O'Brien #{x}"
    assert seen.get("smtp_ca_file") == (None if security is Security.NONE
                                        else "/etc/ssl/private ca.pem")


def test_gitlab_refuses_quotes_in_an_included_password():
    with pytest.raises(ExportProblem, match="gitlab:smtp:secret:edit"):
        render_export([make()], "gitlab", secrets={"work": "it's"})


# -- nextcloud ------------------------------------------------------------------------------------
@needs(PHP, "php")
@pytest.mark.parametrize("security, port", MODES)
def test_nextcloud_config_read_by_php(tmp_path, security, port):
    path = tmp_path / "smtp.config.php"
    profile = make(security=security, port=port, verify_certificates=False)
    path.write_text(render_export([profile], "nextcloud", secrets={"work": "a'b\\?>"}))
    done = run([PHP, "-r", "require $argv[1]; echo json_encode($CONFIG);", str(path)])
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    seen = json.loads(done.stdout)
    assert seen | {"mail_smtpstreamoptions": None} == {
        "mail_smtpmode": "smtp", "mail_smtphost": "smtp.example.com", "mail_smtpport": port,
        "mail_smtpsecure": "ssl" if security is Security.TLS else "",
        "mail_smtptimeout": 20, "mail_smtpauth": True, "mail_smtpname": "apikey",
        "mail_smtppassword": "a'b\\?>", "mail_from_address": "alerts",
        "mail_domain": "example.com", "mail_smtpstreamoptions": None}
    if security is not Security.NONE:
        assert seen["mail_smtpstreamoptions"] == {"ssl": {"verify_peer": False,
                                                          "verify_peer_name": False}}


@needs(PHP, "php")
def test_nextcloud_reads_the_password_from_the_environment(tmp_path):
    path = tmp_path / "smtp.config.php"
    path.write_text(render_export([make()], "nextcloud"))
    done = run([PHP, "-r", "require $argv[1]; echo $CONFIG['mail_smtppassword'];", str(path)],
               env={"SMTP_PASSWORD": SECRET})
    assert done.stdout.decode() == SECRET


# -- alertmanager ---------------------------------------------------------------------------------
@needs(AMTOOL, "amtool (prometheus-alertmanager)")
@needs(RUBY, "ruby (its YAML library reads the file back)")
@pytest.mark.parametrize("security, port", MODES)
def test_alertmanager_yml_checked_by_amtool(tmp_path, security, port):
    login = security is not Security.NONE
    profile = make(security=security, port=port, username="apikey" if login else None,
                   ca_file="/etc/ssl/ca: 'x'.pem")
    path = tmp_path / "alertmanager.yml"
    path.write_text(render_export([profile], "alertmanager", secrets={"work": TRICKY}))
    done = run([AMTOOL, "check-config", str(path)])
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    done = run([RUBY, "-ryaml", "-rjson", "-e", "puts JSON.generate(YAML.load_file(ARGV[0]))",
                str(path)])
    seen = json.loads(done.stdout)
    assert seen["global"]["smtp_smarthost"] == f"smtp.example.com:{port}"
    assert seen["global"]["smtp_require_tls"] is (security is Security.STARTTLS)
    assert seen["global"].get("smtp_auth_password") == (TRICKY if login else None)
    email = seen["receivers"][0]["email_configs"][0]
    assert email.get("tls_config") == (None if not login else {"ca_file": profile.ca_file})


def test_alertmanager_password_file_and_refusals():
    text = render_export([make()], "alertmanager")
    assert 'smtp_auth_password_file: "/etc/alertmanager/smtp_password"' in text
    with pytest.raises(ExportProblem, match="implicit TLS on port 465"):
        render_export([make(security=Security.TLS, port=2465)], "alertmanager")
    with pytest.raises(ExportProblem, match="no backup relay"):
        render_export([make()], "alertmanager", fallback=make("backup"))


# -- mastodon -------------------------------------------------------------------------------------
@needs_bash
@pytest.mark.parametrize("security, port, tls, starttls", [
    (Security.TLS, 465, "true", "never"), (Security.STARTTLS, 587, "false", "always"),
    (Security.NONE, 25, "false", "never")])
def test_mastodon_env_read_by_the_shell_and_dotenv_rules(tmp_path, security, port, tls,
                                                         starttls):
    profile = make(security=security, port=port, from_name="Zoë")
    text = render_export([profile], "mastodon", secrets={"work": SECRET})
    expected = {"SMTP_DELIVERY_METHOD": "smtp", "SMTP_SERVER": "smtp.example.com",
                "SMTP_PORT": str(port), "SMTP_TLS": tls, "SMTP_ENABLE_STARTTLS": starttls,
                "SMTP_AUTH_METHOD": "plain", "SMTP_LOGIN": "apikey", "SMTP_PASSWORD": SECRET,
                "SMTP_FROM_ADDRESS": "Zoë <alerts@example.com>"}
    if security is not Security.NONE:
        expected["SMTP_OPENSSL_VERIFY_MODE"] = "peer"
    assert decouple_env(text) == expected
    shell = bash_env(tmp_path, text)
    assert {key: shell[key] for key in expected} == expected
    by_env = bash_env(tmp_path, "SMTP_PASSWORD=from-env\n" + render_export([profile],
                                                                           "mastodon"))
    assert by_env["SMTP_PASSWORD"] == "from-env"  # make() keeps it in $SMTP_PASSWORD
