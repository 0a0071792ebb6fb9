#!/usr/bin/env python3
"""Reference ops-style charm: every observer has fault points around its side effects."""

import faults

import reactops


class OpsRef(reactops.CharmBase):
    _stored = reactops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(installs=0, port=None, db_host=None, ticks=0,
                                 start_deferred=False, started=False)
        for event, method in ((self.on.install, self._on_install),
                              (self.on.config_changed, self._on_config_changed),
                              (self.on.start, self._on_start),
                              (self.on.db_relation_changed, self._on_db_changed),
                              (self.on.update_status, self._on_update_status)):
            framework.observe(event, method)

    def _on_install(self, event):
        faults.point('install: before storing')
        self._stored.installs += 1
        faults.point('install: after storing')

    def _on_config_changed(self, event):
        faults.point('config-changed: before reading config')
        self._stored.port = self.config['port']
        reactops.set_flag('ref.port', self.config['port'])
        faults.point('config-changed: after storing')

    def _on_start(self, event):
        faults.point('start: before deferring')
        if not self._stored.start_deferred:
            self._stored.start_deferred = True
            event.defer()
            return
        self._stored.started = True
        faults.point('start: after the deferred start ran')

    def _on_db_changed(self, event):
        faults.point('db-relation-changed: before reading')
        if event.unit is not None:
            self._stored.db_host = event.relation.data[event.unit].get('host')
        faults.point('db-relation-changed: before publishing')
        event.relation.data[self.unit]['port'] = str(self._stored.port)
        if self.unit.is_leader():
            event.relation.data[self.app]['database'] = 'ref'
        faults.point('db-relation-changed: after publishing')

    def _on_update_status(self, event):
        faults.point('update-status: before counting')
        self._stored.ticks += 1
        self.unit.status = reactops.ActiveStatus(f'ticks: {self._stored.ticks}')
        faults.point('update-status: after the status')


if __name__ == '__main__':
    reactops.main(OpsRef)
