# Written by `reactops typings`.
# At run time `import ops.hookcmds` gives reactops.hookcmds (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.hookcmds import *  # noqa: F403
from reactops.hookcmds import __all__ as __all__
