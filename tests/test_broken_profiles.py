"""One profile with an unusable value (port = 70000) is listed as broken with its reason,
kept in the file as written, and blocks nobody else: the CLI as a subprocess and the core
store, against a real SMTP server on loopback."""

from __future__ import annotations

import json
import tomllib

import pytest
from smtp_setup.core.profiles.config_store import BrokenProfileError, ConfigStore
from smtp_setup.core.profiles.model import Profile
from smtp_setup.core.profiles.upkeep import delete_profile
from support.cli import one_line_error, run

BROKEN_TABLE = """
[profiles.broken]
provider = "custom"
host = "smtp.example.com"
port = 70000
from_email = "b@example.com"
future_setting = "kept as written"
"""


@pytest.fixture
def mixed(_isolated_config, smtp_plain) -> ConfigStore:
    """A good profile that sends through a real loopback server, then a broken one."""
    store = ConfigStore(_isolated_config)
    store.save_profile(smtp_plain.profile(name="good"), make_default=True)
    with store.path.open("a") as file:
        file.write(BROKEN_TABLE)
    return store


def port_line(store: ConfigStore) -> int:
    return store.path.read_text().splitlines().index("port = 70000") + 1


def broken_raw(store: ConfigStore) -> dict:
    return tomllib.loads(store.path.read_text())["profiles"]["broken"]


def test_the_store_reads_the_good_profile_and_marks_the_broken_one(mixed):
    config = mixed.load()
    assert config.names == ["good", "broken"]
    assert config.profile("good").port > 0
    broken = config.broken["broken"]
    assert broken.reason == "port: 70000 is not between 1 and 65535"
    assert broken.line == port_line(mixed)  # for an editor
    with pytest.raises(BrokenProfileError) as caught:
        config.profile("broken")
    assert f"{mixed.path}:{port_line(mixed)}:1: in [profiles.broken], port: 70000" in str(caught.value)
    salvaged = config.saved("broken")  # what the wizard opens: the bad value set aside
    assert salvaged.host == "smtp.example.com" and salvaged.port == 587
    assert salvaged.extra == {"future_setting": "kept as written"}


def test_saving_another_profile_keeps_the_broken_table_as_written(mixed):
    before = broken_raw(mixed)
    mixed.save_profile(Profile(name="third", host="h.example.com", from_email="t@example.com"))
    mixed.set_default("third")
    assert broken_raw(mixed) == before
    assert "port = 70000" in mixed.path.read_text()


def test_list_marks_the_broken_profile_with_its_reason(mixed):
    text = run("list")
    assert text.returncode == 0, text.stderr
    assert "good" in text.stdout
    line = port_line(mixed)
    assert f"broken is broken (port: 70000 is not between 1 and 65535, line {line})" in text.stdout
    listed = json.loads(run("list", "--json").stdout)
    assert [(p["name"], p["broken"]) for p in listed] == [("good", False), ("broken", True)]
    assert listed[1]["problem"] == {"field": "port", "message": "70000 is not between 1 and 65535",
                                    "line": line, "column": 1}


def test_every_other_profile_still_works(mixed, smtp_plain):
    sent = run("test", "good", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["ok"] is True and len(smtp_plain.messages) == 1
    assert run("test").returncode == 0  # the default profile, too
    assert run("show", "good").returncode == 0
    exported = run("export", "good")
    assert exported.returncode == 0 and "[profiles.good]" in exported.stdout
    everything = run("export", "--all")
    assert everything.returncode == 0
    assert "[profiles.good]" in everything.stdout and "broken" not in everything.stdout
    assert "Profile 'broken' was left out: it is broken (port: 70000" in everything.stderr


@pytest.mark.parametrize("command", [["show", "broken"], ["test", "broken"],
                                     ["rename", "broken", "other"]])
def test_using_the_broken_profile_says_where_and_what(mixed, command):
    message = one_line_error(run(*command))
    line = port_line(mixed)
    assert message.startswith(f"{mixed.path}:{line}:1: in [profiles.broken], port: 70000 is not")
    assert "smtp-setup edit broken" in message
    assert "port = 70000" in mixed.path.read_text()


def test_import_does_not_replace_a_broken_profile_unasked(mixed, tmp_path):
    export = tmp_path / "export.toml"
    export.write_text(run("export", "good").stdout.replace("[profiles.good]", "[profiles.broken]"))
    message = one_line_error(run("import", str(export)))
    assert "'broken' already exists" in message
    assert "port = 70000" in mixed.path.read_text()


def test_the_broken_profile_can_be_deleted(mixed):
    result = delete_profile(mixed, "broken")
    assert result.names == ["broken"]
    assert mixed.load().names == ["good"]
