"""Module handlers using endpoints the charms.reactive way (legacy arguments)."""

from reactops import current_charm, hook, set_flag, when


@when('db.available')
def use_db(db):
    set_flag('test.used', db.endpoint_name)
    if not current_charm().config['publish']:
        return
    for relation in db.relations:  # none left in the last unit's -departed hook
        relation.to_publish['database'] = 'app'
        relation.to_publish['options'] = {'b': 1, 'a': [True, None]}
        relation.to_publish_raw['user'] = 'u1'
    if current_charm().config['fail']:
        raise RuntimeError('told to fail')


@hook('db-relation-changed')
def db_changed(db):
    set_flag('test.hook', [db.endpoint_name, len(db.all_joined_units)])


@when('endpoint.web.broken')
def web_broken():
    set_flag('test.web.broken')
