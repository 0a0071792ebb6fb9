#!/usr/bin/env python3
"""An ops-style charm with no handlers that sets a flag from an observer."""

import reactops


class OpsFlagsCharm(reactops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)

    def _on_install(self, event):
        reactops.set_flag('opsflags.installed', {'by': 'observer'})


if __name__ == '__main__':
    reactops.main(OpsFlagsCharm)
