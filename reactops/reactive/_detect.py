"""Whether a charm needs the reactive layer at all, decided without importing it."""

from __future__ import annotations

import os

from .._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ['DISCOVERY_ROOTS', 'wants_reactive']

#: Directories of a charm searched for handler modules, in this order.
DISCOVERY_ROOTS = ('reactive', 'hooks/reactive', 'hooks/relations')
# The attribute the decorators record a handler's spec under (see decorators.py).
SPEC_ATTRIBUTE = '_reactops_handler'


def wants_reactive(charm_class: type[Any], charm_dir: str | os.PathLike[str]) -> bool:
    """Whether a dispatch needs the reactive layer: handler directories in the charm, or
    decorated methods on its class."""
    if any(os.path.isdir(os.path.join(charm_dir, root)) for root in DISCOVERY_ROOTS):
        return True
    return any(hasattr(value, SPEC_ATTRIBUTE)
               for klass in charm_class.__mro__ for value in vars(klass).values()
               if callable(value))
