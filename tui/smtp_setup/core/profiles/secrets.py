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
from smtp_setup.i18n import N_, _

SERVICE = "smtp-setup"
# Backends that store secrets but not securely (base64 in a file).
_INSECURE_BACKENDS = {"keyrings.alt.file.PlaintextKeyring"}
# TRANSLATORS: the end of a sentence about an unusable keyring, after a semicolon
_NO_KEYRING_ADVICE = N_(
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
        return False, _("the keyring could not be initialised ({error})").format(
            error=f"{type(exc).__name__}: {exc}")
    backends = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    real = [b for b in backends if not isinstance(b, (fail.Keyring, null.Keyring))]
    if not real:
        return False, _("no usable keyring backend ({backend})").format(
            backend=_backend_name(backend))
    if all(_backend_name(b) in _INSECURE_BACKENDS for b in real):
        return False, _("only a plaintext file keyring (not secure storage)")
    return True, _backend_name(real[0] if len(real) == 1 else backend)


def _split_ref(ref: SecretRef) -> tuple[str, str]:
    """`smtp-setup/work` -> service `smtp-setup`, key `work`."""
    service, _, key = ref.value.rpartition("/")
    return service or SERVICE, key


def _unusable(profile_name: str, why: str) -> SecretError:
    return SecretError(_(
        "Profile {name} keeps its password in the system keyring, but there is "
        "no usable keyring here ({why}); {advice}: run {command}"
    ).format(name=repr(profile_name), why=why, advice=_NO_KEYRING_ADVICE,
             command=next_command("edit", profile_name)))


def store_in_keyring(profile_name: str, secret: str) -> SecretRef:
    """Save the password in the system keyring (service "smtp-setup", key = profile name)."""
    usable, why = keyring_status()
    if not usable:
        raise SecretError(_(
            "Cannot save the password for profile {name}: there is no usable "
            "system keyring here ({why}); {advice}."
        ).format(name=repr(profile_name), why=why, advice=_NO_KEYRING_ADVICE))
    import keyring
    import keyring.errors

    ref = SecretRef.keyring_for(profile_name)
    service, key = _split_ref(ref)
    try:
        keyring.set_password(service, key, secret)
    except Exception as exc:  # not only KeyringError: see _read_keyring
        raise SecretError(_(
            "The system keyring refused to save the password for profile {name} "
            "({error}); unlock the keyring and try again, or {advice}."
        ).format(name=repr(profile_name), error=type(exc).__name__,
                 advice=_NO_KEYRING_ADVICE)) from None
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
        raise SecretError(_(
            "Could not remove {entry} from the system keyring ({error}); "
            "remove it with your keyring's own tool."
        ).format(entry=ref.value, error=type(exc).__name__)) from None


def resolve_secret(ref: SecretRef, profile_name: str, *, timeout: float = 15) -> str:
    """The password a reference points to. Raises SecretError with a fix, never the secret.

    `timeout` bounds a password command; keyring calls can block on an unlock prompt.
    """
    if ref.kind == "inline":
        return ref.value
    if ref.kind == "env":
        value = os.environ.get(ref.value)
        if not value:
            text = (_("Profile {name} reads its password from the environment variable "
                      "{variable}, which is empty; set it (export {variable}=...) or run: "
                      "{command}") if value == "" else
                    _("Profile {name} reads its password from the environment variable "
                      "{variable}, which is not set; set it (export {variable}=...) or run: "
                      "{command}"))
            raise SecretError(text.format(name=repr(profile_name), variable=ref.value,
                                          command=next_command("edit", profile_name)))
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
        raise _unusable(profile_name, _("no keyring backend")) from None
    except Exception as exc:  # backends also raise their own errors (GLib, D-Bus)
        raise SecretError(_(
            "The system keyring could not give the password for profile {name} "
            "({error}); unlock the keyring and try again, or {advice}: run {command}"
        ).format(name=repr(profile_name), error=type(exc).__name__, advice=_NO_KEYRING_ADVICE,
                 command=next_command("edit", profile_name))) from None
    if value is None:
        raise SecretError(_("No password for profile {name} in the system keyring. "
                            "Run: {command}").format(name=repr(profile_name),
                                                     command=next_command("edit", profile_name)))
    return value


def _run_password_command(command: str, profile_name: str, timeout: float) -> str:
    """Run `command` with the shell and return its output without the trailing newline."""
    names = {"name": repr(profile_name), "command": command}
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
        raise SecretError(_("The password command for profile {name} (`{command}`) could not "
                            "start ({reason}).").format(**names, reason=exc.strerror)) from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise SecretError(_(
            "The password command for profile {name} (`{command}`) did not finish within "
            "{seconds} seconds; check that it runs without asking for input (try it in a shell)."
        ).format(**names, seconds=f"{timeout:g}")) from None
    if proc.returncode != 0:
        first = next(
            (ln.strip() for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()), ""
        )
        if proc.returncode < 0:
            text = (_("The password command for profile {name} (`{command}`) was stopped by "
                      "signal {number}: {said}. Try running it in a shell.") if first else
                    _("The password command for profile {name} (`{command}`) was stopped by "
                      "signal {number}. Try running it in a shell."))
        else:
            text = (_("The password command for profile {name} (`{command}`) failed with exit "
                      "status {number}: {said}. Try running it in a shell.") if first else
                    _("The password command for profile {name} (`{command}`) failed with exit "
                      "status {number}. Try running it in a shell."))
        raise SecretError(text.format(**names, number=abs(proc.returncode), said=first[:200]))
    try:
        value = out.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(_("The password command for profile {name} (`{command}`) printed "
                            "something that is not UTF-8 text.").format(**names)) from None
    if value.endswith("\r\n"):
        value = value[:-2]
    elif value.endswith("\n"):
        value = value[:-1]
    if not value:
        raise SecretError(_("The password command for profile {name} (`{command}`) printed "
                            "nothing; it should print the password.").format(**names))
    return value


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()
