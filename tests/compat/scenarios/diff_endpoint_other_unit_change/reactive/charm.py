import record
from charms.reactive import clear_flag, set_flag, when, when_not


@when_not('app.ready')
def ready():
    record.ran()
    set_flag('app.ready')


@when('app.ready', 'db.available')
def use_db(db):
    record.ran(str(len(db.all_joined_units)))
    for relation in db.relations:
        relation.to_publish['database'] = 'app'
        relation.to_publish_raw['raw-key'] = 'plain'
    set_flag('app.db-configured')


@when('endpoint.db.departed')
def departed():
    record.ran()
    clear_flag('endpoint.db.departed')
