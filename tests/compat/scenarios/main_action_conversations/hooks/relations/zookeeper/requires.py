import record
from charms.reactive import RelationBase, hook, scopes


class ZookeeperClient(RelationBase):
    """One conversation per zookeeper unit."""

    scope = scopes.UNIT

    @hook('{requires:zookeeper}-relation-{joined,changed}')
    def changed(self):
        record.ran()
        conv = self.conversation()
        conv.set_state('{relation_name}.joined')
        if conv.get_remote('port'):
            conv.set_state('{relation_name}.ready')

    @hook('{requires:zookeeper}-relation-departed')
    def departed(self):
        record.ran()
        conv = self.conversation()
        conv.remove_state('{relation_name}.joined')
        conv.remove_state('{relation_name}.ready')

    def servers(self):
        return sorted(f'{c.scope}={c.get_remote("port")}' for c in self.conversations())
