# Written by `reactops typings`.
# At run time `import ops.pebble` gives reactops.pebble (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.pebble import *  # noqa: F403
from reactops.pebble import __all__ as __all__
