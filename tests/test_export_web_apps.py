"""Exports for web applications and their mail libraries, read back by the programs
themselves and, where they send, sending through aiosmtpd on 127.0.0.1 with the security
of each mode: Laravel's .env (the shell and the dotenv rules), nodemailer (node), PHPMailer
(php with the packaged PHPMailer), Rails (ruby with the `mail` gem ActionMailer uses) and
Mastodon's .env.production."""

from __future__ import annotations

import json

import pytest
from export_programs import NODE, NODEMAILER, PHP, PHPMAILER, RUBY, needs, ruby_has_mail, run
from export_readers import SECRET, bash_env, decouple_env, make, needs_bash
from export_sends import MODES, assert_arrived, recording_server
from smtp_setup.core.exports.formats import ExportProblem, render_export
from smtp_setup.core.profiles.model import SecretRef, Security

ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"
RECIPIENT = "rcpt@example.test"
SECURITIES = {"tls": Security.TLS, "starttls": Security.STARTTLS, "plain": Security.NONE}


# -- laravel ----------------------------------------------------------------------------------
@needs_bash
@pytest.mark.parametrize("security, port, scheme, encryption", [
    (Security.TLS, 465, "smtps", "ssl"), (Security.STARTTLS, 587, "smtp", "tls"),
    (Security.NONE, 25, "smtp", "null")])
def test_laravel_env_read_by_the_shell_and_dotenv_rules(tmp_path, security, port, scheme,
                                                        encryption):
    profile = make(security=security, port=port, from_name="Zoë O'Brien")
    text = render_export([profile], "laravel")
    expected = {"MAIL_MAILER": "smtp", "MAIL_HOST": "smtp.example.com", "MAIL_PORT": str(port),
                "MAIL_SCHEME": scheme, "MAIL_ENCRYPTION": encryption,
                "MAIL_USERNAME": "apikey", "MAIL_FROM_ADDRESS": "alerts@example.com",
                "MAIL_FROM_NAME": "Zoë O'Brien"}
    shell = bash_env(tmp_path, text.replace('"${SMTP_PASSWORD}"', "x"))
    assert {key: shell[key] for key in expected} == expected
    assert {k: v for k, v in decouple_env(text).items() if k != "MAIL_PASSWORD"} == expected
    # the password stays a reference that the reader expands from the environment
    assert 'MAIL_PASSWORD="${SMTP_PASSWORD}"' in text
    with_env = bash_env(tmp_path, "SMTP_PASSWORD=from-env\n" + text)
    assert with_env["MAIL_PASSWORD"] == "from-env"
    assert "MAIL_ENCRYPTION=tls" not in text or port != 465  # the classic mistake


def test_laravel_includes_a_secret_only_when_asked_and_notes_other_sources():
    assert decouple_env(render_export([make()], "laravel", secrets={"work": SECRET}))[
        "MAIL_PASSWORD"] == SECRET
    by_command = render_export([make(password=SecretRef("command", "pass show x"))], "laravel")
    assert "# MAIL_PASSWORD=" in by_command and "pass show x" in by_command
    with pytest.raises(ExportProblem, match="OAuth"):
        render_export([make(auth="oauth2")], "laravel")


# -- nodemailer -------------------------------------------------------------------------------
NODE_SEND = """
const nodemailer = require("nodemailer");
const options = require(process.argv[1]);
nodemailer.createTransport(options, options.defaults)
  .sendMail({ to: "@RECIPIENT@", subject: "smtp-setup", text: "Hello from nodemailer." })
  .then(() => process.exit(0), (error) => { console.error(error.message); process.exit(1); });
""".replace("@RECIPIENT@", RECIPIENT)


@needs(NODE, "node")
@needs(NODEMAILER, "nodemailer (npm)")
@pytest.mark.parametrize("kind", MODES)
def test_nodemailer_sends_with_the_exported_options(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="web", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "nodemailer")
    assert server.password not in text
    path = tmp_path / "smtp-transport.js"
    path.write_text(text, encoding="utf-8")
    done = run([NODE, "-e", NODE_SEND, str(path)],
               env={"NODE_PATH": NODEMAILER, ENV_VAR: server.password})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert_arrived(server, kind, b"Hello from nodemailer.")
    assert server.messages[0].mail_from == "sender@example.test"


@needs(NODE, "node")
@pytest.mark.parametrize("security", list(Security))
def test_nodemailer_options_read_by_node(tmp_path, security):
    secret_file = tmp_path / "pw"
    secret_file.write_text("p'w\"$x\n", encoding="utf-8")
    profile = make(security=security, ca_file=str(tmp_path / "ca.pem"),
                   password=SecretRef("command", f"cat '{secret_file}'"),
                   from_name='Ops "Team"')
    (tmp_path / "ca.pem").write_text("PEM")
    path = tmp_path / "smtp-transport.js"
    path.write_text(render_export([profile], "nodemailer"), encoding="utf-8")
    done = run([NODE, "-e", "const o = require(process.argv[1]); o.tls && o.tls.ca && "
                "(o.tls.ca = o.tls.ca.toString()); console.log(JSON.stringify(o))", str(path)])
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    options = json.loads(done.stdout)
    assert options["auth"] == {"user": "apikey", "pass": "p'w\"$x"}
    assert options["secure"] is (security is Security.TLS)
    assert options.get("requireTLS", False) is (security is Security.STARTTLS)
    assert options.get("ignoreTLS", False) is (security is Security.NONE)
    assert options.get("tls", {}).get("ca") == (None if security is Security.NONE else "PEM")
    assert options["defaults"] == {"from": {"name": 'Ops "Team"',
                                            "address": "alerts@example.com"}}


