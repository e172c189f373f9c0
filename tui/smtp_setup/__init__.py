"""smtp-setup: a guided terminal setup assistant for outgoing email."""

__version__ = "0.1.0"
