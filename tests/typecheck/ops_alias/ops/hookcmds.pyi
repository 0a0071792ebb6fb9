from reactops.hookcmds import *  # noqa: F403 (the alias re-exports all of it)
from reactops.hookcmds import __all__ as __all__
