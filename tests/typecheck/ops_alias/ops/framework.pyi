from reactops.framework import *  # noqa: F403 (the alias re-exports all of it)
from reactops.framework import __all__ as __all__
