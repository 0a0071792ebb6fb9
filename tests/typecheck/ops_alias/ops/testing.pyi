from reactops.testing import *  # noqa: F403 (the alias re-exports all of it)
from reactops.testing import __all__ as __all__
