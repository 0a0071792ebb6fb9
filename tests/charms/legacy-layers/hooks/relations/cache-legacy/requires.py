# A cache service's requires side, written for these tests in the shape of the older
# RelationBase interface layers: one conversation per remote unit, flags per conversation.
from charms.reactive import RelationBase, hook, scopes


class CacheRequires(RelationBase):
    scope = scopes.UNIT
    auto_accessors = ['host', 'port']

    @hook('{requires:cache-legacy}-relation-joined')
    def joined(self):
        self.conversation().set_state('{relation_name}.connected')

    @hook('{requires:cache-legacy}-relation-changed')
    def changed(self):
        conversation = self.conversation()
        conversation.set_state('{relation_name}.connected')
        if conversation.get_remote('host'):
            conversation.set_state('{relation_name}.available')

    @hook('{requires:cache-legacy}-relation-{departed,broken}')
    def gone(self):
        conversation = self.conversation()
        conversation.remove_state('{relation_name}.connected')
        conversation.remove_state('{relation_name}.available')

    def servers(self):
        """(unit, host, port) of every cache unit with an address, in unit order."""
        found = []
        for conversation in self.conversations():
            host = conversation.get_remote('host')
            if host:
                found.append((conversation.scope, host, conversation.get_remote('port')))
        return sorted(found)

    def request_namespace(self, name):
        """Ask every cache of this flag's conversations for a namespace; remember it."""
        for conversation in self.conversations():
            conversation.set_remote('namespace', name)
            conversation.set_local('namespace', name)
