from charmhelpers.core import hookenv
from charms.reactive import RelationBase, hook, scopes


class HttpProvides(RelationBase):
    scope = scopes.GLOBAL

    @hook('{provides:http-legacy}-relation-{joined,changed}')
    def changed(self):
        self.set_state('{relation_name}.available')

    @hook('{provides:http-legacy}-relation-{departed,broken}')
    def broken(self):
        self.remove_state('{relation_name}.available')

    def configure(self, port):
        self.set_remote(hostname=hookenv.unit_private_ip(), port=str(port))
