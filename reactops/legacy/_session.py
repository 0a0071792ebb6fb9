"""What the charmhelpers shim shares within one process: the model it talks through, the
``atstart``/``atexit`` callbacks, the ``config()`` object and the memo of ``@cached``.

During a dispatch the model is the dispatch's own (so hook tool answers are cached once
for the charm's handlers and the shim alike, and relation writes go out with the
dispatch's commit). Outside one (an action script that imports ``charmhelpers`` and
never calls ``main()``) a model of its own is made from the environment, and every
relation write through it (``hookenv.relation_set``, an Endpoint's ``to_publish``, a
conversation's ``set_remote``) is sent at once, as charmhelpers sent it: no dispatch
commit will come to send it later.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..reactive._runtime import current, is_dispatching

if TYPE_CHECKING:
    from ..model import Model

__all__ = ['Session', 'begin', 'charm_dir', 'forget', 'in_dispatch', 'model', 'session']


@dataclass
class Session:
    """The shim's per-dispatch (or per-process) state."""

    atstart: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = \
        field(default_factory=list)
    atexit: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = \
        field(default_factory=list)
    config: Any = None
    memo: dict[str, Any] = field(default_factory=dict)
    standalone_model: Model | None = None


_SESSION: list[Session] = [Session()]


def session() -> Session:
    """The running session."""
    return _SESSION[0]


def begin() -> Session:
    """Start a fresh session (the legacy entry point does, once per dispatch)."""
    _SESSION[0] = Session()
    return _SESSION[0]


def forget() -> None:
    """Forget everything of this process's legacy code outside a dispatch: the session,
    the flags runtime and the ``unitdata.kv()`` store (left uncommitted). The shim's
    ``uninstall()`` calls it, so the next charm a test loads starts afresh."""
    from . import _standalone

    _standalone.forget()
    begin()
    unitdata = sys.modules.get(f'{__package__}.unitdata')
    stores = getattr(unitdata, '_KV', None)
    if stores:
        for store in stores:
            store.close()
        stores.clear()


def in_dispatch() -> bool:
    """Whether a reactops dispatch with a charm is running in this process."""
    return is_dispatching() and current().charm is not None


def model() -> Model:
    """The model of the running dispatch, else one of this process's own."""
    if in_dispatch():
        charm_model: Model = current().charm.model
        return charm_model
    state = session()
    if state.standalone_model is None:
        from .._private.backend import ModelBackend
        from ..meta import CharmMeta
        from ..model import Model

        made = Model(CharmMeta.from_charm_root(charm_dir()), ModelBackend())
        made._on_commit()  # nothing buffered yet: from now on each write is sent at once
        state.standalone_model = made
    return state.standalone_model


def flush_if_standalone() -> None:
    """Send buffered relation writes now when no dispatch will send them at its end."""
    if not in_dispatch():
        model()._on_commit()


def charm_dir() -> Path:
    """The charm directory: ``$JUJU_CHARM_DIR``, else ``$CHARM_DIR``, else the working
    directory's."""
    value = os.environ.get('JUJU_CHARM_DIR') or os.environ.get('CHARM_DIR')
    if value:
        return Path(value)
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else Path.cwd()
    if script.parent.name in ('hooks', 'actions'):
        return script.parent.parent
    return Path.cwd()
