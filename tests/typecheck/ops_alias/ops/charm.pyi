# Written by `reactops typings`.
# At run time `import ops.charm` gives reactops.charm (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.charm import *  # noqa: F403
from reactops.charm import __all__ as __all__
