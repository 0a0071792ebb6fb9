import record
from charmhelpers.core import unitdata
from charms.reactive import clear_flag, set_flag, when, when_not


@when_not('app.installed')
def install():
    record.ran()
    unitdata.kv().set('app.mode', 'default')
    set_flag('app.installed')


@when('app.installed', 'db.available')
@when_not('app.db-announced')
def announce(db):
    mode = unitdata.kv().get('app.mode')
    record.ran(f'{db.host()}:{mode}')
    for relation in db.relations:
        relation.to_publish['mode'] = mode
    set_flag('app.db-announced')


@when('app.mode-changed')
def apply_mode():
    mode = unitdata.kv().get('app.mode')
    record.ran(mode)
    clear_flag('app.mode-changed')
    set_flag('app.configured', {'mode': mode})
