import record
from charms.reactive import Endpoint, clear_flag, toggle_flag, when


class PgsqlRequires(Endpoint):
    @when('endpoint.{endpoint_name}.changed.host')
    def host_changed(self):
        record.ran()
        toggle_flag(self.expand_name('{endpoint_name}.available'), self.host() is not None)
        clear_flag(self.expand_name('changed.host'))

    def host(self):
        for unit in self.all_joined_units:
            if unit.received['host']:
                return unit.received['host']
        return None
