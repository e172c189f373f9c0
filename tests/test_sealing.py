"""Sealed secrets: scrypt + AES-256-GCM round trips, wrong passphrases, hostile tables."""

from __future__ import annotations

import base64
import json
import unicodedata

import pytest
from smtp_setup.core.profiles.sealing import (
    CIPHER,
    KDF,
    SCRYPT_N,
    SEALED_VERSION,
    SealError,
    check_sealed,
    seal,
    unseal,
)

SECRET = "Qv3-sealed-Secret-Value"
FAST = {"n": 2**10, "r": 8, "p": 1}  # cheap parameters: these tests are about the format


def test_round_trip_with_the_real_parameters():
    table = seal({"work": SECRET, "home": "ümlaut pässword"}, "correct horse")
    assert table["kdf"] == KDF == "scrypt" and table["cipher"] == CIPHER == "AES-256-GCM"
    assert table["sealed_version"] == SEALED_VERSION == 1
    assert (table["n"], table["r"], table["p"]) == (SCRYPT_N, 8, 1) and SCRYPT_N >= 2**17
    assert len(base64.b64decode(table["salt"])) == 16
    assert len(base64.b64decode(table["nonce"])) == 12
    assert unseal(table, "correct horse") == {"work": SECRET, "home": "ümlaut pässword"}


def test_the_secret_is_not_in_the_table():
    table = seal({"work": SECRET}, "pw", **FAST)
    text = json.dumps(table)
    assert SECRET not in text
    assert base64.b64encode(SECRET.encode()).decode()[:12] not in text
    # 16-byte GCM tag plus the JSON map: the ciphertext really is the encrypted map
    plain = json.dumps({"work": SECRET}, sort_keys=True).encode()
    assert len(base64.b64decode(table["ciphertext"])) == len(plain) + 16


def test_every_seal_uses_a_fresh_salt_and_nonce():
    a, b = seal({"w": SECRET}, "pw", **FAST), seal({"w": SECRET}, "pw", **FAST)
    assert a["salt"] != b["salt"] and a["nonce"] != b["nonce"]
    assert a["ciphertext"] != b["ciphertext"]


@pytest.mark.parametrize("wrong", ["pW", "pw ", "", "pw\n"])
def test_wrong_passphrase_is_a_clear_error(wrong):
    table = seal({"work": SECRET}, "pw", **FAST)
    with pytest.raises(SealError) as caught:
        unseal(table, wrong)
    message = str(caught.value)
    assert "passphrase" in message.lower() and SECRET not in message


def test_tampering_is_detected_like_a_wrong_passphrase():
    table = seal({"work": SECRET}, "pw", **FAST)
    raw = bytearray(base64.b64decode(table["ciphertext"]))
    raw[0] ^= 1
    with pytest.raises(SealError, match="Wrong passphrase"):
        unseal({**table, "ciphertext": base64.b64encode(bytes(raw)).decode()}, "pw")
    # the parameters are part of the key: changing one is a wrong key, not a crash
    with pytest.raises(SealError, match="Wrong passphrase"):
        unseal({**table, "r": 4}, "pw")


def test_passphrase_is_normalised_so_another_system_opens_it():
    composed = unicodedata.normalize("NFC", "café")
    decomposed = unicodedata.normalize("NFD", "café")
    assert composed != decomposed
    table = seal({"work": SECRET}, composed, **FAST)
    assert unseal(table, decomposed) == {"work": SECRET}


def test_empty_passphrase_is_refused():
    with pytest.raises(SealError, match="empty"):
        seal({"work": SECRET}, "")


def _good() -> dict:
    return seal({"work": SECRET}, "pw", **FAST)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sealed_version": 2}, "newer smtp-setup"),
        ({"sealed_version": "1"}, "sealed_version"),
        ({"kdf": "argon2id"}, "argon2id"),
        ({"cipher": "ChaCha20"}, "ChaCha20"),
        ({"n": 2**30}, "more scrypt work"),
        ({"n": 2**17, "r": 64}, "more scrypt work"),
        ({"p": 99}, "more scrypt work"),
        ({"n": 1000}, "power of two"),
        ({"n": 0}, "positive"),
        ({"r": True}, "positive"),
        ({"salt": "not base64!"}, "salt is not valid base64"),
        ({"nonce": base64.b64encode(b"short").decode()}, "nonce must be 12 bytes"),
        ({"ciphertext": 42}, "ciphertext must be base64"),
    ],
)
def test_hostile_tables_are_refused_before_any_work(change, message):
    table = {**_good(), **change}
    with pytest.raises(SealError, match=message):
        check_sealed(table)
    with pytest.raises(SealError, match=message):
        unseal(table, "pw")


def test_missing_keys_and_wrong_shapes():
    table = _good()
    del table["nonce"]
    with pytest.raises(SealError, match="lacks nonce"):
        check_sealed(table)
    with pytest.raises(SealError, match="must be a table"):
        check_sealed("sealed")


def test_decrypted_content_must_be_a_map_of_strings():
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from smtp_setup.core.profiles import sealing

    table = _good()
    salt = base64.b64decode(table["salt"])
    key = sealing._key("pw", salt, table["n"], table["r"], table["p"])
    nonce = base64.b64decode(table["nonce"])
    body = AESGCM(key).encrypt(nonce, json.dumps({"work": 5}).encode(), sealing._AAD)
    with pytest.raises(SealError, match="not a map"):
        unseal({**table, "ciphertext": base64.b64encode(body).decode()}, "pw")
