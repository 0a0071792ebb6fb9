# Written by `reactops typings`.
# At run time `import scenario` gives reactops.testing (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.testing import *  # noqa: F403
from reactops.testing import __all__ as __all__
