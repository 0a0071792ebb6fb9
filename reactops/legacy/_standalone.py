"""Legacy code outside a dispatch: flags, endpoints and conversations over the unit's state
file, as charms.reactive had them in an action or a ``juju exec`` script.

charms.reactive kept its flags in ``unitdata.kv()``, so an action script that imports it and
never calls ``main()`` still sees the flags of the last hook and can change them. While the
shim is installed, :func:`runtime` answers reactops' ``current()`` outside a dispatch (see
:func:`reactops.reactive._runtime.answer_outside_dispatch`) with a runtime over the very
store ``unitdata.kv()`` opened, so flags and kv data share one transaction:

* flags and kv changes become durable together, when the script calls
  ``unitdata.kv().flush()``, exactly when charmhelpers made them durable; a script that
  exits without flushing keeps nothing, as under charmhelpers (whose store was never
  committed at exit either);
* the runtime's charm is made on first use from the environment (metadata, a model of the
  process's own that sends relation writes at once), so ``endpoint_from_flag``,
  ``RelationBase.from_flag`` and conversations reach the relations named in the stored
  flags;
* endpoints are made when first asked for, without the automatic flags of a hook: the
  flags stay what the last hook left (charms.reactive managed them only in a dispatch).

reactops' own API keeps its in-memory default outside a dispatch when the shim is not
installed.
"""

from __future__ import annotations

from collections.abc import ValuesView
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..reactive._runtime import ReactiveRuntime

if TYPE_CHECKING:
    from ..reactive.endpoint import Endpoint
    from ..storage import SQLiteStorage

__all__ = ['StandaloneRuntime', 'forget', 'made', 'runtime']

_RUNTIME: list[StandaloneRuntime] = []


class StandaloneRuntime(ReactiveRuntime):
    """A runtime over the store of ``unitdata.kv()``, whose charm is made when first used."""

    def __init__(self, storage: SQLiteStorage, *, hook_name: str = ''):
        self._charm: Any = None
        super().__init__(storage, hook_name=hook_name)

    @property
    def charm(self) -> Any:
        """The charm of this process (a :class:`~reactops.reactive.ReactiveCharm`)."""
        if self._charm is None:
            self._charm = _make_charm(self.storage)
        return self._charm

    @charm.setter
    def charm(self, value: Any) -> None:
        self._charm = value


class _EndpointsOnDemand(dict[str, 'Endpoint']):
    """The charm's endpoints, each made the first time it is asked for.

    No automatic flag is managed: outside a dispatch the flags are the last hook's.
    """

    def __init__(self, owner: StandaloneRuntime):
        super().__init__()
        self._owner = owner

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self:
            self._make(name)
        return super().get(name, default)

    def values(self) -> ValuesView[Endpoint]:  # type: ignore[override]
        for name in sorted(self._owner.charm.framework.meta.relations):
            if name not in self:
                self._make(name)
        return super().values()

    def _make(self, name: str) -> None:
        from ..reactive.endpoint import Endpoint, find_endpoint_class

        framework = self._owner.charm.framework
        rel_meta = framework.meta.relations.get(name)
        if rel_meta is None:
            return
        role_name: str = rel_meta.role.value
        role = {'peer': 'peers'}.get(role_name, role_name)
        cls = find_endpoint_class(Path(framework.charm_dir), rel_meta.interface_name, role)
        self[name] = (cls or Endpoint)(name, None)


def runtime() -> StandaloneRuntime:
    """The runtime of legacy code outside a dispatch (over ``unitdata.kv()``'s store)."""
    from . import unitdata

    storage = unitdata.kv()._storage
    if _RUNTIME and _RUNTIME[0].storage is storage:
        return _RUNTIME[0]
    from ..reactive.endpoint import _ENDPOINTS

    made = StandaloneRuntime(storage, hook_name=_hook_name())
    _RUNTIME[:] = [made]
    _ENDPOINTS[made] = _EndpointsOnDemand(made)
    return made


def made() -> StandaloneRuntime | None:
    """The runtime :func:`runtime` made, if any (nothing is opened)."""
    return _RUNTIME[0] if _RUNTIME else None


def forget() -> None:
    """Drop the runtime (the shim's ``uninstall()`` does, and tests between charms)."""
    _RUNTIME.clear()


def _hook_name() -> str:
    # What hookenv.hook_name() answers outside a dispatch (empty in an action), so that
    # any_hook() and @hook agree with it.
    from .hookenv import hook_name

    return hook_name()


def _make_charm(storage: SQLiteStorage) -> Any:
    from ..framework import Framework
    from ..reactive._dispatch import ReactiveCharm
    from . import _session

    model = _session.model()
    framework = Framework(storage, _session.charm_dir(), model._meta, model)
    return ReactiveCharm(framework)
