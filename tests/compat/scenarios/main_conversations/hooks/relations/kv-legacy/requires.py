import record
from charms.reactive import RelationBase, hook, scopes


class KvRequires(RelationBase):
    scope = scopes.UNIT
    auto_accessors = ['endpoint-url']

    @hook('{requires:kv-legacy}-relation-{joined,changed}')
    def changed(self):
        record.ran()
        conv = self.conversation()
        conv.set_state('{relation_name}.connected')
        if conv.get_remote('endpoint-url'):
            conv.set_state('{relation_name}.ready')

    @hook('{requires:kv-legacy}-relation-departed')
    def departed(self):
        record.ran()
        conv = self.conversation()
        conv.remove_state('{relation_name}.connected')
        conv.remove_state('{relation_name}.ready')

    def urls(self):
        return sorted(c.get_remote('endpoint-url') for c in self.conversations())

    def request(self, name):
        for conv in self.conversations():
            conv.set_remote('client', name)
