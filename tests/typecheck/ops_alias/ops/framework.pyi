# Written by `reactops typings`.
# At run time `import ops.framework` gives reactops.framework (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.framework import *  # noqa: F403
from reactops.framework import __all__ as __all__
