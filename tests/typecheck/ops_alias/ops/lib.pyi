from reactops.lib import *  # noqa: F403 (the alias re-exports all of it)
from reactops.lib import __all__ as __all__
