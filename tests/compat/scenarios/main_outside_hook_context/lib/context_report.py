"""What hookenv answers outside a hook: each answer recorded as ``name=value`` (or the
exception's class when the call fails), for an action and for a juju exec script alike."""
import record
from charmhelpers.core import hookenv
from charms.reactive import helpers

CHECKS = {
    'hook_name': hookenv.hook_name,
    'any_hook': lambda: helpers.any_hook('update-status', 'config-changed'),
    'action_name': hookenv.action_name,
    'action_uuid': hookenv.action_uuid,
    'in_relation_hook': hookenv.in_relation_hook,
    'relation_type': hookenv.relation_type,
    'relation_id': hookenv.relation_id,
    'remote_unit': hookenv.remote_unit,
    'local_unit': hookenv.local_unit,
    'service_name': hookenv.service_name,
    'is_leader': hookenv.is_leader,
    'config': lambda: sorted(hookenv.config().items()),
    'relation_ids': lambda: hookenv.relation_ids('db'),
    'related_units': lambda: hookenv.related_units('db:1'),
    'relation_get': lambda: hookenv.relation_get('host', 'pg/0', 'db:1'),
    'relation_for_unit': lambda: sorted(hookenv.relation_for_unit('pg/0', 'db:1').items()),
    'relations_of_type': lambda: [sorted(r.items()) for r in hookenv.relations_of_type('db')],
    'is_relation_made': lambda: hookenv.is_relation_made('db', keys='host'),
    'status': lambda: (hookenv.status_set('maintenance', 'checking'), hookenv.status_get())[1],
}


def report():
    """Record every answer; return them for action-set."""
    answers = {}
    for name, check in CHECKS.items():
        try:
            answer = repr(check())
        except Exception as error:
            answer = f'raised {type(error).__name__}'
        record.ran(f'{name}={answer}')
        answers[name.replace('_', '-')] = answer
    return answers
