"""``reactops.main``: the one entry point for ops-style, reactive and mixed charms.

It sits above both layers: it runs the charm layer's dispatch with the flag store open
(so flags an ops-style observer sets are kept), and runs reactive handlers only when the
charm has some (a ``reactive/`` directory, a legacy ``hooks/reactive/`` or
``hooks/relations/`` tree, or decorated methods), so a plain ops-style charm imports no
handler machinery.

As in ops, this module is itself callable: ``reactops.main(MyCharm)``,
``reactops.main.main(MyCharm)`` and ``from reactops.main import main`` all work, whatever
was imported first (importing a submodule makes it an attribute of its package, so the
module must be what the package's ``main`` is).
"""

from __future__ import annotations

import os
import sys
import types

from ._main import CHARM_STATE_FILE
from ._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .charm import CharmBase

__all__ = ['CHARM_STATE_FILE', 'main']


def main(charm_class: type[CharmBase] | None = None,
         use_juju_for_storage: bool | None = None) -> None:
    """Run the Juju event of this process, then return (or exit non-zero on failure).

    ``main(MyCharm)`` runs an ops-style charm, and its flag handlers too if it has any;
    ``main()`` runs a purely reactive charm whose handlers live under ``reactive/``
    (:class:`TypeError` if the charm has none there: give the charm class). In one
    dispatch the order is: deferred events, the Juju event's observers, the reactive
    handlers, collect-status, commit.
    """
    from ._main import main as dispatch_main
    from ._private.opsalias import install
    from .jujucontext import _charm_dir
    from .reactive._detect import DISCOVERY_ROOTS, wants_reactive

    # A charm packed with PYTHONPATH=lib:venv never ran reactops' .pth file: its
    # `import ops` (in the charm or its libraries) must still find reactops.
    install()
    charm_dir = _charm_dir(os.environ)  # the rest of JUJU_* is checked by the dispatch
    has_roots = any(os.path.isdir(os.path.join(charm_dir, root)) for root in DISCOVERY_ROOTS)
    if charm_class is None and not has_roots:
        raise TypeError(
            f'main() needs the charm class, e.g. main(MyCharm): without one it runs reactive '
            f'handlers, but {charm_dir} has none ({", ".join(DISCOVERY_ROOTS)} are missing)')
    from .reactive._dispatch import ReactiveCharm, ReactiveExtension

    run_handlers = charm_class is None or has_roots or wants_reactive(charm_class, charm_dir)
    dispatch_main(charm_class or ReactiveCharm, use_juju_for_storage,
                  extensions=[ReactiveExtension(run_handlers=run_handlers)])


class _CallableModule(types.ModuleType):
    """This module, callable as its :func:`main`."""

    def __call__(self, charm_class: type[CharmBase] | None = None,
                 use_juju_for_storage: bool | None = None) -> None:
        main(charm_class, use_juju_for_storage)


sys.modules[__name__].__class__ = _CallableModule
