"""`smtp-setup export --list-formats`: every export format, the file it is for and what it
holds, as a table or (--json) a list of objects."""

from __future__ import annotations

from smtp_setup.cli.output import print_json, table

PORTABLE_ROW = ("toml", "NAME.smtp-setup.toml",
                "smtp-setup's own portable file, for smtp-setup import on another machine "
                "(the default)")


def format_rows() -> list[tuple[str, str, str]]:
    """(name, the file it belongs in, what it holds) for every format, toml first."""
    from smtp_setup.core.exports.formats import FORMAT_FILES, FORMATS

    return [PORTABLE_ROW, *((name, FORMAT_FILES[name], about) for name, about in FORMATS.items())]


def list_formats(as_json: bool) -> int:
    rows = format_rows()
    if as_json:
        from smtp_setup.core.exports.formats import FALLBACK_FORMATS

        print_json([{"format": name, "file": file, "about": about,
                     "fallback": name in FALLBACK_FORMATS} for name, file, about in rows])
        return 0
    for line in table([["FORMAT", "FILE", "WHAT IT HOLDS"], *map(list, rows)]):
        print(line)
    print("\nsmtp-setup export NAME --format FORMAT [-o FILE]; --fallback PROFILE adds a backup "
          "relay (postfix, nullmailer).")
    return 0
