"""{peer:...} is not a metadata section: charms.reactive looks the role up as a key of
metadata.yaml, so only 'peers' matches the peer endpoints."""

from charms.reactive import hook
from record import ran


@hook('{peer:cluster-peer}-relation-joined')
def singular_peer():
    ran()


@hook('{peers:cluster-peer}-relation-joined')
def plural_peers():
    ran()
