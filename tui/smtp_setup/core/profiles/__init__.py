"""Profiles: the model (`model`), the rules a value must meet (`validation`), the config
file (`config_store`, written atomically and privately by `private_file`), where secrets
live (`secrets`), sealed exports (`sealing`), portable files (`portable`), rename/delete/
default (`upkeep`) and old → new differences (`diff`).

May import: nothing else in core. Everything else in core builds on it.
"""
