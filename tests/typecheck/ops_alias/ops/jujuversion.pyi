from reactops.jujuversion import *  # noqa: F403 (the alias re-exports all of it)
from reactops.jujuversion import __all__ as __all__