# -- phpmailer --------------------------------------------------------------------------------
PHP_SEND = """
require '@PHPMAILER@';
use PHPMailer\\PHPMailer\\PHPMailer;
$mail = new PHPMailer(true);
$configure = require $argv[1];
$configure($mail);
$mail->addAddress('@RECIPIENT@');
$mail->Subject = 'smtp-setup';
$mail->Body = 'Hello from PHPMailer.';
$mail->send();
""".replace("@PHPMAILER@", str(PHPMAILER)).replace("@RECIPIENT@", RECIPIENT)


@needs(PHP, "php")
@needs(PHPMAILER, "PHPMailer (Debian package libphp-phpmailer)")
@pytest.mark.parametrize("kind", MODES)
def test_phpmailer_sends_with_the_exported_settings(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="web", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "phpmailer")
    assert server.password not in text
    path = tmp_path / "phpmailer-smtp.php"
    path.write_text(text, encoding="utf-8")
    done = run([PHP, "-r", PHP_SEND, str(path)], env={ENV_VAR: server.password})
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from PHPMailer.")
    assert server.messages[0].mail_from == "sender@example.test"


@needs(PHP, "php")
@needs(PHPMAILER, "PHPMailer (Debian package libphp-phpmailer)")
def test_phpmailer_password_from_a_command_and_an_included_secret(tmp_path):
    secret_file = tmp_path / "pw"
    secret_file.write_text("p'w\\$x\n", encoding="utf-8")
    show = (PHP_SEND.split("$mail->addAddress")[0]
            + "echo json_encode([$mail->Password, $mail->From, $mail->FromName]);")
    for ref, secrets, expected in [
            (SecretRef("command", f"cat '{secret_file}'"), None, "p'w\\$x"),
            (SecretRef("inline", "x"), {"work": "a'b\\c ?>"}, "a'b\\c ?>")]:
        path = tmp_path / "phpmailer-smtp.php"
        path.write_text(render_export([make(password=ref, from_name="O'Brien ?>")],
                                      "phpmailer", secrets=secrets), encoding="utf-8")
        done = run([PHP, "-r", show, str(path)])
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert json.loads(done.stdout) == [expected, "alerts@example.com", "O'Brien ?>"]


# -- rails --------------------------------------------------------------------------------------
RUBY_SEND = """
require 'mail'
Mailer = Struct.new(:delivery_method, :raise_delivery_errors, :smtp_settings, :default_options)
config = Struct.new(:action_mailer).new(Mailer.new)
eval(File.read(ARGV[0]))
settings = config.action_mailer
message = Mail.new(to: '@RECIPIENT@', from: settings.default_options[:from], subject: 'smtp-setup',
                   body: 'Hello from ActionMailer.')
message.delivery_method(settings.delivery_method, settings.smtp_settings)
message.deliver!
""".replace("@RECIPIENT@", RECIPIENT)


@pytest.mark.skipif(not ruby_has_mail(), reason="ruby with the mail gem is not installed "
                    "(ruby-mail; .ci/install-export-tools installs it)")
@pytest.mark.parametrize("kind", MODES)
def test_rails_settings_send_through_the_mail_gem(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="web", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "rails")
    assert server.password not in text
    path = tmp_path / "smtp_settings.rb"
    path.write_text(text, encoding="utf-8")
    done = run([RUBY, "-e", RUBY_SEND, str(path)], env={ENV_VAR: server.password})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert_arrived(server, kind, b"Hello from ActionMailer.")


@needs(RUBY, "ruby")
def test_rails_settings_read_by_ruby(tmp_path):
    profile = make(security=Security.TLS, port=465, verify_certificates=False,
                   from_name="O'Brien \\ #{x}")
    path = tmp_path / "smtp_settings.rb"
    path.write_text(render_export([profile], "rails", secrets={"work": "p'#{w}\\"}))
    done = run([RUBY, "-rjson", "-e", RUBY_SEND.split("eval")[0].replace("require 'mail'", "")
                + "eval(File.read(ARGV[0])); a = config.action_mailer; "
                "puts JSON.generate([a.smtp_settings, a.default_options])", str(path)])
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    settings, defaults = json.loads(done.stdout)
    assert settings == {"address": "smtp.example.com", "port": 465, "tls": True,
                        "openssl_verify_mode": "none", "open_timeout": 20, "read_timeout": 20,
                        "user_name": "apikey", "authentication": "plain",
                        "password": "p'#{w}\\"}
    assert defaults == {"from": "\"O'Brien \\\\ #{x}\" <alerts@example.com>"}
