# Written by `reactops typings`.
# At run time `import ops.lib` gives reactops.lib (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.lib import *  # noqa: F403
from reactops.lib import __all__ as __all__
