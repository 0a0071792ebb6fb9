# Written by `reactops typings`.
# At run time `import ops.model` gives reactops.model (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.model import *  # noqa: F403
from reactops.model import __all__ as __all__
