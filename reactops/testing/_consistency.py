"""The consistency checker: refuse a State and event that Juju could never produce.

:func:`check_consistency` runs before every test run. It compares the :class:`State`, the
event and the charm's metadata, collects **every** problem it finds and raises one
:class:`InconsistentScenarioError` listing them, each saying what is impossible and how to
change the test. A test that passes against an impossible state proves nothing about the
charm in Juju, so the checks are on by default.

Escape hatch: set the environment variable ``REACTOPS_SKIP_CONSISTENCY_CHECKS=1`` to run
anyway (for instance to reproduce a bug report from a broken model); the variable is read
on every call, so ``monkeypatch.setenv`` works.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .._private import codec as _codec
from ..errors import ReactopsError, SnapshotEncodingError
from ..meta import CharmMeta, RelationRole
from . import errors as _errors
from ._consistency_containers import container_problems
from ._consistency_events import (
    EventLike,
    _describe,
    _EventChecks,
    _kind,
    _rel,
)
from ._state import (
    PeerRelation,
    Relation,
    RelationBase,
    State,
    SubordinateRelation,
)

__all__ = ['SKIP_ENV_VAR', 'EventLike', 'InconsistentScenarioError', 'check_consistency']

#: Set this environment variable to ``1`` to skip the checks.
SKIP_ENV_VAR = 'REACTOPS_SKIP_CONSISTENCY_CHECKS'

#: The first Juju with secrets a charm can use.
SECRETS_SINCE = (3, 0, 0)

# The hooks a unit that is being removed (and so no longer counted in planned units) runs.
_TEARDOWN_KINDS = ('stop', 'remove', 'relation_departed', 'relation_broken',
                   'storage_detaching')
_DEFERRED_HANDLE = re.compile(r'^(?:.*/)?on/[a-zA-Z_][a-zA-Z0-9_]*\[\d+\]$')
_JUJU_VERSION = re.compile(r'^(\d+)(?:\.(\d+)(?:\.(\d+)|-([a-z]+)(\d+))?(?:\.\d+)?)?$')

class InconsistentScenarioError(_errors.InconsistentScenarioError, ReactopsError, ValueError):
    """The State, event and metadata of a test describe something Juju could not produce.

    :attr:`problems` lists each impossibility with its fix; the message shows them all.
    Set ``REACTOPS_SKIP_CONSISTENCY_CHECKS=1`` to run the test anyway.
    """

    def __init__(self, problems: Iterable[str]):
        self.problems: tuple[str, ...] = tuple(problems)
        count = len(self.problems)
        lines = '\n'.join(f'  - {p}' for p in self.problems)
        super().__init__(
            f'{count} problem{"s" if count != 1 else ""} with the test\'s State or event '
            f'(Juju could not produce {"them" if count != 1 else "it"}):\n{lines}\n'
            f'Fix the test; or, to run it anyway, set {SKIP_ENV_VAR}=1.')



def skip_requested() -> bool:
    """Whether ``REACTOPS_SKIP_CONSISTENCY_CHECKS`` asks to skip the checks."""
    value = os.environ.get(SKIP_ENV_VAR, '').strip().lower()
    return value not in ('', '0', 'false', 'no', 'off')


def check_consistency(state: State, event: Any, meta: CharmMeta, *,
                      juju_version: str, app_name: str | None = None,
                      unit_id: int = 0) -> None:
    """Raise :class:`InconsistentScenarioError` listing everything in *state* and *event*
    that Juju could not produce for a charm with *meta*, running Juju *juju_version*.

    *app_name* and *unit_id* name this unit (the application defaults to the charm's
    name). Does nothing when ``REACTOPS_SKIP_CONSISTENCY_CHECKS=1``.
    """
    if skip_requested():
        return
    if event is not None and not hasattr(event, 'remote_unit'):
        event = _EventView(event, app_name or meta.name)
    ctx = _Check(state, event, meta, juju_version, app_name or meta.name, unit_id)
    ctx.run()
    if ctx.problems:
        raise InconsistentScenarioError(ctx.problems)


class _EventView:
    """An ``ops.testing`` event as the checks read it (unit names, action fields)."""

    def __init__(self, event: Any, app_name: str):
        self._event = event
        self.name: str = event.name
        self.relation = event.relation
        self.storage = event.storage
        self.secret = event.secret
        self.secret_revision = event.secret_revision
        self.container = event.container
        self.notice = event.notice
        self.check_info = event.check_info
        action = event.action
        self.action_name: str | None = (str(getattr(action, 'name', ''))
                                        if action is not None else None)
        self.action_params = (dict(getattr(action, 'params', None) or {})
                              if action is not None else None)
        self.remote_unit: str | None = None
        self.departing_unit: str | None = None
        self.by_unit_number = True
        relation = event.relation
        if relation is not None and event._is_relation_event:
            app = app_name if isinstance(relation, PeerRelation) else relation.remote_app_name
            unit_id = event.relation_remote_unit_id
            if unit_id is None and not self.name.endswith(('_created', '_broken')):
                ids = relation._remote_unit_ids
                unit_id = ids[0] if ids else None
            if unit_id is not None:
                self.remote_unit = f'{app}/{unit_id}'
                if self.name.endswith('_departed'):
                    gone = event.relation_departed_unit_id
                    self.departing_unit = f'{app}/{gone}' if gone else self.remote_unit


def juju_version_tuple(version: str) -> tuple[int, int, int] | None:
    """``'3.0.3'`` → ``(3, 0, 3)``; a pre-release (``3.1-beta1``) sorts below ``3.1.0``."""
    match = _JUJU_VERSION.match(version.strip())
    if match is None:
        return None
    major, minor, patch, tag, _ = match.groups()
    return int(major), int(minor or 0), -1 if tag else int(patch or 0)


def _bags(relation: RelationBase) -> Iterator[tuple[str, object]]:
    yield 'local_app_data', relation.local_app_data
    yield 'local_unit_data', relation.local_unit_data
    if isinstance(relation, Relation | SubordinateRelation):
        yield 'remote_app_data', relation.remote_app_data
    if isinstance(relation, Relation):
        for n, data in relation.remote_units_data.items():
            yield f'remote_units_data[{n!r}]', data
    elif isinstance(relation, PeerRelation):
        for n, data in relation.peers_data.items():
            yield f'peers_data[{n!r}]', data
    elif isinstance(relation, SubordinateRelation):
        yield 'remote_unit_data', relation.remote_unit_data


class _Check(_EventChecks):
    """One run of the checks; each method adds to :attr:`problems`."""

    def __init__(self, state: State, event: EventLike | None, meta: CharmMeta,
                 juju_version: str, app_name: str, unit_id: int):
        self.state = state
        self.event = event
        self.meta = meta
        self.juju_version = juju_version
        self.version = juju_version_tuple(juju_version)
        self.app_name = app_name
        self.unit_id = unit_id
        self.problems: list[str] = []

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def run(self) -> None:
        if self.version is None:
            self.add(f'juju_version {self.juju_version!r} is not a Juju version: '
                     "pass one such as '3.6.1'")
        self.check_config()
        self.check_relations()
        self.check_storages()
        self.check_secrets()
        self.check_stored_states()
        self.check_deferred()
        self.check_flags()
        self.check_misc()
        self.problems.extend(container_problems(self.state, self.event, self.meta))
        if self.event is not None:
            self.check_event(self.event)

    # -- config ------------------------------------------------------------------------

    def check_config(self) -> None:
        declared = self.meta.config
        for key, value in self.state.config.items():
            option = declared.get(key)
            if option is None:
                known = ', '.join(sorted(declared)) or 'none'
                self.add(f'State.config[{key!r}]: the charm declares no config option '
                         f'{key!r} (declared: {known}); add it to the config options of '
                         'config.yaml/charmcraft.yaml, or remove it from State.config')
                continue
            expected = _config_type_problem(option.type, value, self.version)
            if expected:
                self.add(f'State.config[{key!r}] is {_describe(value)}, but the option is '
                         f'of type {option.type!r}, so Juju would only hand the charm '
                         f'{expected}; change the value in the test')

    # -- relations ---------------------------------------------------------------------

    def check_relations(self) -> None:
        by_id: dict[int, list[RelationBase]] = {}
        by_endpoint: dict[str, int] = {}
        for relation in sorted(self.state.relations, key=lambda r: (r.id, r.endpoint)):
            by_id.setdefault(relation.id, []).append(relation)
            by_endpoint[relation.endpoint] = by_endpoint.get(relation.endpoint, 0) + 1
            self.check_relation(relation)
        for relation_id, same in by_id.items():
            if len(same) > 1:
                self.add(f'relation id {relation_id} is used by {len(same)} relations '
                         f'({", ".join(_rel(r) for r in same)}); Juju gives each relation '
                         'its own id: leave id= out (it is generated) or make them unique')
        for endpoint, count in sorted(by_endpoint.items()):
            declared = self.meta.relations.get(endpoint)
            if declared is not None and declared.limit is not None and count > declared.limit:
                self.add(f'endpoint {endpoint!r} has {count} relations in the State, but the '
                         f'metadata limits it to {declared.limit}; Juju refuses the extra '
                         'relations: drop some, or raise "limit" in the metadata')

    def check_relation(self, relation: RelationBase) -> None:
        declared = self.meta.relations.get(relation.endpoint)
        if declared is None:
            known = ', '.join(sorted(self.meta.relations)) or 'none'
            self.add(f'{_rel(relation)}: the charm declares no endpoint '
                     f'{relation.endpoint!r} (declared: {known}); add it under requires, '
                     'provides or peers in the metadata, or fix the endpoint name')
        else:
            self.check_relation_class(relation, declared.role, declared.scope)
        for bag_name, bag in _bags(relation):
            self.check_bag(relation, bag_name, bag)
        if isinstance(relation, Relation):
            self.check_unit_numbers(relation, 'remote_units_data', relation.remote_units_data)
        if isinstance(relation, PeerRelation):
            self.check_unit_numbers(relation, 'peers_data', relation.peers_data)
            if self.unit_id in relation.peers_data:
                self.add(f'{_rel(relation)}: peers_data has unit {self.unit_id}, which is '
                         'this unit; peers_data holds the *other* units of the application '
                         '(our own bag is local_unit_data): remove that key')

    def check_relation_class(self, relation: RelationBase, role: RelationRole,
                             scope: str) -> None:
        if role is RelationRole.peer:
            expected: type[RelationBase] = PeerRelation
            why = 'it is declared under peers'
        elif scope == 'container':
            # As ops.testing: the scope decides, subordinate charm or not.
            expected = SubordinateRelation
            why = 'it is declared with scope: container'
        else:
            expected = Relation
            why = f'it is a {role.value} endpoint'
        if type(relation) is not expected:
            self.add(f'{_rel(relation)}: endpoint {relation.endpoint!r} needs a '
                     f'{expected.__name__} because {why}; build it with '
                     f'{expected.__name__}({relation.endpoint!r}, ...)')

    def check_bag(self, relation: RelationBase, bag_name: str, bag: object) -> None:
        if not isinstance(bag, Mapping):
            self.add(f'{_rel(relation)}: {bag_name} is {_describe(bag)}; a relation data bag '
                     'is a mapping of strings to strings: pass a dict')
            return
        for key, value in bag.items():
            if not isinstance(key, str):
                self.add(f'{_rel(relation)}: {bag_name} has the key {_describe(key)}; Juju '
                         f'stores strings only: use the key {str(key)!r}')
            elif not isinstance(value, str):
                self.add(f'{_rel(relation)}: {bag_name}[{key!r}] is {_describe(value)}; Juju '
                         'stores strings only: encode it (for example with json.dumps) in '
                         'the test as the charm would')

    def check_unit_numbers(self, relation: RelationBase, field: str,
                           units: Mapping[Any, Any]) -> None:
        for n in units:
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                self.add(f'{_rel(relation)}: {field} has the key {_describe(n)}; its keys are '
                         'unit numbers (0, 1, ...): use an int')

    # -- storage -----------------------------------------------------------------------

    def check_storages(self) -> None:
        seen: dict[tuple[str, int], int] = {}
        per_name: dict[str, int] = {}
        for storage in self.state.storages:
            key = (storage.name, storage.index)
            seen[key] = seen.get(key, 0) + 1
            per_name[storage.name] = per_name.get(storage.name, 0) + 1
        for (name, index), count in sorted(seen.items()):
            if count > 1:
                self.add(f'storage {name}/{index} is in State.storages {count} times; Juju '
                         'numbers each instance of a storage uniquely: give them different '
                         'index= values')
        for name in sorted(per_name):
            declared = self.meta.storages.get(name)
            if declared is None:
                known = ', '.join(sorted(self.meta.storages)) or 'none'
                self.add(f'State.storages has {name!r}, but the charm declares no storage '
                         f'{name!r} (declared: {known}); add it under "storage" in the '
                         'metadata, or fix the name')
                continue

    # -- secrets -----------------------------------------------------------------------

    def secrets_supported(self) -> bool:
        return self.version is None or self.version >= SECRETS_SINCE

    def check_secrets(self) -> None:
        secrets = sorted(self.state.secrets, key=lambda s: s.id)
        if secrets and not self.secrets_supported():
            self.add(f'State.secrets has {len(secrets)} secret(s), but Juju '
                     f'{self.juju_version} has no secrets (they arrived in 3.0); run the '
                     "test with juju_version='3.0.0' or later, or drop the secrets")
        ids: dict[str, int] = {}
        labels: dict[str, int] = {}
        for secret in secrets:
            ids[secret.id] = ids.get(secret.id, 0) + 1
            if secret.label is not None:
                labels[secret.label] = labels.get(secret.label, 0) + 1
            if secret.owner not in ('unit', 'app', None):
                self.add(f'Secret {secret.id!r} has owner={secret.owner!r}; use '
                         "'unit', 'app' or None (we only observe it)")
        for secret_id, count in sorted(ids.items()):
            if count > 1:
                self.add(f'secret id {secret_id!r} is used by {count} different Secrets in '
                         'the State; give each secret its own id')
        for label, count in sorted(labels.items()):
            if count > 1:
                self.add(f'secret label {label!r} is used by {count} Secrets in the State; '
                         'Juju keeps labels unique for a unit: change one of them')

    # -- stored state, deferred events and flags ----------------------------------------

    def check_stored_states(self) -> None:
        seen: dict[tuple[str | None, str], int] = {}
        for stored in self.state.stored_states:
            where = f'StoredState(name={stored.name!r}, owner_path={stored.owner_path!r})'
            key = (stored.owner_path, stored.name)
            seen[key] = seen.get(key, 0) + 1
            if not isinstance(stored.name, str) or not stored.name.isidentifier():
                self.add(f'{where}: name must be the attribute name the StoredState is '
                         "declared as, such as '_stored'")
            if stored.owner_path is not None and (not isinstance(stored.owner_path, str)
                                                  or not stored.owner_path):
                self.add(f'{where}: owner_path must be the handle path of the owning '
                         "object (such as 'MyCharm/mylib'), or None for the charm")
            self.check_stored_value(where, 'content', stored.content)
        for (owner, name), count in sorted(seen.items(), key=str):
            if count > 1:
                self.add(f'stored state {owner or "<charm>"}.{name} appears {count} times '
                         'in State.stored_states with different content; keep one')

    def check_stored_value(self, where: str, field: str, value: object) -> None:
        if not isinstance(value, Mapping):
            self.add(f'{where}: {field} is {_describe(value)}; pass a dict')
            return
        for key in value:
            if not isinstance(key, str):
                self.add(f'{where}: {field} has the key {_describe(key)}; the keys are '
                         'attribute names (strings)')
        try:
            _codec.check(dict(value), where=f'{where}.{field}')
        except SnapshotEncodingError as e:
            self.add(f'{e}; the state store holds JSON values only (plus tuples, sets and '
                     'bytes): store plain data in the test')

    def check_deferred(self) -> None:
        seen: set[str] = set()
        for deferred in self.state.deferred:
            where = f'DeferredEvent({deferred.handle_path!r})'
            path = deferred.handle_path
            if not isinstance(path, str) or not _DEFERRED_HANDLE.match(path):
                self.add(f'{where}: the handle path must look like '
                         "'<emitter path>/on/<event kind>[<n>]', such as "
                         "'MyCharm/on/config_changed[1]'; build it with "
                         'Context.on.<event>(...).deferred(handler)')
            elif path in seen:
                self.add(f'{where} is deferred twice; each notice has its own [<n>]')
            else:
                seen.add(path)
            if not isinstance(deferred.owner, str) or not deferred.owner:
                self.add(f'{where}: owner must be the handle path of the observing '
                         "object, such as 'MyCharm'")
            if not isinstance(deferred.observer, str) or not deferred.observer.isidentifier():
                self.add(f'{where}: observer must be the name of the observing method, '
                         "such as '_on_config_changed'")
            self.check_stored_value(where, 'snapshot_data', deferred.snapshot_data)

    def check_flags(self) -> None:
        for field, what, example in (('flags', 'flag', 'db.ready'),
                                     ('kv', 'key', 'reactive.data_changed.x')):
            for name, value in getattr(self.state, field, {}).items():
                if not isinstance(name, str) or not name.strip():
                    self.add(f'State.{field} has the name {_describe(name)}; a {what} name '
                             f'is a non-empty string such as {example!r}')
                    continue
                try:
                    _codec.check(value, where=f'value of {what} {name!r}')
                except SnapshotEncodingError as e:
                    self.add(f'State.{field}: {e}; a {what} value must be JSON data (None, '
                             'bool, numbers, strings, lists, dicts)')

    # -- leadership, planned units, ports, networks, resources ---------------------------

    def check_misc(self) -> None:
        state = self.state
        status_name = getattr(state.app_status, 'name', 'unknown')
        if not state.leader and status_name != 'unknown':
            self.add(f'State.app_status is {state.app_status!r} on a non-leader unit; Juju '
                     'shows the application status to the leader only: set leader=True, '
                     'or leave app_status out')
        self.check_planned_units()
        model = state.model
        if (getattr(model, 'type', None) == 'kubernetes' and getattr(model, 'cloud_spec', None)
                and self.version is not None and self.version < (3, 6, 10)):
            self.add('State.model has a cloud_spec, but Juju gives Kubernetes charms a cloud '
                     'spec only from 3.6.10: use juju_version 3.6.10 or later, or a machine '
                     "model (Model(type='lxd'))")
        for port in sorted(state.opened_ports, key=repr):
            if port.protocol == 'icmp' and port.port is not None:
                self.add(f'{port!r}: ICMP has no port number; use ICMPPort()')
            elif port.protocol != 'icmp' and not (isinstance(port.port, int)
                                                 and 1 <= port.port <= 65535):
                self.add(f'{port!r}: a {port.protocol.upper()} port is a number from 1 to '
                         '65535')
        # A container-scoped endpoint has no network of its own; an extra binding may not
        # share an endpoint's name (both as ops.testing checks).
        bindings = {name for name, rel in self.meta.relations.items()
                    if rel.scope != 'container'} | set(self.meta.extra_bindings) | {'juju-info'}
        shared = sorted(set(self.meta.relations) & set(self.meta.extra_bindings))
        if shared:
            self.add(f'extra-bindings {", ".join(shared)} share the name of relation '
                     'endpoints; Juju needs them distinct: rename them in the metadata')
        for network in sorted(state.networks, key=lambda n: n.binding_name):
            if network.binding_name not in bindings:
                self.add(f'Network {network.binding_name!r}: the charm has no endpoint or '
                         'extra-binding of that name; use one of '
                         f'{", ".join(sorted(bindings))}, or declare it in the metadata')
        for resource in sorted(state.resources, key=lambda r: r.name):
            if resource.name not in self.meta.resources:
                self.add(f'Resource {resource.name!r}: the charm declares no resource of that '
                         'name; add it under "resources" in the metadata, or fix the name')

    def check_planned_units(self) -> None:
        planned = self.state.planned_units
        event = self.event
        teardown = event is not None and _kind(event.name, _TEARDOWN_KINDS) is not None
        if planned < 0 or (planned == 0 and not teardown):
            self.add(f'State.planned_units is {planned}, but this unit counts itself while '
                     'it is not being removed (and a removed unit only runs stop, remove, '
                     'relation-departed/broken and storage-detaching): use 1 or more')












def _config_type_problem(option_type: str, value: object,
                         version: tuple[int, int, int] | None = None) -> str:
    """What Juju would hand a charm for *option_type*, or '' if *value* is such a thing
    (the types as ops.testing checks them)."""
    if option_type == 'int' and not isinstance(value, int):
        return 'an int'
    if option_type == 'float' and not isinstance(value, float):
        return 'a float'
    if option_type == 'boolean' and not isinstance(value, bool):
        return 'True or False'
    if option_type == 'string' and not isinstance(value, str):
        return 'a string'
    if option_type == 'secret':
        if version is not None and version < (3, 4, 0):
            return 'no secret: secret options need Juju 3.4 or later'
        if not (isinstance(value, str) and re.fullmatch(r'secret:[0-9a-z]{20}', value)):
            return "a secret id such as 'secret:cm9qq2nmp25c77b3o0n0'"
    return ''
