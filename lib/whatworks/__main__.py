"""``python -m whatworks``: the same as the ``whatworks`` command."""

from .cli import entry

entry()
