"""The Review step's list of changes: values old -> new, secrets never shown."""

from __future__ import annotations

from smtp_setup.core.profiles.diff import profile_changes
from smtp_setup.core.profiles.model import Profile, SecretRef, Security

OLD = Profile(name="work", provider="sendgrid", host="smtp.sendgrid.net", port=587,
              security=Security.STARTTLS, username="apikey",
              password=SecretRef("inline", "old-SECRET-1"), from_email="a@example.com")


def test_no_change_no_lines():
    assert profile_changes(OLD, OLD.copy(), new_secret_typed=False) == []


def test_port_and_security_changes_read_old_to_new():
    new = OLD.copy(port=465, security=Security.TLS)
    changes = {c.label: (c.old, c.new) for c in profile_changes(OLD, new, new_secret_typed=False)}
    assert changes == {"Port": ("587", "465"), "Encryption": ("STARTTLS", "Implicit TLS (SSL)")}


def test_a_new_inline_password_says_changed_without_its_value():
    new = OLD.copy(password=SecretRef("inline", "new-SECRET-2"))
    changes = profile_changes(OLD, new, new_secret_typed=True)
    assert [(c.label, c.old, c.new) for c in changes] == [("Password", "unchanged", "changed")]
    assert "SECRET" not in repr(changes)


def test_moving_the_secret_to_an_env_variable_names_both_places():
    new = OLD.copy(password=SecretRef("env", "SG_KEY"))
    (change,) = profile_changes(OLD, new, new_secret_typed=False)
    assert change.old == "stored in the config file"
    assert change.new == "environment variable SG_KEY (unchanged)"
    assert "SECRET" not in repr(change)


def test_the_changes_in_japanese():
    from smtp_setup import i18n

    i18n.set_language("ja")
    try:
        new = OLD.copy(port=465, security=Security.TLS, from_name="山田 花子",
                       password=SecretRef("env", "SG_KEY"), timeout=7.5)
        changes = [(c.label, c.old, c.new)
                   for c in profile_changes(OLD, new, new_secret_typed=False)]
    finally:
        i18n.set_language("en")
    assert changes[:4] == [("ポート", "587", "465"), ("暗号化", "STARTTLS", "暗黙的TLS（SSL）"),
                           ("差出人名", "（なし）", "山田 花子"), ("制限時間", changes[3][1], "7.5 秒")]
    assert changes[4][0] == "パスワード" and changes[4][2].endswith("（変更なし）"), changes
    assert not any(word in repr(changes) for word in ("Port", "From name", "unchanged", "none"))
