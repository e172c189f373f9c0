"""Property tests for the quoting of the new export formats: any value the validators
accept comes back unchanged from the program's own reader. One process reads a whole batch
of values, so that real programs (ruby, node, php, neomutt, s-nail) stay affordable."""

from __future__ import annotations

import json
import re

from export_programs import NEOMUTT, NODE, PHP, RUBY, S_NAIL, needs, run
from export_readers import SLOW, bash_env, needs_bash
from hypothesis import given
from hypothesis import strategies as st
from smtp_setup.core.exports.alertmanager import yaml_string
from smtp_setup.core.exports.env_files import assign
from smtp_setup.core.exports.go_ini import ini_value
from smtp_setup.core.exports.neomutt import muttrc_string
from smtp_setup.core.exports.nodemailer import js
from smtp_setup.core.exports.rails import ruby_string
from smtp_setup.core.exports.s_nail import wysh
from smtp_setup.core.exports.values import ExportProblem
from smtp_setup.core.exports.wp_config import php_string
from smtp_setup.core.profiles.model import Profile
from test_export_servers import go_ini

VALUE = st.text(st.one_of(st.sampled_from(list(" \t'\"\\$`#;%={}()<>!@:?")),
                          st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))),
                min_size=1, max_size=16).filter(lambda v: v == v.strip())
BATCH = st.lists(VALUE, min_size=1, max_size=12)


@needs(RUBY, "ruby")
@given(BATCH)
@SLOW
def test_ruby_strings(values):
    source = "[" + ", ".join(ruby_string(v) for v in values) + "]"
    done = run([RUBY, "-rjson", "-e", f"puts JSON.generate({source})"])
    assert json.loads(done.stdout) == values, done.stderr


@needs(NODE, "node")
@given(BATCH)
@SLOW
def test_javascript_literals(values):
    source = "[" + ", ".join(js(v) for v in values) + "]"
    done = run([NODE, "-e", f"console.log(JSON.stringify({source}))"])
    assert json.loads(done.stdout) == values, done.stderr


@needs(PHP, "php")
@given(BATCH)
@SLOW
def test_php_strings(values):
    source = "[" + ", ".join(php_string(v) for v in values) + "]"
    done = run([PHP, "-r", f"echo json_encode({source});"])
    assert json.loads(done.stdout) == values, done.stderr


@needs(RUBY, "ruby (its YAML library)")
@given(BATCH)
@SLOW
def test_yaml_strings(values):
    source = "\n".join(f"- {yaml_string(v)}" for v in values) + "\n"
    done = run([RUBY, "-ryaml", "-rjson", "-e", "puts JSON.generate(YAML.load($stdin.read))"],
               input=source.encode())
    assert json.loads(done.stdout) == values, done.stderr


@given(BATCH)
@SLOW
def test_go_ini_values(values):
    profile = Profile("p", host="h")
    lines = []
    for index, value in enumerate(values):
        try:
            lines.append(f"K{index} = {ini_value(profile, value, 'value', 'Gitea')}")
        except ExportProblem:
            assert "`" in value and '"""' in value or value.endswith('"')
            values[index] = None
    seen = go_ini("[s]\n" + "\n".join(lines) + "\n", "s")
    assert [seen.get(f"K{i}") for i in range(len(values))] == values


@needs_bash
@given(BATCH)
@SLOW
def test_env_file_values_in_the_shell(tmp_path, values):
    text = "\n".join(line for i, v in enumerate(values) for line in assign(f"K{i}", v, "x"))
    seen = bash_env(tmp_path, text + "\n")
    assert [seen[f"K{i}"] for i in range(len(values))] == values


# neomutt's own string settings that keep any text (user variables cannot be queried)
MUTT_STRINGS = ["realname", "smtp_pass", "attribution", "compose_format", "folder_format",
                "forward_format", "index_format", "indent_string", "pager_format",
                "status_format"]


@needs(NEOMUTT, "neomutt")
@given(st.lists(VALUE, min_size=1, max_size=len(MUTT_STRINGS)))
@SLOW
def test_muttrc_strings(tmp_path, values):
    muttrc = tmp_path / "muttrc"
    names = MUTT_STRINGS[:len(values)]
    lines = [f"set {name} = {muttrc_string(v)}" for name, v in zip(names, values, strict=True)]
    muttrc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    queries = [arg for name in names for arg in ("-Q", name)]
    done = run([NEOMUTT, "-n", "-F", str(muttrc), *queries], env={"HOME": str(tmp_path)})
    escapes = {"t": "\t", "n": "\n", "r": "\r"}  # how -Q prints a value
    seen = [re.sub(r"\\(.)", lambda m: escapes.get(m[1], m[1]), line.split(" = ", 1)[1][1:-1])
            for line in done.stdout.decode().splitlines()]
    assert seen == values, done.stderr


@needs(S_NAIL, "s-nail")
@given(BATCH)
@SLOW
def test_s_nail_words(tmp_path, values):
    mailrc = tmp_path / "mailrc"
    mailrc.write_text("".join(f"wysh set v{i}={wysh(v)}\n" for i, v in enumerate(values)),
                      encoding="utf-8")
    script = "".join(f"echo \"$v{i}\"\n" for i in range(len(values)))
    done = run([S_NAIL, "-n", "-#"], input=script.encode(),
               env={"HOME": str(tmp_path), "MAILRC": str(mailrc)})
    assert done.stdout.decode().split("\n")[:len(values)] == values, done.stderr
