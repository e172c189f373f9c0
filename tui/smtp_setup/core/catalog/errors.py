"""The catalog's one error, shared by the loader and the translation reader."""

from __future__ import annotations


class CatalogError(ValueError):
    """The packaged provider catalog (or one of its translations) is malformed."""
