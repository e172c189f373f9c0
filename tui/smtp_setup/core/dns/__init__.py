"""DNS and the sender domain's check: the client (`client`, dnspython, one nameserver or the
system's), SPF (`spf`, `spf_verdict`), DKIM (`dkim`), DMARC (`dmarc`), the whole check
(`domain_check`) and its report rows (`domain_report`).

May import: `core.profiles`, `core.catalog`. Never `core.smtp`.
"""
