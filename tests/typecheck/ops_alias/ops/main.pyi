from reactops.main import *  # noqa: F403 (the alias re-exports all of it)
from reactops.main import __all__ as __all__
