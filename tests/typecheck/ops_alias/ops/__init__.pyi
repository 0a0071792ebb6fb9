# Written by `reactops typings`.
# At run time `import ops` gives reactops (reactops-ops.pth); this stub
# tells mypy and pyright the same, since neither runs a .pth file.
from reactops import *  # noqa: F403
from reactops import __all__ as __all__
from reactops import __version__ as __version__
from reactops import charm as charm
from reactops import framework as framework
from reactops import hookcmds as hookcmds
from reactops import jujucontext as jujucontext
from reactops import jujuversion as jujuversion
from reactops import lib as lib
from reactops import log as log
from reactops import model as model
from reactops import pebble as pebble
from reactops import storage as storage
from reactops import stored as stored
from reactops import testing as testing
