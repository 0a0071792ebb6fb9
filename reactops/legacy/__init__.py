"""Run charms written for ``charms.reactive`` + ``charmhelpers`` + layer-basic on reactops.

* :func:`install` makes ``charms.reactive`` (every top-level name and the submodules
  ``bus``, ``flags``, ``decorators``, ``helpers``, ``relations``, ``endpoints``),
  ``charms.layer.options``/``basic`` and ``charmhelpers.core.hookenv``/``unitdata``
  resolve to reactops. ``import reactops`` alone never does this.
* :func:`main` is the entry point of a built legacy charm's ``hooks/<hook>`` scripts and
  ``dispatch``: it installs the shim and runs the hook as one reactops dispatch.
* :func:`port_check` lists the legacy APIs a charm uses, whether reactops provides each,
  and which documented behaviour differences apply (``reactops port-check``).

``docs/porting.md`` is the guide, with the table of every behaviour difference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._private.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    'install': '_shim',
    'uninstall': '_shim',
    'is_installed': '_shim',
    'main': '_main',
    'port_check': '_portcheck',
    'PortReport': '_portcheck',
    'LegacyError': '_errors',
    'UnsupportedLegacyAPIError': '_errors',
}

if TYPE_CHECKING:
    from ._errors import LegacyError, UnsupportedLegacyAPIError
    from ._main import main
    from ._portcheck import PortReport, port_check
    from ._shim import install, is_installed, uninstall

__all__ = ['LegacyError', 'PortReport', 'UnsupportedLegacyAPIError', 'install',
           'is_installed', 'main', 'port_check', 'uninstall']

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
