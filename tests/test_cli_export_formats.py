"""`smtp-setup export --list-formats` and `--fallback` as real subprocesses: the listing
names every format and its file, a fallback profile becomes the backup relay of postfix
and nullmailer, and every other use is refused with one sentence."""

from __future__ import annotations

import json

import pytest
from profile_machines import *  # noqa: F403 (the machine_a fixture)
from profile_machines import SECRET, ok, refused
from smtp_setup.core.exports.formats import FORMAT_FILES, FORMATS
from support.cli import run


def test_list_formats_names_every_format_and_its_file(_isolated_config):
    lines = ok(run("export", "--list-formats")).stdout.splitlines()
    assert lines[0].split() == ["FORMAT", "FILE", "WHAT", "IT", "HOLDS"]
    listed = {line.split()[0]: line for line in lines[1:] if line and not line.startswith(
        "smtp-setup")}
    assert set(listed) == {"toml", *FORMATS}
    for name, file in FORMAT_FILES.items():
        assert file in listed[name]
    data = json.loads(ok(run("export", "--list-formats", "--json")).stdout)
    assert [row["format"] for row in data] == ["toml", *FORMATS]
    assert {row["format"] for row in data if row["fallback"]} == {"postfix", "nullmailer"}


def test_fallback_becomes_the_backup_relay(machine_a, tmp_path):
    text = ok(run("export", "inline", "--format", "nullmailer", "--fallback", "work")).stdout
    assert "smtp.example.com smtp --port=587 --starttls" in text
    assert "smtp.sendgrid.net smtp --port=465 --tls" in text and SECRET not in text
    target = tmp_path / "remotes"
    ok(run("export", "inline", "--format", "nullmailer", "--fallback", "work",
           "--include-secrets", "-o", str(target)))
    assert f"--pass={SECRET}" in target.read_text()  # the fallback's password too
    postfix = ok(run("export", "env", "--format", "postfix", "--fallback", "open")).stdout
    assert "smtp_fallback_relay = [127.0.0.1]:25" in postfix  # no login there: no sasl line


@pytest.mark.parametrize(("args", "message"), [
    (("work", "--format", "msmtp", "--fallback", "inline"), "msmtp format has no backup relay"),
    (("work", "--fallback", "inline"), "--fallback adds a backup relay"),
    (("work", "--format", "postfix", "--fallback", "nope"), "No profile named 'nope'"),
    (("work", "--format", "postfix", "--fallback", "work"), "cannot be its own fallback"),
    (("work", "--format", "postfix", "--fallback", "inline"), "one TLS setting to every relay"),
])
def test_fallback_refusals(machine_a, args, message):
    assert message in refused(run("export", *args))


def test_the_readme_table_lists_every_format():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Settings for other programs", 1)[1].split("\n## ", 1)[0]
    for name in FORMATS:
        assert f"| `{name}` |" in table, name
