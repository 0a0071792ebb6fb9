"""The requires side of the reference 'refdb' interface, with fault points."""

import faults

from reactops import Endpoint, clear_flag, set_flag, when, when_not


class RefDbRequires(Endpoint):
    @when('endpoint.{endpoint_name}.joined')
    def joined(self):
        faults.point('refdb.joined')
        set_flag(self.expand_name('{endpoint_name}.connected'))

    @when_not('endpoint.{endpoint_name}.joined')
    def gone(self):
        clear_flag(self.expand_name('{endpoint_name}.connected'))
        clear_flag(self.expand_name('{endpoint_name}.available'))

    @when('endpoint.{endpoint_name}.changed.host')
    def host_changed(self):
        faults.point('refdb.host_changed: before reading')
        clear_flag(self.expand_name('changed.host'))
        if self.all_joined_units.received['host']:
            set_flag(self.expand_name('{endpoint_name}.available'))
        faults.point('refdb.host_changed: after the flag')
