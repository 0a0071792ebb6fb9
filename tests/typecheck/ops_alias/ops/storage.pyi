# Written by `reactops typings`.
# At run time `import ops.storage` gives reactops.storage (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.storage import *  # noqa: F403
from reactops.storage import __all__ as __all__
