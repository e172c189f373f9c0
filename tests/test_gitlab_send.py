"""GitLab's gitlab.rb sent for real: ruby evaluates the exported lines, the smtp_* keys
become ActionMailer's smtp_settings as Omnibus GitLab's smtp_settings.rb template maps them
(smtp_address -> address, smtp_tls -> tls, ...), and the `mail` gem sends through aiosmtpd
on 127.0.0.1 in every mode."""

from __future__ import annotations

import pytest
from export_programs import RUBY, ruby_has_mail, run
from export_sends import MODES, assert_arrived, recording_server
from smtp_setup.core.exports.formats import render_export
from smtp_setup.core.profiles.model import SecretRef

ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"
GITLAB_SEND = r"""
require 'mail'
gitlab_rails = {}
eval(File.read(ARGV[0]))
keys = %w[address port user_name password authentication enable_starttls_auto tls
          openssl_verify_mode ca_file open_timeout read_timeout]
settings = keys.to_h { |key| [key.to_sym, gitlab_rails["smtp_#{key}"]] }.compact
settings[:authentication] = settings[:authentication]&.to_sym
message = Mail.new(to: 'rcpt@example.test', from: gitlab_rails['gitlab_email_from'],
                   subject: 'smtp-setup', body: 'Hello from GitLab.')
message.delivery_method(:smtp, settings)
message.deliver!
"""


@pytest.mark.skipif(not ruby_has_mail(), reason="ruby with the mail gem is not installed "
                    "(ruby-mail; .ci/install-export-tools installs it)")
@pytest.mark.parametrize("kind", MODES)
def test_gitlab_rb_sends_through_actionmailer_settings(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="forge", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "gitlab")
    assert server.password not in text
    path = tmp_path / "gitlab.rb"
    path.write_text(text, encoding="utf-8")
    done = run([RUBY, "-e", GITLAB_SEND, str(path)], env={ENV_VAR: server.password})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert_arrived(server, kind, b"Hello from GitLab.")
