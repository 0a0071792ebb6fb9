#!/usr/bin/env python3
"""An ops charm that defers every event it observes until its `release` option is set.

Each event it finally handles is recorded in StoredState with what it carries (relation,
units, secret, storage), so the record shows how each deferred event came back.
"""

import ops


class DeferAllCharm(ops.CharmBase):
    """Defers everything while not released; records each event it handles."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self._stored.set_default(received=[])
        on = self.on
        for event in (on.install, on.leader_elected, on.config_changed, on.upgrade_charm,
                      on.update_status, on.db_relation_created, on.db_relation_joined,
                      on.db_relation_changed, on.db_relation_departed, on.secret_changed,
                      on.secret_remove, on.data_storage_attached):
            framework.observe(event, self._on_event)
        framework.observe(on.collect_unit_status, self._on_collect_status)

    def _on_event(self, event: ops.EventBase) -> None:
        if not self.config['release']:
            event.defer()
            return
        self._stored.received.append(describe(event))

    def _on_collect_status(self, event: ops.CollectStatusEvent) -> None:
        event.add_status(ops.ActiveStatus(f'{len(self._stored.received)} received'))


def describe(event: ops.EventBase) -> dict:
    """The event's type and what it carries, as plain data."""
    seen = {'type': type(event).__name__}
    if isinstance(event, ops.RelationEvent):
        seen['relation'] = [event.relation.name, event.relation.id]
        seen['app'] = event.app.name if event.app else None
        seen['unit'] = event.unit.name if event.unit else None
    if isinstance(event, ops.RelationDepartedEvent):
        seen['departing'] = event.departing_unit.name if event.departing_unit else None
    if isinstance(event, ops.SecretEvent):
        seen['secret'] = [event.secret.id, event.secret.label]
    if isinstance(event, ops.SecretRemoveEvent):
        seen['revision'] = event.revision
    if isinstance(event, ops.StorageEvent):
        storage = event.storage
        seen['storage'] = [storage.name, storage.index, str(storage.location)]
    return seen


if __name__ == '__main__':  # pragma: nocover
    ops.main(DeferAllCharm)
