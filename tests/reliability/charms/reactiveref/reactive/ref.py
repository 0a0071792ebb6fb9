"""Handlers of the reference reactive charm, each with fault points around its effects."""

import faults

from reactops import ActiveStatus, current_charm, hook, set_flag, when, when_not


@when_not('ref.installed')
def install():
    faults.point('install: before the flag')
    set_flag('ref.installed')
    faults.point('install: after the flag')


@when('config.changed.port')
def port_changed():
    faults.point('port_changed: before the flag')
    set_flag('ref.port', current_charm().config['port'])
    faults.point('port_changed: after the flag')


@when('ref.installed', 'db.available')
@when_not('ref.published')
def publish(db):
    faults.point('publish: before publishing')
    for relation in db.relations:
        relation.to_publish['port'] = current_charm().config['port']
        relation.to_publish_raw['user'] = 'ref'
    set_flag('ref.published')
    faults.point('publish: after publishing')


@hook('update-status')
def tick():
    faults.point('tick: before the status')
    current_charm().unit.status = ActiveStatus('ready')
    set_flag('ref.ticked')
    faults.point('tick: after the status')
