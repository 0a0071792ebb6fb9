import record
from charms.reactive import when, when_not


@when('store.ready')
def use_store(store):
    record.ran(','.join(store.urls()))
    store.request('app')


@when('store.connected')
@when_not('store.ready')
def waiting(store):
    record.ran(str(len(store.conversations())))
