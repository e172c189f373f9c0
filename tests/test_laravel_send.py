"""Laravel's .env sent for real: vlucas/phpdotenv (Laravel's own .env reader) loads the
exported file, config/mail.php's smtp mailer and MailManager's scheme rule are applied as
Laravel 11 (MAIL_SCHEME) and Laravel 10 (MAIL_ENCRYPTION) write them, and Symfony Mailer's
EsmtpTransportFactory sends through aiosmtpd on 127.0.0.1 in every mode. PHP trusts the
test CA through openssl.cafile, as the export's comment tells a user to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_programs import PHP, needs, run
from export_sends import MODES, assert_arrived, recording_server
from smtp_setup.core.exports.formats import render_export
from smtp_setup.core.profiles.model import SecretRef

SYMFONY = Path("/usr/share/php/Symfony/Component/Mailer/autoload.php")
DOTENV = Path("/usr/share/php/Dotenv/autoload.php")
ENV_VAR = "SMTP_SETUP_E2E_PASSWORD"

# Laravel's env() helper, config/mail.php's smtp mailer and MailManager::createSmtpTransport
LARAVEL_SEND = r"""
require '@SYMFONY@';
require '@DOTENV@';
use Symfony\Component\Mailer\Transport\Dsn;
use Symfony\Component\Mailer\Transport\Smtp\EsmtpTransportFactory;
use Symfony\Component\Mime\Email;

Dotenv\Dotenv::createImmutable($argv[1])->load();
function env($key, $default = null) {
    $value = $_ENV[$key] ?? $_SERVER[$key] ?? getenv($key);
    if ($value === false) return $default;
    $special = ['true' => true, 'false' => false, 'null' => null, 'empty' => ''];
    return array_key_exists(strtolower($value), $special) ? $special[strtolower($value)] : $value;
}
$config = ['host' => env('MAIL_HOST', '127.0.0.1'), 'port' => env('MAIL_PORT', 2525),
           'username' => env('MAIL_USERNAME'), 'password' => env('MAIL_PASSWORD')];
if ($argv[2] === '11') {
    $config['scheme'] = env('MAIL_SCHEME');
} else {
    $config['encryption'] = env('MAIL_ENCRYPTION', 'tls');
}
$scheme = $config['scheme'] ?? null;
if (! $scheme) {
    $scheme = ! empty($config['encryption']) && $config['encryption'] === 'tls'
        ? (($config['port'] == 465) ? 'smtps' : 'smtp') : '';
}
$transport = (new EsmtpTransportFactory)->create(new Dsn(
    $scheme, $config['host'], $config['username'], $config['password'], $config['port']));
$transport->send((new Email())->from(env('MAIL_FROM_ADDRESS'))->to('rcpt@example.test')
    ->subject('smtp-setup')->text('Hello from Laravel.'));
"""


@needs(PHP, "php")
@pytest.mark.skipif(not (SYMFONY.is_file() and DOTENV.is_file()), reason="Symfony Mailer and "
                    "phpdotenv are not installed (php-symfony-mailer php-vlucas-phpdotenv; "
                    ".ci/install-export-tools installs them)")
@pytest.mark.parametrize("laravel", ["11", "10"])
@pytest.mark.parametrize("kind", MODES)
def test_laravel_env_sends_through_symfony_mailer(smtp_server_factory, tmp_path, kind,
                                                  laravel):
    server = recording_server(smtp_server_factory, kind)
    profile = server.profile(name="app", password=SecretRef("env", ENV_VAR))
    if kind == "tls" and laravel == "10":
        pytest.skip("Laravel 10 uses implicit TLS only on port 465 (the export says so), "
                    "and the test server's port is another")
    text = render_export([profile], "laravel")
    assert server.password not in text
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    script = LARAVEL_SEND.replace("@SYMFONY@", str(SYMFONY)).replace("@DOTENV@", str(DOTENV))
    done = run([PHP, "-d", f"openssl.cafile={server.ca_file}", "-r", script, str(tmp_path),
                laravel], env={ENV_VAR: server.password})
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")
    assert_arrived(server, kind, b"Hello from Laravel.")
    assert server.messages[0].mail_from == "sender@example.test"
