"""``reactops.main``: the one entry point for ops-style, reactive and mixed charms.

It sits above both layers: it runs the charm layer's dispatch with the flag store open
(so flags an ops-style observer sets are kept), and runs reactive handlers only when the
charm has some (a ``reactive/`` directory, a legacy ``hooks/reactive/`` or
``hooks/relations/`` tree, or decorated methods), so a plain ops-style charm imports no
handler machinery.
"""

from __future__ import annotations

from .._main import main as _dispatch_main
from ..charm import CharmBase
from ..jujucontext import JujuContext

__all__ = ['main']


def main(charm_class: type[CharmBase] | None = None,
         use_juju_for_storage: bool | None = None) -> None:
    """Run the Juju event of this process, then return (or exit non-zero on failure).

    ``main(MyCharm)`` runs an ops-style charm, and its flag handlers too if it has any;
    ``main()`` runs a purely reactive charm whose handlers live under ``reactive/``. In
    one dispatch the order is: deferred events, the Juju event's observers, the reactive
    handlers, collect-status, commit.
    """
    from ..reactive._detect import wants_reactive
    from ..reactive._dispatch import ReactiveCharm, ReactiveExtension

    run_handlers = charm_class is None or wants_reactive(
        charm_class, JujuContext._from_dict().charm_dir)
    _dispatch_main(charm_class or ReactiveCharm, use_juju_for_storage,
                   extensions=[ReactiveExtension(run_handlers=run_handlers)])
