"""The provider catalog: `providers.toml` (data, one table per provider), its loader
(`loader`: checked shapes, unknown keys rejected) and provider-specific advice for a
diagnosis (`advice`).

May import: `core.profiles`.
"""
