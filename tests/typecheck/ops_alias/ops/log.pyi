# Written by `reactops typings`.
# At run time `import ops.log` gives reactops.log (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.log import *  # noqa: F403
from reactops.log import __all__ as __all__
