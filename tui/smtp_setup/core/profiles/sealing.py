"""Passwords sealed with a passphrase, for exports that carry their secrets.

The construction is standard and named in the file: scrypt turns the passphrase into a
256-bit key, AES-256-GCM encrypts a JSON map of profile name -> password. GCM
authenticates, so a wrong passphrase and a tampered file both fail the same way, and
nothing is decrypted. `cryptography` is imported only when sealing or unsealing.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import unicodedata
from typing import Any

from smtp_setup.i18n import _

SEALED_VERSION = 1
KDF = "scrypt"
CIPHER = "AES-256-GCM"
# scrypt cost: 2**17 x 8 x 128 bytes = 128 MiB and about 0.3 s, the OWASP minimum.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
# What an import agrees to spend: a hostile file must not ask for gigabytes or hours.
_MAX_SCRYPT_MEMORY = 256 * 2**20
_MAX_SCRYPT_P = 4
_SALT_BYTES, _NONCE_BYTES = 16, 12
# Binds the ciphertext to what it is, so it cannot be passed off as something else.
_AAD = b"smtp-setup-export sealed_version=1"
_KEYS = ("sealed_version", "kdf", "n", "r", "p", "salt", "cipher", "nonce", "ciphertext")


class SealError(ValueError):
    """Sealed secrets cannot be opened (wrong passphrase, damaged or foreign table)."""


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    # NFC: the same passphrase typed on another system gives the same bytes.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def seal(
    secrets: dict[str, str],
    passphrase: str,
    *,
    n: int = SCRYPT_N,
    r: int = SCRYPT_R,
    p: int = SCRYPT_P,
) -> dict[str, Any]:
    """The [sealed] table holding `secrets` (profile name -> password).

    Every call uses a fresh salt and nonce. Raises SealError for an empty passphrase.
    """
    if not passphrase:
        raise SealError(_("The passphrase is empty; choose one to protect the passwords."))
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    plain = json.dumps(secrets, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ciphertext = AESGCM(_key(passphrase, salt, n, r, p)).encrypt(nonce, plain, _AAD)
    return {
        "sealed_version": SEALED_VERSION,
        "kdf": KDF,
        "n": n,
        "r": r,
        "p": p,
        "salt": _b64(salt),
        "cipher": CIPHER,
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }


def check_sealed(table: Any) -> None:
    """Raise SealError unless `table` is a [sealed] table this version can open.

    Needs no passphrase, so an import can refuse a broken file before asking for one.
    """
    if not isinstance(table, dict):
        raise SealError(_("[sealed] must be a table."))
    version = table.get("sealed_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SealError(_("[sealed] has no sealed_version number."))
    if version > SEALED_VERSION:
        raise SealError(
            _("The passwords were sealed by a newer smtp-setup (sealed_version {version}; "
              "this one opens {supported}). Upgrade smtp-setup on this machine.").format(
                version=version, supported=SEALED_VERSION)
        )
    missing = [k for k in _KEYS if k not in table]
    if missing:
        raise SealError(_("[sealed] lacks {keys}.").format(keys=", ".join(missing)))
    if table["kdf"] != KDF or table["cipher"] != CIPHER:
        raise SealError(
            _("[sealed] uses kdf {kdf} and cipher {cipher}; this version opens {our_kdf} with "
              "{our_cipher}.").format(kdf=repr(table["kdf"]), cipher=repr(table["cipher"]),
                                      our_kdf=repr(KDF), our_cipher=repr(CIPHER))
        )
    n, r, p = (table[k] for k in ("n", "r", "p"))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (n, r, p)):
        raise SealError(_("[sealed] n, r and p must be positive whole numbers."))
    if n < 2 or n & (n - 1):
        raise SealError(_("[sealed] n must be a power of two."))
    if 128 * n * r > _MAX_SCRYPT_MEMORY or p > _MAX_SCRYPT_P:
        raise SealError(
            _("[sealed] asks for more scrypt work than an import allows; "
              "smtp-setup did not make this file.")
        )
    for key in ("salt", "nonce", "ciphertext"):
        _unb64(table[key], key)
    if len(_unb64(table["nonce"], "nonce")) != _NONCE_BYTES:
        raise SealError(_("[sealed] nonce must be {count} bytes.").format(count=_NONCE_BYTES))


def unseal(table: dict[str, Any], passphrase: str) -> dict[str, str]:
    """The profile name -> password map in a [sealed] table.

    Raises SealError for a table this version cannot open and for a wrong passphrase;
    the message never contains a secret.
    """
    check_sealed(table)
    if not passphrase:
        raise SealError(_("The passphrase is empty; enter the one used for the export."))
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = _key(passphrase, _unb64(table["salt"], "salt"), table["n"], table["r"], table["p"])
    try:
        plain = AESGCM(key).decrypt(
            _unb64(table["nonce"], "nonce"), _unb64(table["ciphertext"], "ciphertext"), _AAD
        )
    except InvalidTag:
        raise SealError(_(
            "Wrong passphrase (or the file was changed after it was exported); "
            "the passwords could not be opened."
        )) from None
    try:
        secrets = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        secrets = None
    if not isinstance(secrets, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in secrets.items()
    ):
        raise SealError(_("The sealed passwords are not a map of profile names to passwords."))
    return secrets


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, key: str) -> bytes:
    if not isinstance(value, str):
        raise SealError(_("[sealed] {key} must be base64 text.").format(key=key))
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SealError(_("[sealed] {key} is not valid base64.").format(key=key)) from None
