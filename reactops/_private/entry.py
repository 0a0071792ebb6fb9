"""What the package's lazy ``reactops.main`` is: the callable module :mod:`reactops.main`.

Importing ``reactops.main`` (or ``ops.main``) makes that module an attribute of the
package, so ``reactops.main`` must be the module in every import order; the module is
callable as its ``main`` function.
"""

from __future__ import annotations

from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..main import main
else:
    from importlib import import_module

    main = import_module('reactops.main')

__all__ = ['main']
