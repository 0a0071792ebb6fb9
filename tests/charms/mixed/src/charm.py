#!/usr/bin/env python3
"""Observers and flag handlers in one charm."""

import reactops
from reactops import set_flag, when, when_not


class MixedCharm(reactops.CharmBase):
    _stored = reactops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(order=[])
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.collect_unit_status, self._on_collect_status)
        framework.observe(self.on.ping_action, self._on_ping)

    def _on_ping(self, event):
        self._stored.order.append('observer:ping')
        set_flag('mixed.pinged')
        event.set_results({'answer': 'pong'})

    def _on_install(self, event):
        self._stored.order.append('observer:install')
        set_flag('mixed.observed-install')

    @when('mixed.observed-install')
    @when_not('mixed.configured')
    def configure(self):
        assert isinstance(self, MixedCharm)
        self._stored.order.append(f'method:configure:{self.config["mode"]}')
        set_flag('mixed.configured')

    @when('leadership.is_leader')
    def lead(self):
        self._stored.order.append('method:lead')

    def _on_collect_status(self, event):
        order = ','.join(self._stored.order)
        event.add_status(reactops.ActiveStatus(order))


if __name__ == '__main__':
    reactops.main(MixedCharm)
