from reactops.jujucontext import *  # noqa: F403 (the alias re-exports all of it)
from reactops.jujucontext import __all__ as __all__
