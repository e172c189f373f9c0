"""Readers of each export format by its tool's own rules, for the export tests: the real
msmtp (--pretend), git and bash where they are installed, and small readers written from
python-decouple's, python-dotenv's, PHP's and Postfix's documented rules."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from smtp_setup.core.profiles.model import Profile, SecretRef, Security

MSMTP, GIT, BASH = shutil.which("msmtp"), shutil.which("git"), shutil.which("bash")
needs_msmtp = pytest.mark.skipif(MSMTP is None, reason="msmtp is not installed (apt-get install "
                                 "msmtp; .ci/run installs it)")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")
needs_bash = pytest.mark.skipif(BASH is None, reason="bash is not installed")
SECRET = "TOP-s3cret-inline"
SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def make(name: str = "work", **changes) -> Profile:
    values = dict(name=name, host="smtp.example.com", port=587, security=Security.STARTTLS,
                  username="apikey", password=SecretRef("env", "SMTP_PASSWORD"),
                  from_email="alerts@example.com", from_name="Example Alerts")
    values.update(changes)
    return Profile(**values)


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
            "LC_ALL": "C.UTF-8", **extra}


def read_msmtprc(text: str) -> dict[str, dict[str, str]]:
    """msmtp's conf.c: command up to the first blank; the argument is the rest of the line
    trimmed of blanks, with one pair of surrounding double quotes removed, nothing else."""
    accounts: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.split("\n"):
        assert len(line.encode()) <= 499, "msmtp rejects lines over 500 bytes"
        line = line.lstrip(" \t")
        if not line or line.startswith("#"):
            continue
        command = re.match(r"[^ \t]*", line).group()
        arg = line[len(command):].strip(" \t")
        if len(arg) >= 2 and arg[0] == arg[-1] == '"':
            arg = arg[1:-1]
        if command == "account":
            name, _, parent = arg.partition(":")
            current = accounts.setdefault(name.strip(), {})
            if parent:
                current.update(accounts[parent.strip()])
        else:
            current[command] = arg
    return accounts


def msmtp_pretend(tmp_path: Path, text: str, account: str | None, *, run_password: bool = False,
                  **env: str) -> dict[str, str]:
    """What the real msmtp understood (--pretend prints its settings, the password as *).

    With auth on, --pretend runs the passwordeval command; unless `run_password`, auth is
    switched off on the command line so that a generated command is printed, never run."""
    config = tmp_path / "msmtprc"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    args = [MSMTP, f"--file={config}", "--pretend"] + ([f"--account={account}"] if account else [])
    if not run_password:
        args.append("--auth=off")
    done = subprocess.run(args, capture_output=True, env=clean_env(tmp_path, **env), timeout=10)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    lines = done.stdout.decode("utf-8").split("\n")
    return dict(line.split(" = ", 1) for line in lines if " = " in line)


def git_config(tmp_path: Path, text: str) -> dict[str, str]:
    config = tmp_path / "sendemail.gitconfig"
    config.write_text(text, encoding="utf-8")
    done = subprocess.run([GIT, "config", "--file", str(config), "--null", "--list"],
                          capture_output=True, env=clean_env(tmp_path), timeout=10)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    entries = done.stdout.decode("utf-8").split("\0")[:-1]
    return dict(entry.split("\n", 1) for entry in entries)


def bash_env(tmp_path: Path, text: str) -> dict[str, str]:
    dotenv = tmp_path / ".env"
    dotenv.write_text(text, encoding="utf-8")
    done = subprocess.run([BASH, "-c", 'set -a; . "$1"; env -0', "_", str(dotenv)],
                          capture_output=True, env=clean_env(tmp_path), timeout=10)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    entries = done.stdout.decode("utf-8").split("\0")[:-1]
    return dict(entry.split("=", 1) for entry in entries)


def decouple_env(text: str) -> dict[str, str]:
    """python-decouple's RepositoryEnv: split on the first '=', strip, remove one pair of
    matching surrounding quotes; no escapes, no expansion."""
    values = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def dotenv_value(raw: str) -> str:
    """python-dotenv's parser for one quoted value (src/dotenv/parser.py)."""
    if raw.startswith("'"):
        inner = re.fullmatch(r"'((?:\\'|[^'])*)'", raw).group(1)
        return re.sub(r"\\[\\']", lambda m: m.group()[1], inner)
    inner = re.fullmatch(r'"((?:\\"|[^"])*)"', raw).group(1)
    assert "\\" not in inner and "${" not in inner  # what the exporter promises
    return inner


def read_php_string(literal: str) -> str:
    """A PHP single-quoted string, scanned as PHP's lexer does: only \\\\ and \\' are
    escapes, and the first unescaped quote ends the string."""
    assert literal[0] == "'"
    out, i = [], 1
    while literal[i] != "'":
        if literal[i] == "\\" and literal[i + 1] in "\\'":
            i += 1
        out.append(literal[i])
        i += 1
    assert i == len(literal) - 1, "the string ended before the end of the literal"
    return "".join(out)


def read_defines(text: str) -> dict[str, object]:
    defines: dict[str, object] = {}
    for line in text.split("\n"):
        match = re.fullmatch(r"define\( '(\w+)', (.*) \);", line)
        if not match:
            assert not line.startswith("define"), line
            continue
        name, value = match.groups()
        if value in ("true", "false"):
            defines[name] = value == "true"
        elif value.isdigit():
            defines[name] = int(value)
        elif value.startswith("getenv( "):
            defines[name] = ("getenv", read_php_string(value[8:-2]))
        else:
            defines[name] = read_php_string(value)
    return defines


def read_postfix(text: str) -> tuple[dict[str, str], list[str]]:
    """main.cf `name = value` lines ($$ is a literal $) and the sasl_passwd table lines."""
    main_cf, sasl, section = {}, [], None
    for line in text.split("\n"):
        if line.startswith("# --- "):
            section = line.split()[2]
            continue
        if not line or line.startswith("#"):
            continue
        assert not line[0].isspace(), "a leading blank continues the line before"
        if section == "/etc/postfix/main.cf":
            name, value = (part.strip() for part in line.split("=", 1))
            assert "$" not in value.replace("$$", ""), "a single $ would be expanded"
            main_cf[name] = value.replace("$$", "$")
        elif section == "/etc/postfix/sasl_passwd":
            sasl.append(line)
    return main_cf, sasl


def git_credential(tmp_path: Path, text: str, host: str, **env: str) -> str:
    config = tmp_path / "sendemail.gitconfig"
    config.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [GIT, "credential", "fill"], input=f"protocol=smtp\nhost={host}\nusername=apikey\n\n",
        capture_output=True, text=True, timeout=10,
        env=clean_env(tmp_path, GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1",
                      GIT_TERMINAL_PROMPT="0", **env))
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())["password"]
