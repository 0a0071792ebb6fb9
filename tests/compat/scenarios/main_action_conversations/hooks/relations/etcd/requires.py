import record
from charms.reactive import RelationBase, hook, scopes


class EtcdClient(RelationBase):
    """One conversation with the whole etcd cluster, as interface-etcd's requires side."""

    scope = scopes.GLOBAL
    auto_accessors = ['connection_string']

    @hook('{requires:etcd}-relation-{joined,changed}')
    def changed(self):
        record.ran()
        self.set_state('{relation_name}.connected')
        if self.connection_string():
            self.set_state('{relation_name}.available')

    @hook('{requires:etcd}-relation-{departed,broken}')
    def gone(self):
        record.ran()
        self.remove_state('{relation_name}.connected')
        self.remove_state('{relation_name}.available')
