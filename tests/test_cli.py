"""The command line, run as a real subprocess: output, exit codes, import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from smtp_setup import __version__
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from support.cli import one_line_error, run

INLINE_SECRET = "Zq8-inline-Secret-Value"


@pytest.fixture
def config_path(_isolated_config) -> Path:
    return _isolated_config


@pytest.fixture
def two_profiles(config_path) -> ConfigStore:
    store = ConfigStore(config_path)
    store.save_profile(
        Profile(
            name="work",
            provider="sendgrid",
            host="smtp.sendgrid.net",
            port=465,
            security=Security.TLS,
            username="apikey",
            password=SecretRef("inline", INLINE_SECRET),
            from_email="alerts@example.com",
            from_name="Example Alerts",
            extra={"future_setting": "kept"},
        )
    )
    store.save_profile(
        Profile(
            name="home",
            host="127.0.0.1",
            port=2525,
            security=Security.NONE,
            from_email="me@example.com",
        )
    )
    return store


def test_version_and_help_answer_without_heavy_imports():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"smtp-setup {__version__}"
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("edit", "list", "show", "test", "providers", "sandbox", "--config"):
        assert command in proc.stdout
    code = (
        "import sys\n"
        "from smtp_setup import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'textual', 'rich', 'aiosmtplib', 'keyring', 'email_validator', 'asyncio'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "smtp-setup"
    assert script.exists()
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert proc.stdout.strip() == f"smtp-setup {__version__}"


def test_list_without_profiles():
    proc = run("list")
    assert proc.returncode == 0
    assert proc.stdout.strip() == "No profiles yet. Run smtp-setup to create one."
    proc = run("list", "--json")
    assert json.loads(proc.stdout) == []


def test_list_shows_each_profile_and_the_default(two_profiles):
    proc = run("list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    work = next(line for line in lines if " work " in line)
    assert work.lstrip().startswith("*")
    assert "SendGrid" in work and "smtp.sendgrid.net:465" in work and "Implicit TLS" in work
    home = next(line for line in lines if " home " in line)
    assert "*" not in home and "127.0.0.1:2525" in home and "No encryption" in home
    assert INLINE_SECRET not in proc.stdout


@pytest.mark.parametrize(("lang", "sandbox", "custom", "provider"), [
    ("en", "Local sandbox", "Other SMTP server", "Provider"),
    ("ja", "ローカルサンドボックス", "その他の SMTP サーバー", "プロバイダー"),
])
def test_list_and_show_name_the_provider_as_providers_does(config_path, lang, sandbox, custom,
                                                            provider):
    store = ConfigStore(config_path)
    store.save_profile(Profile(name="lab", provider="sandbox", host="127.0.0.1", port=2525,
                               security=Security.NONE, from_email="me@example.com"))
    store.save_profile(Profile(name="relay", host="mail.example.com", port=587,
                               from_email="me@example.com"))  # provider: custom
    listed = run("--lang", lang, "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:3]}
    assert sandbox in rows["*"] and custom in rows["relay"]
    shown = run("--lang", lang, "show", "lab").stdout.splitlines()
    assert next(line for line in shown if provider in line).split(None, 1)[1] == sandbox
    # the JSON keeps the id, under the same key, in every language
    data = json.loads(run("--lang", lang, "list", "--json").stdout)
    assert [p["provider"] for p in data] == ["sandbox", "custom"]
    assert json.loads(run("--lang", lang, "show", "lab", "--json").stdout)["provider"] == "sandbox"


def test_json_is_taken_before_the_command_as_after_it(two_profiles):
    before, after = run("--json", "list"), run("list", "--json")
    assert before.returncode == after.returncode == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    alone = run("--json")  # the wizard reports nothing: said, not ignored
    assert alone.returncode == 2
    assert "--json needs a command that reports, e.g. smtp-setup --json list" in alone.stderr


def test_list_json(two_profiles):
    proc = run("list", "--json")
    assert proc.returncode == 0
    assert INLINE_SECRET not in proc.stdout
    data = json.loads(proc.stdout)
    assert [p["name"] for p in data] == ["work", "home"]
    assert data[0] == {
        "name": "work",
        "default": True,
        "provider": "sendgrid",
        "host": "smtp.sendgrid.net",
        "port": 465,
        "server": "smtp.sendgrid.net:465",
        "security": "tls",
        "username": "apikey",
        "from_email": "alerts@example.com",
        "password": "inline",
        "broken": False,
    }
    assert data[1]["default"] is False and data[1]["password"] is None


def test_show_every_setting_but_never_the_secret(two_profiles):
    proc = run("show", "work")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert INLINE_SECRET not in out
    assert out.splitlines()[0] == "Profile work (default)"
    for expected in (
        "sendgrid",
        "smtp.sendgrid.net:465",
        "Implicit TLS (SSL)",
        "apikey",
        "stored in the config file",
        "alerts@example.com",
        "Example Alerts",
        "future_setting",
        str(two_profiles.path),
    ):
        assert expected in out


def test_show_json(two_profiles):
    proc = run("show", "work", "--json")
    assert proc.returncode == 0
    assert INLINE_SECRET not in proc.stdout
    data = json.loads(proc.stdout)
    assert data["password"] == {
        "kind": "inline",
        "source": None,
        "description": "stored in the config file",
    }
    assert data["from_name"] == "Example Alerts" and data["timeout"] == 20
    assert data["other_keys"] == ["future_setting"]


def test_show_describes_references(config_path):
    store = ConfigStore(config_path)
    store.save_profile(
        Profile(name="env", host="h.example.com", username="u", password=SecretRef("env", "PW_VAR"))
    )
    proc = run("show", "env", "--json")
    assert json.loads(proc.stdout)["password"]["source"] == "PW_VAR"
    assert "environment variable PW_VAR" in run("show", "env").stdout


def test_unknown_profile_lists_the_known_ones(two_profiles):
    for args in (["show", "x"], ["test", "x"], ["edit", "x"], ["show", "x", "--json"]):
        proc = run(*args)
        assert one_line_error(proc) == "No profile named 'x'. Profiles: work, home."
        assert proc.stdout == ""


def test_config_option_before_or_after_the_command(tmp_path, two_profiles):
    other = ConfigStore(tmp_path / "other.toml")
    other.save_profile(Profile(name="elsewhere", host="h.example.com"))
    for args in (["--config", str(other.path), "list"], ["list", "--config", str(other.path)]):
        proc = run(*args, "--json")
        assert [p["name"] for p in json.loads(proc.stdout)] == ["elsewhere"]


BROKEN = 'format = 1\n[profiles.work]\nhost = "smtp.example.com"\nport = 58 7\n'


@pytest.mark.parametrize(
    "args", [["list"], ["list", "--json"], ["show", "work"], ["test", "work"], ["edit", "work"], []]
)
def test_broken_config_is_reported_and_left_alone(config_path, args):
    config_path.parent.mkdir(parents=True)
    config_path.write_text(BROKEN)
    proc = run(*args)
    message = one_line_error(proc)
    assert message.startswith(f"{config_path}:4:")
    assert "not valid TOML" in message
    assert config_path.read_text() == BROKEN


def test_wrong_type_names_profile_and_key(config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text('format = 1\n[profiles.work]\nport = "587"\n')
    message = one_line_error(run("show", "work"))
    assert message.startswith(f"{config_path}:3:1: in [profiles.work], port:")


def test_usage_errors_exit_2():
    assert run("frobnicate").returncode == 2
    assert run("show").returncode == 2
    assert run("sandbox", "--port", "abc").returncode == 2


def test_wizard_needs_a_terminal(two_profiles):
    message = one_line_error(run())
    assert "interactive terminal" in message
    assert "interactive terminal" in one_line_error(run("edit", "work"))


def test_providers_text_and_json():
    proc = run("providers")
    assert proc.returncode == 0
    assert "smtp.sendgrid.net" in proc.stdout and "SendGrid" in proc.stdout
    assert "587 STARTTLS*" in proc.stdout  # the recommended port is marked
    data = json.loads(run("providers", "--json").stdout)
    providers = {p["id"]: p for group in data for p in group["providers"]}
    assert providers["gmail"]["host"] == "smtp.gmail.com"
    assert {"port": 465, "security": "tls"} in providers["gmail"]["ports"]
    assert all(group["group"] and group["providers"] for group in data)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_line_of_providers_fits_79_cells_with_its_hosts_whole(lang):
    from smtp_setup.core.catalog.loader import load_catalog
    from smtp_setup.text_width import cells

    proc = run("--lang", lang, "providers")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line for line in lines if cells(line) > 79] == []
    words = {word for line in lines for word in line.split()}
    assert {p.default_host for p in load_catalog() if p.default_host} <= words  # never cut
    ses = next(i for i, line in enumerate(lines) if line.split()[:1] == ["ses"])
    assert lines[ses + 1].strip() == "email-smtp.us-east-1.amazonaws.com"  # a line of its own
    assert lines[ses + 1].index("email-smtp") == lines[ses].index("Amazon SES")  # under it


def test_list_and_show_import_neither_textual_nor_aiosmtplib(two_profiles):
    code = (
        "import sys\n"
        "from smtp_setup import cli\n"
        "assert cli.main(['list']) == 0\n"
        "assert cli.main(['show', 'work']) == 0\n"
        "assert cli.main(['list', '--json']) == 0\n"
        "heavy = {'textual', 'rich', 'aiosmtplib', 'aiosmtpd', 'keyring'}\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "LOADED []"


def test_test_command_reports_a_missing_env_secret(config_path, monkeypatch):
    monkeypatch.delenv("SMTP_CLI_TEST_PW", raising=False)
    ConfigStore(config_path).save_profile(
        Profile(
            name="work",
            host="127.0.0.1",
            port=2525,
            username="me",
            password=SecretRef("env", "SMTP_CLI_TEST_PW"),
            from_email="me@example.com",
        )
    )
    message = one_line_error(run("test", "work"))
    assert "SMTP_CLI_TEST_PW" in message and "'work'" in message


def test_test_command_reports_a_missing_keyring_secret(config_path, test_keyring):
    ConfigStore(config_path).save_profile(
        Profile(
            name="work",
            host="127.0.0.1",
            username="me",
            password=SecretRef.keyring_for("work"),
            from_email="me@example.com",
        )
    )
    message = one_line_error(run("test", "work", "--json"))
    assert (
        message == "No password for profile 'work' in the system keyring. Run: smtp-setup edit work"
    )


def test_test_command_without_keyring_explains(config_path):
    ConfigStore(config_path).save_profile(
        Profile(
            name="work",
            host="127.0.0.1",
            username="me",
            password=SecretRef.keyring_for("work"),
            from_email="me@example.com",
        )
    )
    message = one_line_error(run("test", "work"))  # conftest selects the null backend
    assert "no usable keyring" in message


def test_test_command_rejects_bad_input(two_profiles):
    message = one_line_error(run("test", "home", "--to", "not an address"))
    assert message.startswith("--to 'not an address':")
    ConfigStore(two_profiles.path).save_profile(Profile(name="blank", from_email="a@example.com"))
    message = one_line_error(run("test", "blank"))
    assert "Profile 'blank' has an invalid setting (host:" in message


def test_show_and_test_use_the_default_profile_when_no_name_is_given(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('format = 1\n\n[profiles.a]\nhost = "smtp.example.com"\n'
                      'from_email = "a@example.com"\n')
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "smtp_setup", "--config", str(config), *args],
                              capture_output=True, text=True, timeout=30)

    missing = run("show")
    assert missing.returncode == 2
    assert "no default profile" in missing.stderr and "a" in missing.stderr
    config.write_text('format = 1\ndefault_profile = "a"\n' + config.read_text()[len("format = 1\n"):])
    shown = run("show", "--json")
    assert shown.returncode == 0, shown.stderr
    assert '"name": "a"' in shown.stdout
