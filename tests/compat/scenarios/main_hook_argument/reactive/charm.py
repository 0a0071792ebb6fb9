import record
from charms.reactive import hook, when


@hook('{requires:pgsql}-relation-joined')
def joined(db):
    record.ran(type(db).__name__ + ':' + db.endpoint_name)


@hook('db-relation-{changed,departed}')
def any_args(*args):
    record.ran(str(len(args)))


@when('db.available')
def legacy_arg(*args):
    record.ran(','.join(type(a).__name__ for a in args))
