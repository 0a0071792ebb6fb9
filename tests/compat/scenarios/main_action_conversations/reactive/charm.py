import record
from charms.reactive import when


@when('etcd.token-sent')
def token_sent(etcd):
    record.ran(str(etcd.conversation().get_local('token')))


@when('zk.ready')
def zk_ready(zk):
    record.ran(','.join(zk.servers()))


@when('zk.rotated')
def zk_rotated(zk):
    record.ran(','.join(f'{c.scope}:{c.get_local("seen")}' for c in zk.conversations()))
