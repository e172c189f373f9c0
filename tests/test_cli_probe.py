"""`smtp-setup probe` from the command line, against real servers on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys

from smtp_fixtures import free_port


def probe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smtp_setup", "probe", *args],
                          capture_output=True, text=True, timeout=60)


def test_probe_json_recommends_the_working_port(smtp_implicit_tls):
    closed = free_port()
    run = probe("127.0.0.1", "--ports", f"{smtp_implicit_tls.port}/tls,{closed}/starttls",
                "--ca-file", str(smtp_implicit_tls.ca_file), "--timeout", "3", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["recommended"] == {"port": smtp_implicit_tls.port, "security": "tls"}
    status = {r["port"]: r["status"] for r in report["results"]}
    assert status == {smtp_implicit_tls.port: "usable", closed: "refused"}
    refused = next(r for r in report["results"] if r["port"] == closed)
    assert refused["diagnosis_code"] == "connection_refused"


def test_probe_text_streams_each_port_then_the_verdict(smtp_starttls):
    run = probe("127.0.0.1", "--ports", f"{smtp_starttls.port}/starttls",
                "--ca-file", str(smtp_starttls.ca_file), "--timeout", "3")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Checking 1 port on 127.0.0.1")
    assert any("✓" in line and str(smtp_starttls.port) in line for line in lines)
    assert any(line.startswith("✓ Recommended") for line in lines)


def test_probe_nothing_works_exits_1():
    run = probe("127.0.0.1", "--ports", f"{free_port()}/tls", "--timeout", "2")
    assert run.returncode == 1
    assert "No port works" in run.stdout


def test_probe_bad_input_is_one_line_exit_2():
    for args in (["127.0.0.1", "--ports", "99999"], ["smtp..example.com"],
                 ["127.0.0.1", "--ports", "465/ssl3"]):
        run = probe(*args)
        assert run.returncode == 2, args
        assert run.stdout == ""
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
        assert "Traceback" not in run.stderr
