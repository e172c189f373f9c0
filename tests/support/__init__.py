"""Test-only support code: a file-backed keyring shared with CLI subprocesses."""
