from reactops.stored import *  # noqa: F403 (the alias re-exports all of it)
from reactops.stored import __all__ as __all__
