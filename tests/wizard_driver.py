"""Walks the real wizard to a given step; shared by snapshot tests and the screenshot script."""

from __future__ import annotations

from textual.widgets import Input, OptionList

STEP_ORDER = ["welcome", "provider", "connection", "credentials", "sender", "test", "review"]

# Two saved profiles, for the Welcome list (snapshot tests and README screenshots).
EXAMPLE_CONFIG = """format = 1
default_profile = "alerts"

[profiles.alerts]
provider = "sendgrid"
host = "smtp.sendgrid.net"
port = 587
security = "starttls"
username = "apikey"
password = { env = "SENDGRID_API_KEY" }
from_email = "alerts@example.com"

[profiles.laptop]
provider = "fastmail"
host = "smtp.fastmail.com"
port = 465
security = "tls"
username = "me@example.com"
password = { command = "pass show fastmail" }
from_email = "me@example.com"
"""

EXAMPLE = {
    "provider": "gmail",
    "username": "ada@gmail.com",
    "password": "abcd efgh ijkl mnop",
    "from_email": "ada@gmail.com",
    "from_name": "Ada's Alerts",
}


def move_ports(app, provider_id: str, ports: dict[int, int]) -> None:
    """Give the provider the same choices (encryption, recommendation) on ports the test
    chose, e.g. {465: 40123, ...}: the well-known ports of the machine running the tests may
    have a real mail server behind them."""
    from dataclasses import replace

    from smtp_setup.core.catalog.loader import ProviderCatalog

    catalog = app.services.catalog
    provider = catalog.get(provider_id)
    moved = replace(provider, ports=tuple(replace(o, port=ports[o.port]) for o in provider.ports),
                    recommended_port=ports[provider.recommended_port])
    app.services._catalog = ProviderCatalog(
        tuple(moved if p.id == provider_id else p for p in catalog))


async def go_to(app, pilot, target: str, values: dict | None = None) -> None:
    """From the Welcome step, fill each step with `values` until `target` is shown."""
    values = {**EXAMPLE, **(values or {})}
    await pilot.pause()
    for step in STEP_ORDER[: STEP_ORDER.index(target)]:
        screen = app.screen
        if step == "provider":
            screen.query_one("#provider-filter", Input).value = values["provider_filter"] if (
                "provider_filter" in values) else app.services.catalog.get(values["provider"]).name
            await pilot.pause()
            plist = screen.query_one("#provider-list", OptionList)
            for index, option in enumerate(plist.options):
                if option.id == values["provider"]:
                    plist.highlighted = index
        elif step == "connection" and "host" in values:
            screen.query_one("#host", Input).value = values["host"]
        elif step == "credentials" and app.step.auth_on:
            screen.query_one("#username", Input).value = values["username"]
            screen.query_one("#password", Input).value = values["password"]
        elif step == "sender":
            screen.query_one("#from-email", Input).value = values["from_email"]
            screen.query_one("#from-name", Input).value = values["from_name"]
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.step.step_id == target, f"stopped at {app.step.step_id}: " + str(
        app.screen.query_one("#nav-status").content
    )
