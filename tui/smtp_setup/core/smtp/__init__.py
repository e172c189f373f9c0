"""The SMTP side: a test send stage by stage (`session` drives it, `stages` keeps the
bookkeeping, `followups` asks the port what it speaks after a failure), the message
(`message`), TCP and TLS connecting (`tcp_connect`, `tls`), the transcript
(`transcript`), the port check (`probe`, `probe_ports`, `probe_report`), diagnosis and its
texts (`diagnosis`, `diagnosis_text`, `oauth_diagnosis`), AUTH XOAUTH2 at send time
(`oauth_login`) and the local sandbox server (`sandbox`).

May import: `core.profiles`, `core.catalog`, `core.oauth`, `core.dns` (a --nameserver
resolves the hosts connected to). Never `core.discovery`.
"""
