"""Mastodon's .env.production sent for real: the dotenv gem (Mastodon's own .env reader)
loads the exported file, the SMTP_* variables become ActionMailer's smtp_settings as
Mastodon 4.2's config/environments/production.rb maps them, and the `mail` gem sends
through aiosmtpd on 127.0.0.1 in every mode."""

from __future__ import annotations

import pytest
from export_programs import RUBY, run
from export_sends import MODES, assert_arrived, recording_server
from smtp_setup.core.exports.formats import render_export
from smtp_setup.core.profiles.model import SecretRef

ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"
MASTODON_SEND = r"""
require 'dotenv'
require 'mail'
Dotenv.load(ARGV[0])
def presence(value) = (value.nil? || value.empty?) ? nil : value
enable_starttls = nil
enable_starttls_auto = nil
case ENV['SMTP_ENABLE_STARTTLS']
when 'always' then enable_starttls = true
when 'never' then enable_starttls = false
when 'auto' then enable_starttls_auto = true
else enable_starttls_auto = ENV['SMTP_ENABLE_STARTTLS_AUTO'] != 'false'
end
settings = {
  port: ENV['SMTP_PORT'], address: ENV['SMTP_SERVER'],
  user_name: presence(ENV['SMTP_LOGIN']), password: presence(ENV['SMTP_PASSWORD']),
  authentication: ENV['SMTP_AUTH_METHOD'] == 'none' ? nil : ENV['SMTP_AUTH_METHOD'] || :plain,
  ca_file: presence(ENV['SMTP_CA_FILE']) || '/etc/ssl/certs/ca-certificates.crt',
  openssl_verify_mode: ENV['SMTP_OPENSSL_VERIFY_MODE'],
  enable_starttls: enable_starttls, enable_starttls_auto: enable_starttls_auto,
  tls: presence(ENV['SMTP_TLS']) && ENV['SMTP_TLS'] == 'true',
  ssl: presence(ENV['SMTP_SSL']) && ENV['SMTP_SSL'] == 'true',
}
message = Mail.new(to: 'rcpt@example.test', from: ENV['SMTP_FROM_ADDRESS'],
                   subject: 'smtp-setup', body: 'Hello from Mastodon.')
message.delivery_method(:smtp, settings)
message.deliver!
"""


def ruby_has(*libraries: str) -> bool:
    return RUBY is not None and all(
        run([RUBY, "-e", f"require '{lib}'"]).returncode == 0 for lib in libraries)


@pytest.mark.skipif(not ruby_has("mail", "dotenv"), reason="ruby with the mail and dotenv "
                    "gems is not installed (ruby-mail ruby-dotenv; .ci/install-export-tools)")
@pytest.mark.parametrize("kind", MODES)
def test_mastodon_env_sends_through_actionmailer_settings(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="social", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "mastodon")
    assert server.password not in text
    path = tmp_path / ".env.production"
    path.write_text(text, encoding="utf-8")
    done = run([RUBY, "-e", MASTODON_SEND, str(path)], env={ENV_VAR: server.password})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert_arrived(server, kind, b"Hello from Mastodon.")
    assert server.messages[0].mail_from == "sender@example.test"
