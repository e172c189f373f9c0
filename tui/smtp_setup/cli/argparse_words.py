"""argparse's own words, for the catalogs.

cli/parser.py sends argparse's `_()` through our gettext (`argparse._ = gettext`), so its
headings and error messages are looked up in our catalog. They are not in our sources, so
the extractor would not find them: they are listed here with N_() (nothing imports this
module; Babel only reads it). They are argparse's %-style msgids, byte for byte as in
argparse.py (Python 3.11 to 3.13): tools/check_catalogs.py allows %-placeholders in exactly
these (ARGPARSE_MSGIDS) and checks that each translation keeps them.
"""

from __future__ import annotations

from smtp_setup.i18n import N_

WORDS = (
    # TRANSLATORS: argparse: the start of the usage line; keep the space at the end.
    N_("usage: "),
    # TRANSLATORS: argparse: a heading of --help.
    N_("positional arguments"),
    # TRANSLATORS: argparse: a heading of --help.
    N_("options"),
    # TRANSLATORS: argparse: the help of -h/--help.
    N_("show this help message and exit"),
    # TRANSLATORS: argparse: the last line of a usage error; keep %(prog)s, %(message)s, the
    # newline at the end, and the percent placeholders exactly.
    N_("%(prog)s: error: %(message)s\n"),
    # TRANSLATORS: argparse error; %(argument_name)s is an option such as --port.
    N_("argument %(argument_name)s: %(message)s"),
    # TRANSLATORS: argparse error; %s lists the unknown arguments.
    N_("unrecognized arguments: %s"),
    # TRANSLATORS: argparse error; %s lists the missing arguments (NAME, HOST...).
    N_("the following arguments are required: %s"),
    # TRANSLATORS: argparse error; %(value)r is what was typed, %(choices)s the choices.
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    # TRANSLATORS: argparse error; %(type)s is a Python type name such as float or int.
    N_("invalid %(type)s value: %(value)r"),
    # TRANSLATORS: argparse error after an option that needs a value.
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    # TRANSLATORS: argparse error; an abbreviated option matches several options.
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)
