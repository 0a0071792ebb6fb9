"""``python -m reactops.cli``: the same as the ``reactops`` command."""

import sys

from . import main

sys.exit(main())
