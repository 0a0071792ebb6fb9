from reactops.charm import *  # noqa: F403 (the alias re-exports all of it)
from reactops.charm import __all__ as __all__
