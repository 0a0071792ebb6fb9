# Written by `reactops typings`.
# At run time `import ops.main` gives reactops.main (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.main import *  # noqa: F403
from reactops.main import __all__ as __all__
