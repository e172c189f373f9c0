"""One address rule for every entry point: internal and reserved domains (corp.local, x.lan,
x.internal, localhost, a one-label mailhub) are addresses, accepted with a note; the
wizard's fields, `test --to`, `import` and the send itself all say the same."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from smtp_setup.app import build_wizard
from smtp_setup.core.profiles import validation
from smtp_setup.core.profiles.config_store import ConfigStore
from smtp_setup.core.profiles.model import Profile, Security
from smtp_setup.core.smtp.session import send_test_message
from support.cli import run
from test_wizard_flow import SIZE, choose_provider, next_enabled, send_and_wait, set_value

INTERNAL = ["it@corp.local", "alice@test.local", "bob@printers.lan", "ops@corp.internal",
            "root@localhost", "me@x.home.arpa", "qa@lab.test",
            "ü@bücher.local", "root@mailhub"]
# Documentation and example names (RFC 2606): no network of anyone's delivers them.
EXAMPLES = ["a@example.com", "b@mail.example.org", "c@Example.NET", "d@docs.example",
            "e@nowhere.invalid"]
NOT_ADDRESSES = ["", "alice", "alice@", "@corp.local", "a b@corp.local", "a@corp..local",
                 "a@corp.local.", "a@-corp.local", "<a@corp.local>", "a@" + "x" * 64 + ".local",
                 "a@123", "a@mailhub-", "a@[10.0.0.1]"]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_domains_are_addresses_with_a_note(address):
    assert validation.email_address(address) is None
    domain = address.rpartition("@")[2]
    assert validation.address_note(address) == (
        f"{domain} is an internal or reserved name: only mail servers inside that network "
        "deliver to it.")


@pytest.mark.parametrize("address", EXAMPLES)
def test_example_domains_are_addresses_noted_as_examples_not_a_network(address):
    assert validation.email_address(address) is None
    domain = address.rpartition("@")[2]
    assert validation.address_note(address) == (
        f"{domain} is reserved for examples; no real server delivers to it.")


@pytest.mark.parametrize("address", NOT_ADDRESSES)
def test_the_syntax_is_still_checked(address):
    assert validation.email_address(address)
    assert validation.address_note(address) is None


@pytest.mark.parametrize("address", [
    "alerts@example.org.uk", "first.last+tag@mail.co", "o'brien@x.io", "a@b-c.de",
    "x--y@d.com", "a@xx--y.com", "a@1.2.3.4", "a@x.-com", "a" * 65 + "@x.com",
    "a@münchen.de", "a@x.c0m", "a@" + "y" * 63 + ".com"])
def test_public_addresses_follow_email_validator(address):
    """The quick check for plain addresses never accepts what email-validator refuses."""
    try:
        validate_email(address, check_deliverability=False, test_environment=True)
        expected = None
    except EmailNotValidError:
        expected = "refused"
    assert (validation.email_address(address) and "refused") == expected
    assert validation.address_note(address) is None


async def test_the_send_takes_an_internal_address(smtp_plain):
    """A profile from a config file (no wizard) sends from and to .local, as before."""
    profile = smtp_plain.profile(username=None, password=None, from_email="it@corp.local")
    result = await send_test_message(profile, None, to="alice@test.local",
                                     local_hostname="client.test")
    assert result.ok, result.diagnosis
    assert smtp_plain.messages[-1].mail_from == "it@corp.local"
    assert smtp_plain.messages[-1].rcpt_tos == ["alice@test.local"]


def test_cli_test_to_an_internal_address_sends_with_a_note(_isolated_config, smtp_plain):
    ConfigStore(_isolated_config).save_profile(smtp_plain.profile(
        name="lab", username=None, password=None, from_email="it@corp.local"))
    proc = run("test", "lab", "--to", "alice@test.local")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ("Note: test.local is an internal or reserved name: only mail "
                           "servers inside that network deliver to it.\n")
    assert smtp_plain.messages[-1].rcpt_tos == ["alice@test.local"]
    refused = run("test", "lab", "--to", "alice@corp..local")
    assert refused.returncode == 2 and "two periods" in refused.stderr


def test_cli_import_takes_a_profile_from_an_internal_domain(_isolated_config, tmp_path):
    ConfigStore(_isolated_config).save_profile(Profile(
        name="lab", host="mail.corp.local", port=25, security=Security.NONE,
        from_email="it@corp.local"))
    export = tmp_path / "lab.toml"
    assert run("export", "lab", "-o", str(export)).returncode == 0
    other = tmp_path / "other" / "config.toml"
    proc = run("import", str(export), env={"SMTP_SETUP_CONFIG": str(other)})
    assert proc.returncode == 0, proc.stderr
    assert "Imported profile 'lab'" in proc.stdout
    assert ("Note: profile 'lab' sends from it@corp.local; corp.local is an internal or "
            "reserved name") in proc.stderr
    assert ConfigStore(other).load().profiles["lab"].from_email == "it@corp.local"


async def test_wizard_sender_and_recipient_take_internal_addresses(tmp_path):
    app = build_wizard(config_path=tmp_path / "config.toml")
    app.services.sandbox_port = 0
    async with app.run_test(size=SIZE) as pilot:
        await choose_provider(app, pilot, "sandbox")
        await pilot.press("ctrl+n")
        await pilot.press("ctrl+n")
        assert app.step.step_id == "sender"
        note = str(app.screen.query_one("#sender-note").content)
        assert note.startswith("Local sandbox — Nothing is delivered: "), note
        assert note.count(":") == 1, note
        await set_value(app, pilot, "#from-email", "it@corp.local")
        assert next_enabled(app)
        message = app.screen.query_one("#from-email-field .field-message")
        assert str(message.content) == ("i corp.local is an internal or reserved name: only "
                                        "mail servers inside that network deliver to it.")
        assert not message.has_class("-error")  # a note, not an error
        await pilot.press("ctrl+n")
        assert app.step.step_id == "test"
        await set_value(app, pilot, "#recipient", "alice@test.local")
        recipient = app.screen.query_one("#recipient-field .field-message")
        assert "i test.local is an internal or reserved name" in str(recipient.content)
        assert not recipient.has_class("-error")
        await send_and_wait(app, pilot)
        assert app.draft.test_ok is True


@settings(max_examples=300, deadline=None)
@given(st.emails() | st.from_regex(r"\A[a-z.'+-]{1,8}@[a-z0-9.-]{1,12}\.(com|de|x1)\Z"))
def test_the_quick_check_never_differs_from_email_validator(address):
    """Public addresses: the rule's answer is email-validator's, with or without the quick
    path that spares `test --to` its import."""
    domain = address.rpartition("@")[2]
    assume(not validation.is_reserved_domain(domain))
    try:
        validate_email(address, check_deliverability=False, test_environment=True)
        accepted = True
    except EmailNotValidError:
        accepted = False
    assert (validation.email_address(address) is None) == accepted


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[a-z0-9.'+-]{1,10}@([a-z0-9-]{1,12}\.){0,2}"
                     r"(local|test|lan|internal|localhost|invalid|mailhub|corp)\Z"))
def test_the_quick_check_agrees_with_the_full_check_for_internal_names(address):
    """Internal and reserved names take the quick path too (a `test` of a profile sending
    from bench@example.test imports no email-validator); its answer is the full check's."""
    local, _, domain = address.rpartition("@")
    assert (validation.email_address(address) is None) == (
        validation._full_check(address, local, domain) is None)


