import record
from charmhelpers.core import hookenv, unitdata
from charms.reactive import clear_flag, data_changed, hook, only_once, set_flag, when, when_not


@hook('install', 'upgrade-charm')
def installing():
    record.ran(hookenv.hook_name())
    unitdata.kv().set('hooks', unitdata.kv().get('hooks', []) + [hookenv.hook_name()])


@only_once
def once():
    record.ran()


@when_not('a')
def first():
    record.ran()
    set_flag('a', {'n': 1})


@when('a')
@when_not('b')
def second():
    record.ran()
    set_flag('b')


@when('a', 'b')
def third():
    kv = unitdata.kv()
    changed = data_changed('inputs', {'hooks': kv.get('hooks'), 'x': kv.get('x', 0)})
    record.ran('changed' if changed else 'same')
    kv.update({'x': 1, 'y': 2}, prefix='vals.')


@hook('upgrade-charm')
def reset():
    record.ran()
    clear_flag('b')
