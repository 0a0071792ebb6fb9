from charms.reactive import Endpoint, clear_flag, toggle_flag, when, when_not


class PgsqlRequires(Endpoint):
    @when('endpoint.{endpoint_name}.changed.host')
    def _host_changed(self):
        toggle_flag(self.expand_name('{endpoint_name}.available'), self.host() is not None)
        clear_flag(self.expand_name('changed.host'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _not_joined(self):
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def host(self):
        for unit in self.all_joined_units:
            if unit.received['host']:
                return unit.received['host']
        return None

    def set_database(self, name):
        for relation in self.relations:
            relation.to_publish['database'] = name
