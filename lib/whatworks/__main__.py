"""``python -m whatworks``: the same as the ``whatworks`` command."""

import sys

from .cli import main

sys.exit(main())
