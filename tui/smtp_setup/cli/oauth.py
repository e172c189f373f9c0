"""OAuth on the command line: `smtp-setup token NAME`, which prints a fresh access token for
other tools (msmtp's passwordeval, a git credential helper), and the store-back of a rotated
refresh token that `test` and `doctor` share. Imported only when one of them runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from smtp_setup.cli.output import UsageError, invalid_setting
from smtp_setup.cli.sending import print_warnings, refresh_token_for, token_saver
from smtp_setup.i18n import _


def cmd_token(args: argparse.Namespace) -> int:
    from smtp_setup.core.profiles.config_store import ConfigStore

    return run_token(args, ConfigStore(args.config))


def run_token(args: argparse.Namespace, store: Any) -> int:
    """`smtp-setup token NAME`: the access token alone on stdout, 0; or one sentence on
    stderr, 2. A rotated refresh token is stored before the access token is printed."""
    import asyncio

    from smtp_setup.core.oauth.flows import OAuthError
    from smtp_setup.core.smtp.oauth_login import fresh_access_token

    profile = store.load().profile(args.name)
    if not profile.uses_oauth:
        raise UsageError(_("Profile {name} logs in with a password, not OAuth; "
                           "`smtp-setup token` is only for profiles that sign in with OAuth.")
                         .format(name=repr(profile.name)))
    # Only what signing in needs: a token does not care about the From address or the port.
    problems = [p for p in profile.problems(check_address=False)
                if p.field in ("username", "oauth", "password")]
    if problems:
        raise UsageError(invalid_setting(profile, problems[0]))
    refresh_token = refresh_token_for(profile)
    saver = token_saver(profile, store)
    try:
        token = asyncio.run(fresh_access_token(profile, refresh_token, store_rotated=saver))
    except OAuthError as exc:
        raise UsageError(_("Profile {name}: {problem}").format(name=repr(profile.name),
                                                               problem=exc)) from None
    print_warnings(saver)
    print(token)
    return 0


