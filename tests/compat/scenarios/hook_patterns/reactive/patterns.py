"""@hook patterns: {role:interface} expands through metadata.yaml, {a,b} to alternatives,
and the two combine."""

from charms.reactive import hook
from record import ran


@hook('{requires:pgsql}-relation-{joined,changed}')
def requires_pgsql():
    ran()


@hook('{provides:pgsql}-relation-{joined,changed}')
def provides_pgsql():
    ran()


@hook('{requires:http}-relation-joined', '{provides:http}-relation-changed')
def http_either_way():
    ran()


@hook('{peers:cluster-peer}-relation-{joined,departed}')
def peers_role():
    ran()


@hook('db-relation-{broken,changed}', 'website-relation-joined')
def by_name():
    ran()


@hook('{requires:nosuch}-relation-joined', '{nosuch:pgsql}-relation-joined')
def unknown_role_or_interface():
    ran()


@hook('{requires:pgsql}-relation-changed')
@hook('cache-relation-joined')
def stacked_hooks():
    ran()
