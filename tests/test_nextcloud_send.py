"""Nextcloud's config/smtp.config.php sent for real: php loads the exported $CONFIG and
Symfony Mailer's EsmtpTransport is set up from it as Nextcloud's Mailer::getSmtpInstance
does (implicit TLS for 'ssl', the stream options as given, the login when mail_smtpauth),
then sends through aiosmtpd on 127.0.0.1 in every mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_programs import PHP, needs, run
from export_sends import MODES, assert_arrived, recording_server
from smtp_setup.core.exports.formats import render_export
from smtp_setup.core.profiles.model import SecretRef

SYMFONY = Path("/usr/share/php/Symfony/Component/Mailer/autoload.php")
ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"
NEXTCLOUD_SEND = r"""
require '@SYMFONY@';
use Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport;
use Symfony\Component\Mime\Email;

require $argv[1];
$transport = new EsmtpTransport($CONFIG['mail_smtphost'], $CONFIG['mail_smtpport'],
                                ($CONFIG['mail_smtpsecure'] ?? null) === 'ssl');
if ($CONFIG['mail_smtpauth'] ?? false) {
    $transport->setUsername($CONFIG['mail_smtpname']);
    $transport->setPassword($CONFIG['mail_smtppassword']);
}
$options = $CONFIG['mail_smtpstreamoptions'] ?? [];
if (is_array($options) && !empty($options)) {
    $transport->getStream()->setStreamOptions($options);
}
$transport->getStream()->setTimeout($CONFIG['mail_smtptimeout'] ?? 10);
$from = $CONFIG['mail_from_address'] . '@' . $CONFIG['mail_domain'];
$transport->send((new Email())->from($from)->to('rcpt@example.test')->subject('smtp-setup')
    ->text('Hello from Nextcloud.'));
"""


@needs(PHP, "php")
@pytest.mark.skipif(not SYMFONY.is_file(), reason="Symfony Mailer is not installed "
                    "(php-symfony-mailer; .ci/install-export-tools installs it)")
@pytest.mark.parametrize("kind", MODES)
def test_nextcloud_config_sends_through_symfony_mailer(smtp_server_factory, tmp_path, kind):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="cloud", password=SecretRef("env", ENV_VAR))
    text = render_export([profile], "nextcloud")
    assert server.password not in text
    path = tmp_path / "smtp.config.php"
    path.write_text(text, encoding="utf-8")
    done = run([PHP, "-r", NEXTCLOUD_SEND.replace("@SYMFONY@", str(SYMFONY)), str(path)],
               env={ENV_VAR: server.password})
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from Nextcloud.")
    assert server.messages[0].mail_from == "sender@example.test"
