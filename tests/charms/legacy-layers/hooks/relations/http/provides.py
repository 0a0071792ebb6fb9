# The http interface's provides side, written for these tests in interface-http's shape
# (an Endpoint): {endpoint_name}.available while a client is joined; configure() publishes
# where the site answers.
from charmhelpers.core import hookenv
from charms.reactive import Endpoint, clear_flag, set_flag, when, when_not


class HttpProvides(Endpoint):
    @when('endpoint.{endpoint_name}.joined')
    def joined(self):
        set_flag(self.expand_name('{endpoint_name}.available'))

    @when_not('endpoint.{endpoint_name}.joined')
    def broken(self):
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def configure(self, port, hostname=None):
        address = hookenv.unit_private_ip()
        for relation in self.relations:
            relation.to_publish_raw.update({
                'hostname': hostname or address,
                'private-address': address,
                'port': str(port),
            })

    def clients(self):
        return [unit.unit_name for unit in self.all_joined_units]
