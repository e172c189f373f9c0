"""Where passwords live: the system keyring, an environment variable, a command's
output, or (by explicit choice) the config file itself.

Errors name the profile and how to fix it, and never contain the secret. `keyring` is
imported lazily: on a headless box it is slow to initialise and often useless.
"""

from __future__ import annotations

import os
import signal
import subprocess

from smtp_setup.core.profiles.model import SecretRef
from smtp_setup.core.profiles.next_command import next_command

SERVICE = "smtp-setup"
# Backends that store secrets but not securely (base64 in a file).
_INSECURE_BACKENDS = {"keyrings.alt.file.PlaintextKeyring"}
_NO_KEYRING_ADVICE = (
    "use an environment variable or a command (such as a password manager's CLI) instead"
)


class SecretError(Exception):
    """A password could not be read or stored. The message is a sentence with a fix."""


def _backend_name(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keyring_status() -> tuple[bool, str]:
    """Whether a real, secure keyring is usable here, and a short description of it.

    The fail and null backends and keyrings.alt's plaintext file do not count. Checks
    the backend only; no stored secret is read.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend or config must not crash the caller
        return False, f"the keyring could not be initialised ({type(exc).__name__}: {exc})"
    backends = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    real = [b for b in backends if not isinstance(b, (fail.Keyring, null.Keyring))]
    if not real:
        return False, f"no usable keyring backend ({_backend_name(backend)})"
    if all(_backend_name(b) in _INSECURE_BACKENDS for b in real):
        return False, "only a plaintext file keyring (not secure storage)"
    return True, _backend_name(real[0] if len(real) == 1 else backend)


def _split_ref(ref: SecretRef) -> tuple[str, str]:
    """`smtp-setup/work` -> service `smtp-setup`, key `work`."""
    service, _, key = ref.value.rpartition("/")
    return service or SERVICE, key


def _unusable(profile_name: str, why: str) -> SecretError:
    return SecretError(
        f"Profile {profile_name!r} keeps its password in the system keyring, but there is "
        f"no usable keyring here ({why}); {_NO_KEYRING_ADVICE}: run {next_command('edit', profile_name)}"
    )


def store_in_keyring(profile_name: str, secret: str) -> SecretRef:
    """Save the password in the system keyring (service "smtp-setup", key = profile name)."""
    usable, why = keyring_status()
    if not usable:
        raise SecretError(
            f"Cannot save the password for profile {profile_name!r}: there is no usable "
            f"system keyring here ({why}); {_NO_KEYRING_ADVICE}."
        )
    import keyring
    import keyring.errors

    ref = SecretRef.keyring_for(profile_name)
    service, key = _split_ref(ref)
    try:
        keyring.set_password(service, key, secret)
    except Exception as exc:  # not only KeyringError: see _read_keyring
        raise SecretError(
            f"The system keyring refused to save the password for profile {profile_name!r} "
            f"({type(exc).__name__}); unlock the keyring and try again, or {_NO_KEYRING_ADVICE}."
        ) from None
    return ref


def delete_keyring_secret(ref: SecretRef) -> None:
    """Remove a keyring entry; a missing entry (or a non-keyring ref) is not an error."""
    if ref.kind != "keyring":
        return
    import keyring
    import keyring.errors

    service, key = _split_ref(ref)
    try:
        keyring.delete_password(service, key)
    except keyring.errors.PasswordDeleteError:
        pass
    except Exception as exc:  # not only KeyringError: see _read_keyring
        raise SecretError(
            f"Could not remove {ref.value} from the system keyring ({type(exc).__name__}); "
            "remove it with your keyring's own tool."
        ) from None


def resolve_secret(ref: SecretRef, profile_name: str, *, timeout: float = 15) -> str:
    """The password a reference points to. Raises SecretError with a fix, never the secret.

    `timeout` bounds a password command; keyring calls can block on an unlock prompt.
    """
    if ref.kind == "inline":
        return ref.value
    if ref.kind == "env":
        value = os.environ.get(ref.value)
        if not value:
            state = "is empty" if value == "" else "is not set"
            raise SecretError(
                f"Profile {profile_name!r} reads its password from the environment variable "
                f"{ref.value}, which {state}; set it (export {ref.value}=...) or run: "
                f"{next_command('edit', profile_name)}"
            )
        return value
    if ref.kind == "command":
        return _run_password_command(ref.value, profile_name, timeout)
    return _read_keyring(ref, profile_name)


async def resolve_secret_async(ref: SecretRef, profile_name: str, *, timeout: float = 15) -> str:
    """resolve_secret for the UI: the keyring and the command run in a thread."""
    import asyncio  # here, not at the top: `smtp-setup list` never needs it
    if ref.kind in ("inline", "env"):
        return resolve_secret(ref, profile_name, timeout=timeout)
    return await asyncio.to_thread(resolve_secret, ref, profile_name, timeout=timeout)


def _read_keyring(ref: SecretRef, profile_name: str) -> str:
    usable, why = keyring_status()
    if not usable:
        raise _unusable(profile_name, why)
    import keyring
    import keyring.errors

    service, key = _split_ref(ref)
    try:
        value = keyring.get_password(service, key)
    except keyring.errors.NoKeyringError:
        raise _unusable(profile_name, "no keyring backend") from None
    except Exception as exc:  # backends also raise their own errors (GLib, D-Bus)
        raise SecretError(
            f"The system keyring could not give the password for profile {profile_name!r} "
            f"({type(exc).__name__}); unlock the keyring and try again, or {_NO_KEYRING_ADVICE}: "
            f"run {next_command('edit', profile_name)}"
        ) from None
    if value is None:
        raise SecretError(
            f"No password for profile {profile_name!r} in the system keyring. "
            f"Run: {next_command('edit', profile_name)}"
        )
    return value


def _run_password_command(command: str, profile_name: str, timeout: float) -> str:
    """Run `command` with the shell and return its output without the trailing newline."""
    where = f"The password command for profile {profile_name!r} (`{command}`)"
    try:
        # A new session, so a timeout can kill the whole group (pipelines, subshells)
        # rather than leave a grandchild holding the pipe open.
        proc = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        raise SecretError(f"{where} could not start ({exc.strerror}).") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise SecretError(
            f"{where} did not finish within {timeout:g} seconds; check that it runs without "
            "asking for input (try it in a shell)."
        ) from None
    if proc.returncode != 0:
        status = (
            f"was stopped by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"failed with exit status {proc.returncode}"
        )
        first = next(
            (ln.strip() for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()), ""
        )
        said = f": {first[:200]}" if first else ""
        raise SecretError(f"{where} {status}{said}. Try running it in a shell.")
    try:
        value = out.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(f"{where} printed something that is not UTF-8 text.") from None
    if value.endswith("\r\n"):
        value = value[:-2]
    elif value.endswith("\n"):
        value = value[:-1]
    if not value:
        raise SecretError(f"{where} printed nothing; it should print the password.")
    return value


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()
