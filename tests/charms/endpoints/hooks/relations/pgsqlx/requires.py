"""A small interface layer: the requires side of 'pgsqlx', written as charms.reactive's."""

from reactops import Endpoint, clear_flag, set_flag, when, when_not


class PgClient(Endpoint):
    @when('endpoint.{endpoint_name}.joined')
    def joined(self):
        set_flag(self.expand_name('{endpoint_name}.connected'))

    @when_not('endpoint.{endpoint_name}.joined')
    def gone(self):
        clear_flag(self.expand_name('{endpoint_name}.connected'))
        clear_flag(self.expand_name('{endpoint_name}.available'))

    @when('endpoint.{endpoint_name}.changed.host')
    def host_changed(self):
        clear_flag(self.expand_name('changed.host'))
        if self.host():
            set_flag(self.expand_name('{endpoint_name}.available'))

    def host(self):
        return self.all_joined_units.received['host']
