"""Which hooks Juju queues for which model change, in Juju's order for each unit."""

from __future__ import annotations

from ._state import LEADER_REL, ModelState, Relation

__all__ = ['queue_bag_changes', 'queue_departure', 'queue_join', 'queue_new_relation',
           'queue_setup', 'relation_env']


def relation_env(rel: Relation, app: str, remote_unit: str = '',
                 departing: str = '') -> dict[str, str]:
    """The ``JUJU_*`` variables of a relation hook of a unit of *app*."""
    endpoint = rel.endpoint_of(app)
    env = {'JUJU_RELATION': endpoint, 'JUJU_RELATION_ID': f'{endpoint}:{rel.id}',
           'JUJU_REMOTE_APP': rel.other(app), 'JUJU_REMOTE_UNIT': remote_unit}
    if departing:
        env['JUJU_DEPARTING_UNIT'] = departing
    return env


def _queue_rel(state: ModelState, unit: str, rel: Relation, event: str,
               remote: str = '', departing: str = '') -> None:
    app = unit.split('/')[0]
    state.enqueue(unit, f'{rel.endpoint_of(app)}-relation-{event}',
                  relation_env(rel, app, remote, departing), rel.id)


def queue_setup(state: ModelState, unit: str) -> None:
    """A new unit's first hooks: install, leadership, config-changed, start."""
    app = state.app(unit.split('/')[0])
    state.enqueue(unit, 'install')
    state.enqueue(unit, 'leader-elected' if app.leader == unit else 'leader-settings-changed')
    state.enqueue(unit, 'config-changed')
    state.enqueue(unit, 'start')


def _remote_units(state: ModelState, rel: Relation, unit: str) -> list[str]:
    app = unit.split('/')[0]
    return [u.name for u in state.units(rel.other(app)) if u.name != unit]


def queue_new_relation(state: ModelState, rel: Relation) -> None:
    """A relation just made: its units' bags seeded with their addresses, created for
    every unit, then joined/changed both ways."""
    units = [u.name for u in state.units(rel.app1)]
    if not rel.is_peer:
        units += [u.name for u in state.units(rel.app2)]
    for unit in units:
        state.seed_unit_bag(rel.id, unit)
        _queue_rel(state, unit, rel, 'created')
    for unit in units:
        for remote in _remote_units(state, rel, unit):
            _queue_rel(state, unit, rel, 'joined', remote)
            _queue_rel(state, unit, rel, 'changed', remote)


def queue_join(state: ModelState, rel: Relation, unit: str) -> None:
    """A unit added to an application that is in *rel*: it and the remote units meet."""
    state.seed_unit_bag(rel.id, unit)
    _queue_rel(state, unit, rel, 'created')
    for remote in _remote_units(state, rel, unit):
        _queue_rel(state, unit, rel, 'joined', remote)
        _queue_rel(state, unit, rel, 'changed', remote)
        _queue_rel(state, remote, rel, 'joined', unit)
        _queue_rel(state, remote, rel, 'changed', unit)


def queue_departure(state: ModelState, rel: Relation) -> None:
    """A relation removed: each unit sees each remote unit depart, then the relation break."""
    state.mark_dying(rel.id)
    units = [u.name for u in state.units(rel.app1)]
    if not rel.is_peer:
        units += [u.name for u in state.units(rel.app2)]
    for unit in units:
        for remote in state.members(rel.id, unit):
            _queue_rel(state, unit, rel, 'departed', remote, departing=remote)
        _queue_rel(state, unit, rel, 'broken')


def queue_bag_changes(state: ModelState, unit: str, written: list[tuple[int, str, dict[str, str]]]
                      ) -> list[str]:
    """Commit a successful hook's relation and leader settings; queue what they cause.

    Returns a description of each bag that changed, for the progress display.
    """
    changed = []
    app = unit.split('/')[0]
    relations = {rel.id: rel for rel in state.relations(app)}
    for rel_id, owner, data in written:
        if rel_id != LEADER_REL and rel_id not in relations:
            continue  # the relation went away while the hook ran
        old = state.bag(rel_id, owner)
        if data == old:
            continue
        state.set_bag(rel_id, owner, data)
        if rel_id == LEADER_REL:
            changed.append('leader settings')
            for other in state.units(app):
                if other.name != unit:
                    state.enqueue(other.name, 'leader-settings-changed')
            continue
        rel = relations[rel_id]
        changed.append(f'{rel.endpoint_of(app)}:{rel_id} {owner}')
        if rel.dying:
            continue
        for viewer in state.units(rel.other(app)):
            if viewer.name == unit:
                continue
            members = state.members(rel_id, viewer.name)
            if owner == unit and unit in members:
                _queue_rel(state, viewer.name, rel, 'changed', unit)
            elif owner == app and any(m.split('/')[0] == app for m in members):
                _queue_rel(state, viewer.name, rel, 'changed')
    return changed
