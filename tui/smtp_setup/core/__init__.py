"""Email knowledge and I/O, free of any user interface (never imports textual or rich).

Grouped by what each part knows; dependencies run one way (tests/test_architecture.py):

- `profiles`  the profile model, its validation, the config file, secrets, sealing,
              portable files, upkeep and diffs. Imports no other part of core.
- `catalog`   the provider catalog (`providers.toml`) and provider-specific advice.
              Imports `profiles`.
- `exports`   a profile written for another program, one module per format.
              Imports `profiles`.
- `oauth`     OAuth2 sign-in flows, their HTTP, the loopback redirect, XOAUTH2 strings,
              the refresh-token store. Imports `profiles`, `catalog`.
- `dns`       the DNS client and the domain check: MX, SPF, DKIM, DMARC.
              Imports `profiles`, `catalog`.
- `smtp`      the SMTP session and its stages, TLS and TCP connecting, the port check,
              diagnosis and its texts, the local sandbox. Imports `profiles`, `catalog`,
              `oauth`, `dns`.
- `discovery` settings found from an address: catalog, MX, SRV, autoconfig, guesses.
              Imports `profiles`, `catalog`, `smtp`, `dns`.

Modules directly in core sit above the parts and may use any of them: `doctor` (probe +
test + domain check in one verdict) and `debug_log`.
"""
