from reactops.pebble import *  # noqa: F403 (the alias re-exports all of it)
from reactops.pebble import __all__ as __all__