# What email-validator says of each, in smtp-setup's words (it speaks only English).
REASONS = [
    ("alice", "An address needs an @ sign.", "アドレスには @ が必要です。"),
    ("@example.com", "There must be something before the @ sign.",
     "@ の前に何か入力してください。"),
    ("alice@", "There must be something after the @ sign.", "@ の後にドメインを入力してください。"),
    ("a..b@example.com", "two periods in a row", "ピリオドを 2 つ続ける"),
    ("a@b.com.", "cannot end with a period", "ピリオドで終える"),
    ("a@-b.com", "cannot start with a hyphen", "ハイフンで始める"),
    ("a@b.c_m", "a domain cannot have: '_'", "使えない文字が含まれています: '_'"),
    ("a,b@example.com", "an address cannot have: ','", "使えない文字が含まれています: ','"),
]


@pytest.mark.parametrize(("address", "english", "japanese"), REASONS)
def test_the_reasons_are_ours_in_either_language(address, english, japanese):
    from smtp_setup import i18n

    assert english in validation.email_address(address)
    i18n.set_language("ja")
    try:
        said = validation.email_address(address)
    finally:
        i18n.set_language("en")
    assert said.startswith("正しいメールアドレスではありません: ") and japanese in said, said
    assert "@-sign" not in said and "email address" not in said
