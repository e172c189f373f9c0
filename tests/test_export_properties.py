"""Property tests: any profile value the validators accept survives each export format's
quoting, read back by the tool itself (msmtp, git, bash) or by a reader of its rules."""

from __future__ import annotations

import os
import re

from export_readers import (
    SLOW,
    bash_env,
    decouple_env,
    dotenv_value,
    git_config,
    make,
    msmtp_pretend,
    needs_bash,
    needs_git,
    needs_msmtp,
    read_defines,
    read_msmtprc,
    read_php_string,
    read_postfix,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from smtp_setup.core.exports.dotenv import quote as dotenv_quote
from smtp_setup.core.exports.formats import ExportProblem, render_export
from smtp_setup.core.exports.values import display_address
from smtp_setup.core.exports.wp_config import php_string
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.model import SecretRef, Security


@given(name=st.text(st.one_of(st.sampled_from(list(" \t'\"\\()<>@,;:.[]")),
                             st.characters(codec="utf-8", exclude_categories=("Cs",),
                                           exclude_characters="\r\n\0")), max_size=20))
@settings(max_examples=200)
def test_the_from_name_survives_an_email_header_parser(name):
    # git's sendemail.from and Django's DEFAULT_FROM_EMAIL become a From header as written
    from email.headerregistry import HeaderRegistry

    (address,) = HeaderRegistry()("From", display_address(name, "a@example.com")).addresses
    assert (address.display_name, address.addr_spec) == (name, "a@example.com")


@needs_bash
@given(value=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",),
                                   exclude_characters="\r\n\0"), max_size=25)
       | st.text(st.sampled_from("'\"\\$`{} a#=é"), max_size=12))
@SLOW
def test_any_env_value_survives_the_shell_and_portable_ones_every_reader(tmp_path, value):
    quoted, portable = dotenv_quote(value)
    line = f"EMAIL_HOST_USER={quoted}\n"
    assert bash_env(tmp_path, line)["EMAIL_HOST_USER"] == value
    if portable:
        assert decouple_env(line)["EMAIL_HOST_USER"] == value
        assert dotenv_value(quoted) == value
    else:
        assert any(c in value for c in "'\\$`")


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_any_string_survives_php_single_quotes(value):
    assert read_php_string(php_string(value)) == value


# -- every format, any value the validators accept -----------------------------------------------
TEXT = st.text(st.one_of(st.sampled_from(list(" \t'\"\\$`#;%=:!{}<>,")),
                         st.characters(codec="utf-8", exclude_categories=("Cs",),
                                       exclude_characters="\r\n\0")), max_size=20)
usernames = TEXT.filter(lambda u: u != "" and validation.username(u) is None)
addresses = st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,12}(\.[a-z0-9]{1,5})?@"
                          r"[a-z0-9]{1,10}\.(com|test)", fullmatch=True
                          ).filter(lambda a: validation.email_address(a) is None)
profiles = st.builds(
    make,
    name=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
    security=st.sampled_from(list(Security)),
    port=st.integers(1, 65535),
    username=usernames,
    password=st.one_of(st.builds(SecretRef, st.just("command"), TEXT.filter(str.strip)),
                       st.builds(SecretRef, st.just("inline"), TEXT)),
    from_email=addresses,
    from_name=TEXT.filter(lambda n: validation.header_text(n) is None),
    ca_file=st.one_of(st.none(), TEXT.filter(lambda p: p.strip() == p and p.strip())),
)
secrets = TEXT.filter(bool)


@needs_msmtp
@given(profile=profiles, secret=secrets, command=TEXT.filter(str.strip))
@SLOW
def test_any_valid_profile_survives_msmtp(tmp_path, profile, secret, command):
    assume(not re.search(r"%[UHCM]", profile.from_email))
    text = render_export([profile], "msmtp", secrets={profile.name: secret})
    mine = read_msmtprc(text)[profile.name]
    seen = msmtp_pretend(tmp_path, text, profile.name)
    assert seen["user"] == mine["user"] == profile.username
    assert mine["password"] == secret and seen["password"] == "*"
    assert seen["from"] == mine["from"] == profile.from_email
    assert seen["port"] == str(profile.port)
    if profile.ca_file and profile.security is not Security.NONE:
        expected = {"system": "./system"}.get(profile.ca_file, profile.ca_file)
        if expected.startswith("~"):  # msmtp expands a leading ~ itself
            expected = str(tmp_path) + expected[1:]
        assert seen["tls_trust_file"] == expected
    by_command = profile.copy(password=SecretRef("command", command))
    text = render_export([by_command], "msmtp")
    assert read_msmtprc(text)[profile.name]["passwordeval"] == command
    assert msmtp_pretend(tmp_path, text, profile.name)["passwordeval"] == command


@needs_git
@given(profile=profiles, secret=secrets)
@SLOW
def test_any_valid_profile_survives_git(tmp_path, profile, secret):
    seen = git_config(tmp_path, render_export([profile], "git", secrets={profile.name: secret}))
    assert seen["sendemail.smtpuser"] == profile.username
    assert seen["sendemail.smtppass"] == secret
    assert seen["sendemail.from"] == display_address(profile.from_name, profile.from_email)
    if profile.ca_file and profile.security is not Security.NONE:
        assert seen["sendemail.smtpsslcertpath"] == profile.ca_file


@needs_bash
@given(profile=profiles, secret=secrets)
@SLOW
def test_any_valid_profile_survives_env(tmp_path, profile, secret):
    text = render_export([profile], "env", secrets={profile.name: secret})
    shell = bash_env(tmp_path, text)
    assert shell["EMAIL_HOST_USER"] == profile.username
    assert shell["EMAIL_HOST_PASSWORD"] == secret
    assert shell["DEFAULT_FROM_EMAIL"] == display_address(profile.from_name, profile.from_email)
    assert (shell["EMAIL_USE_TLS"], shell["EMAIL_USE_SSL"]) == {
        Security.STARTTLS: ("True", "False"), Security.TLS: ("False", "True"),
        Security.NONE: ("False", "False")}[profile.security]


@given(profile=profiles, secret=secrets)
@SLOW
def test_any_valid_profile_survives_wp_config_and_postfix(profile, secret):
    defines = read_defines(render_export([profile], "wp-config", secrets={profile.name: secret}))
    assert (defines["WPMS_SMTP_USER"], defines["WPMS_SMTP_PASS"]) == (profile.username, secret)
    assert (defines["WPMS_MAIL_FROM"], defines.get("WPMS_MAIL_FROM_NAME", "")) == (
        profile.from_email, profile.from_name)
    try:
        text = render_export([profile], "postfix", secrets={profile.name: secret})
    except ExportProblem:  # sasl_passwd splits at the first colon and trims the ends
        assert ":" in profile.username or secret != secret.strip()
        return
    main_cf, sasl = read_postfix(text)
    assert sasl == [f"[{profile.host}]:{profile.port} {profile.username}:{secret}"]
    if profile.ca_file and profile.security is not Security.NONE:
        assert main_cf["smtp_tls_CAfile"] == os.path.expanduser(profile.ca_file)
