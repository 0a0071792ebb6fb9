#!/usr/bin/env python3
"""The webapp as a reactive charm: the simple-db library's events become flags.

The charm class only creates the library and turns its events into the flag
``database.available`` (its value: the provider's answer); the handlers in
``reactive/webapp.py`` do the work when flags say so.
"""

from charms.simple_db.v0.database import DatabaseRequirer

import reactops
from reactops import clear_flag, set_flag


class WebappCharm(reactops.CharmBase):
    """Bridges the library's events to flags."""

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        self.database = DatabaseRequirer(self, 'database', database_name='webapp_reactive')
        framework.observe(self.database.on.database_available, self._on_database_available)
        framework.observe(self.database.on.database_gone, self._on_database_gone)

    def _on_database_available(self, event: reactops.EventBase) -> None:
        set_flag('database.available', {'endpoints': event.endpoints,
                                        'username': event.username})

    def _on_database_gone(self, event: reactops.EventBase) -> None:
        clear_flag('database.available')


if __name__ == '__main__':  # pragma: nocover
    reactops.main(WebappCharm)
