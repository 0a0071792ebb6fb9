"""Record which class serves the cache endpoint and the servers it found."""

from reactops import ActiveStatus, current_charm, endpoint_from_name, set_flag, when


@when('endpoint.cache.joined')
def record_class():
    cache = endpoint_from_name('cache')
    set_flag('test.class', f'{type(cache).__module__}.{type(cache).__qualname__}')


@when('cache.available')
def connect(cache):
    set_flag('test.uris', [server.uri for server in cache.servers()])
    current_charm().unit.status = ActiveStatus('using ' + cache.servers()[0].host)
