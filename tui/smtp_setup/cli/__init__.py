"""The smtp-setup command line.

`main` answers `--version` at once; otherwise `parser` (every command's arguments, and the
dispatch) imports only the module of the command that runs: `profiles` (the wizard and
edit, list, show, providers, delete, rename, default), `smtp` (test, probe, sandbox), `dns`
(discover, check-domain, doctor), `oauth` (token), `transfer` (export, import). `output` (printing, errors, questions) and
`sending` (a profile's password or refresh token, the --to check) hold what they share.
No command module imports another, so `--version` and `--help` load none of them.

Exit status: 0 fine, 1 the check ran and failed, 2 usage, config or input error (one line
on stderr, no traceback).
"""

from __future__ import annotations

import sys

PROG = "smtp-setup"  # the program's name: the same in every language


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status (the console script exits with it)."""
    argv = sys.argv[1:] if argv is None else argv
    if _asks_only_version(argv):  # answered before argparse and the catalogs load
        from smtp_setup import __version__

        print(f"{PROG} {__version__}")
        return 0
    from smtp_setup.cli.parser import run

    return run(argv)


def _asks_only_version(argv: list[str]) -> bool:
    """`--version`, maybe with `--lang X` (whose language does not change the answer)."""
    rest = list(argv)
    for i, arg in enumerate(rest):
        if arg == "--lang" and i + 1 < len(rest):
            del rest[i:i + 2]
            break
        if arg.startswith("--lang="):
            del rest[i]
            break
    return rest == ["--version"]
