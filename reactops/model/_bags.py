"""Relation data bags as this dispatch sees them, and the writes waiting to go to Juju.

Every :class:`~reactops.model.RelationDataContent` for one bag (a relation id and a unit
or application) shares one :class:`_Bag` here, so a bag is read with at most one
``relation-get`` per dispatch however many :class:`~reactops.model.Relation` objects
point at it.

Writes are buffered. A write changes the local view and is recorded; :meth:`_BagStore.flush`
(the model's ``_on_commit``, run by the framework after the commit event) sends one
``relation-set`` per changed bag with only the keys whose value differs from what Juju
had, deletions as ``''``. Juju applies relation-set only when the hook succeeds anyway, so
the charm sees the same outcome as with one call per write, with fewer tool runs, and a
dispatch that fails before its commit sends nothing. After the flush the store writes
through: later writes (a rare handler of the commit event itself, say) go out at once.
"""

from __future__ import annotations

from .._private.lazylog import get_logger
from .._private.typing import TYPE_CHECKING
from ..errors import RelationNotFoundError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .._private.backend import ModelBackend

logger = get_logger('reactops.model')

_BagKey = tuple[int, str, bool]  # relation id, unit or app name, is_app


class _Bag:
    """One data bag: what Juju had (once read), the local view, and the unsent changes."""

    __slots__ = ('relation_id', 'endpoint', 'member', 'is_app', 'juju', 'view', 'changes')

    def __init__(self, relation_id: int, endpoint: str, member: str, is_app: bool):
        self.relation_id = relation_id
        self.endpoint = endpoint
        self.member = member
        self.is_app = is_app
        self.juju: dict[str, str] | None = None
        """The bag as ``relation-get`` printed it; ``None`` until read."""
        self.view: dict[str, str] | None = None
        """:attr:`juju` with :attr:`changes` applied: what the charm reads."""
        self.changes: dict[str, str] = {}
        """Keys written since the last flush, with their new values (``''``: deleted)."""

    def load(self, data: Mapping[str, str]) -> dict[str, str]:
        self.juju = dict(data)
        self.view = dict(data)
        self._apply(self.view, self.changes)
        return self.view

    def write(self, data: Mapping[str, str]) -> bool:
        """Record *data* (``''`` deletes); return whether anything may need sending."""
        if self.view is None:
            # Never read: what Juju holds is unknown, so every key counts as changed.
            self.changes.update(data)
            return bool(data)
        changed = {key: value for key, value in data.items()
                   if self.view.get(key, '') != value}
        self.changes.update(changed)
        self._apply(self.view, changed)
        return bool(changed)

    def pending(self) -> dict[str, str]:
        """The changes Juju does not have yet (all of them if the bag was never read)."""
        if self.juju is None:
            return dict(self.changes)
        return {key: value for key, value in self.changes.items()
                if self.juju.get(key, '') != value}

    def sent(self) -> None:
        if self.juju is not None:
            self._apply(self.juju, self.changes)
        self.changes.clear()

    @staticmethod
    def _apply(target: dict[str, str], changes: Mapping[str, str]) -> None:
        for key, value in changes.items():
            if value == '':
                target.pop(key, None)
            else:
                target[key] = value


class _BagStore:
    """All bags of one dispatch, keyed by relation id and member, plus the pending writes."""

    def __init__(self, backend: ModelBackend):
        self._backend = backend
        self._bags: dict[_BagKey, _Bag] = {}
        self._dirty: dict[_BagKey, _Bag] = {}  # insertion order: first write first
        self.write_through = False
        """Set once :meth:`flush` ran: from then on each write is sent at once."""

    def bag(self, relation_id: int, endpoint: str, member: str, is_app: bool) -> _Bag:
        key = (relation_id, member, is_app)
        bag = self._bags.get(key)
        if bag is None:
            bag = self._bags[key] = _Bag(relation_id, endpoint, member, is_app)
        return bag

    def write(self, bag: _Bag, data: Mapping[str, str]) -> None:
        if bag.write(data):
            self._dirty[(bag.relation_id, bag.member, bag.is_app)] = bag
        if self.write_through:
            self.flush()

    def flush(self) -> None:
        """Send one ``relation-set`` per changed bag; then write through from now on.

        A bag whose relation is gone by now is dropped with a warning: nobody can read it.
        """
        self.write_through = True
        while self._dirty:
            key = next(iter(self._dirty))
            bag = self._dirty[key]
            data = bag.pending()
            if data:
                try:
                    self._backend.relation_set(bag.relation_id, bag.endpoint, data,
                                               bag.is_app)
                except RelationNotFoundError:
                    logger.warning('relation %s:%d is gone; dropping the data written to '
                                   'the bag of %s', bag.endpoint, bag.relation_id, bag.member)
            bag.sent()
            del self._dirty[key]
