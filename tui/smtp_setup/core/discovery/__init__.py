"""Settings found from an email address: the search (`search`, every source at once under
one limit), its sources (`sources`: catalog domains, MX patterns, SRV, guesses checked with
a port probe), Thunderbird autoconfig (`autoconfig`) and the ranked report (`report`).

May import: `core.profiles`, `core.catalog`, `core.smtp`, `core.dns`.
"""
