import record
from charms.reactive import Endpoint, clear_flag, toggle_flag, when, when_not


class PgsqlRequires(Endpoint):
    @when('endpoint.{endpoint_name}.changed.host')
    def host_changed(self):
        record.ran()
        toggle_flag(self.expand_name('{endpoint_name}.available'), self.host() is not None)
        clear_flag(self.expand_name('changed.host'))

    @when_not('endpoint.{endpoint_name}.joined')
    def not_joined(self):
        record.ran()
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def host(self):
        for unit in self.all_joined_units:
            if unit.received['host']:
                return unit.received['host']
        return None
