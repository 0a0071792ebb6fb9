from reactops.log import *  # noqa: F403 (the alias re-exports all of it)
from reactops.log import __all__ as __all__
