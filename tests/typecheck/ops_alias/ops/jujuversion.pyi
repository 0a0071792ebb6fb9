# Written by `reactops typings`.
# At run time `import ops.jujuversion` gives reactops.jujuversion (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.jujuversion import *  # noqa: F403
from reactops.jujuversion import __all__ as __all__
