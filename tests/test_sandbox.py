"""The local sandbox server, exercised with real SMTP clients on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest
from smtp_fixtures import free_port
from smtp_setup.core.profiles.model import Profile, SecretRef, Security
from smtp_setup.core.smtp.sandbox import Sandbox
from smtp_setup.core.smtp.session import send_test_message


def sandbox_profile(port: int, **overrides) -> Profile:
    values = dict(name="sandbox", provider="sandbox", host="127.0.0.1", port=port,
                  security=Security.NONE, from_email="me@example.test", timeout=3.0)
    values.update(overrides)
    return Profile(**values)


async def test_captures_a_test_send_on_a_free_port():
    seen = []
    sandbox = Sandbox(on_message=seen.append)
    port = await sandbox.start(port=0)
    try:
        assert port > 0 and sandbox.port == port and sandbox.running
        result = await send_test_message(sandbox_profile(port), None, to="you@example.test",
                                         local_hostname="client.test")
    finally:
        await sandbox.stop()

    assert result.ok, result.diagnosis
    assert "captured by the sandbox" in result.response
    (message,) = sandbox.messages
    assert seen == [message]
    assert message.mail_from == "me@example.test"
    assert message.rcpt_tos == ["you@example.test"]
    assert message.subject == "smtp-setup test message"
    assert message.size == len(message.data) > 100
    assert message.peer.startswith("127.0.0.1:")
    summary = message.summary()
    assert "me@example.test" in summary and "you@example.test" in summary
    assert '"smtp-setup test message"' in summary


async def test_accepts_any_login():
    sandbox = Sandbox()
    port = await sandbox.start(port=0)
    try:
        profile = sandbox_profile(port, username="anyone",
                                  password=SecretRef("inline", "anything"))
        result = await send_test_message(profile, "anything", local_hostname="client.test")
    finally:
        await sandbox.stop()
    assert result.ok, result.diagnosis
    assert "anything" not in repr(sandbox.messages)


async def test_start_preferring_falls_back_when_the_port_is_taken():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        sandbox = Sandbox()
        port = await sandbox.start_preferring(taken)
        try:
            assert port not in (taken, 0)
            result = await send_test_message(sandbox_profile(port), None,
                                             local_hostname="client.test")
            assert result.ok
        finally:
            await sandbox.stop()


async def test_start_preferring_uses_the_port_when_free():
    wanted = free_port()
    sandbox = Sandbox()
    try:
        assert await sandbox.start_preferring(wanted) == wanted
    finally:
        await sandbox.stop()


async def test_start_on_a_taken_port_raises():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError):
            await Sandbox().start(port=busy.getsockname()[1])


async def test_stop_ends_open_sessions_and_frees_the_port():
    sandbox = Sandbox()
    port = await sandbox.start(port=0)
    with pytest.raises(RuntimeError):
        await sandbox.start(port=0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert (await reader.readline()).startswith(b"220 ")
    async with asyncio.timeout(3):
        await sandbox.stop()
        await sandbox.stop()  # twice is fine
        assert await reader.read() == b""  # the idle client was hung up on
    writer.close()
    assert sandbox.port is None and not sandbox.running
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
