# Written by `reactops typings`.
# At run time `import ops.jujucontext` gives reactops.jujucontext (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops.jujucontext import *  # noqa: F403
from reactops.jujucontext import __all__ as __all__
