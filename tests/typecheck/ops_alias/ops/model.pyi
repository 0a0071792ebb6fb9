from reactops.model import *  # noqa: F403 (the alias re-exports all of it)
from reactops.model import __all__ as __all__
