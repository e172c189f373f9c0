"""OAuth2 for SMTP: the sign-in flows (`flows`: device code, authorization code with PKCE,
refresh), their HTTP (`http`), the loopback redirect listener (`loopback`), the XOAUTH2
string (`xoauth2`) and where a rotated refresh token is stored (`token_store`).

May import: `core.profiles`, `core.catalog`.
"""
