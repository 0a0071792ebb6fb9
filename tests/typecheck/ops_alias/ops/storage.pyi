from reactops.storage import *  # noqa: F403 (the alias re-exports all of it)
from reactops.storage import __all__ as __all__
