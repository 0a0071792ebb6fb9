# Written by `reactops typings`.
# At run time `import ops.stored` gives reactops.stored (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.stored import *  # noqa: F403
from reactops.stored import __all__ as __all__
