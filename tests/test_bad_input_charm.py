"""Bad input to a whole hook, run as Juju runs it (a process on fake hook tools): malformed
charm YAML, an unknown dispatch path, a state file from a newer reactops, action params that
break the schema, config of the wrong type, relation data that is not a string map, flags
that cannot be stored. Each exits 1 with the cause on stderr and in juju-log, and writes
nothing: no state, no relation data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from charmrun import CharmUnit

CHARM = """#!/usr/bin/env python3
import reactops


class Demo(reactops.CharmBase):
    _stored = reactops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(runs=0)
        for event in (self.on.install, self.on.config_changed, self.on.db_relation_changed,
                      self.on.backup_action, self.on.update_status):
            framework.observe(event, self._on_any)

    def _on_any(self, event):
        self._stored.runs += 1
        _ = dict(self.config)
        if isinstance(event, reactops.RelationEvent):
            _ = dict(event.relation.data[event.unit])
            event.relation.data[self.unit]['seen'] = 'yes'
        if isinstance(event, reactops.ActionEvent):
            event.set_results({'n': event.params.get('n')})
        flag = self.config.get('flag')
        if flag == 'bad-value':
            reactops.set_flag('demo.flag', object())
        elif flag == 'bad-name':
            reactops.set_flag(42)


if __name__ == '__main__':
    reactops.main(Demo)
"""
FILES = {
    'metadata.yaml': 'name: demo\nrequires:\n  db: {interface: pgsql}\n',
    'config.yaml': 'options:\n  port: {type: int, default: 8080}\n  flag: {type: string}\n',
    'actions.yaml': ('backup:\n  params:\n    n: {type: integer, minimum: 1}\n'
                     '    mode: {type: string, enum: [full, quick]}\n'
                     '  required: [n]\n  additionalProperties: false\n'),
}
REL = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:3', 'JUJU_REMOTE_UNIT': 'pg/0',
       'JUJU_REMOTE_APP': 'pg'}


@pytest.fixture
def unit(tmp_path: Path) -> CharmUnit:
    source = tmp_path / 'source'
    (source / 'src').mkdir(parents=True)
    (source / 'src' / 'charm.py').write_text(CHARM)
    for name, text in FILES.items():
        (source / name).write_text(text)
    deployed = CharmUnit(tmp_path / 'unit', source, 'demo/0')
    deployed.juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': 'h'}})
    deployed.ok('hooks/install')  # a unit with state, so "nothing written" can be seen
    return deployed


def refused(unit: CharmUnit, path: str, *causes: str, **env: str) -> None:
    """Run *path*, which must fail naming every cause, leaving state and relations alone."""
    store = unit.state_file.read_bytes()
    relations = unit.juju.state()['relations']
    result = unit.run(path, **env)
    assert result.returncode == 1, result.stderr
    logged = '\n'.join(unit.logs())
    for cause in causes:
        assert cause in result.stderr, result.stderr
        assert cause in logged
    assert unit.state_file.read_bytes() == store
    assert unit.juju.state()['relations'] == relations
    assert not unit.juju.argvs('relation-set')


@pytest.mark.parametrize(('name', 'text', 'cause'), [
    # Ended by a newline, as files are: at the very end of the text PyYAML's Python loader
    # (no libyaml) points at column 8 of line 1, libyaml at line 2.
    ('metadata.yaml', 'name: [\n', 'metadata.yaml: line 2, column 1'),
    ('metadata.yaml', 'name: demo\nrequires: [db]\n', 'metadata.yaml: requires: expected a'),
    ('metadata.yaml', '- a list\n', 'metadata.yaml: expected a mapping'),
    # An unknown option type (`integer`) is accepted as ops accepts it; Juju refuses it at
    # deploy time, before any hook runs.
    ('config.yaml', 'options:\n  port: {type: int, default: "x"}\n',
     'config.yaml: options.port.default'),
    ('actions.yaml', 'backup: {params: [n]}\n', 'actions.yaml: backup.params'),
    ('actions.yaml', 'backup: {additionalProperties: maybe}\n', 'backup.additionalProperties'),
    ('charmcraft.yaml', 'name: demo\ntype: charm\nconfig: {options: 5}\n', 'options'),
])
def test_malformed_charm_yaml(unit: CharmUnit, name: str, text: str, cause: str) -> None:
    if name == 'charmcraft.yaml':  # the unified file: the legacy ones are gone
        for legacy in FILES:
            (unit.juju.charm_dir / legacy).unlink()
    (unit.juju.charm_dir / name).write_text(text)
    refused(unit, 'hooks/update-status', 'MetadataError', cause)


@pytest.mark.parametrize(('path', 'cause'), [
    ('bin/install', "JUJU_DISPATCH_PATH='bin/install' is not a Juju hook or action path"),
    ('../hooks/install', 'is not a Juju hook or action path'),
    ('actions/restore', "Juju ran action 'restore', which actions.yaml does not define"),
])
def test_an_unknown_dispatch_path(unit: CharmUnit, path: str, cause: str) -> None:
    refused(unit, path, 'DispatchError', cause)


def test_a_state_file_from_a_newer_reactops(unit: CharmUnit) -> None:
    with sqlite3.connect(unit.state_file) as db:
        db.execute("UPDATE reactops_meta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    refused(unit, 'hooks/update-status', 'StateStoreVersionError', 'schema version 99')


@pytest.mark.parametrize(('params', 'cause'), [
    ({}, "'n' is required but missing"),
    ({'n': 'three'}, "'n' must be integer, not string"),
    ({'n': True}, "'n' must be integer, not boolean"),
    ({'n': 0}, "'n' is below the minimum 1"),
    ({'n': 1, 'mode': 'slow'}, "'mode' is not one of the allowed values"),
    ({'n': 1, 'extra': 'x'}, "'extra' is not a declared parameter"),
])
def test_action_params_breaking_the_schema(unit: CharmUnit, params: dict[str, object],
                                           cause: str) -> None:
    unit.juju.update(action={'params': params})
    refused(unit, 'actions/backup', 'ActionParamsError', cause)
    assert 'results' not in unit.juju.state()['action']


def test_action_params_within_the_schema_run(unit: CharmUnit) -> None:
    unit.juju.update(action={'params': {'n': 2, 'mode': 'full'}})
    unit.ok('actions/backup')
    assert unit.juju.state()['action']['results'] == {'n': '2'}


def test_config_of_the_wrong_type(unit: CharmUnit) -> None:
    unit.juju.update(config={'port': 'eighty'})
    refused(unit, 'hooks/config-changed', 'ModelError', "'port' is declared as int")


@pytest.mark.parametrize(('data', 'cause'), [
    ('{"host": 5}', "key 'host' holds a number"),
    ('["host"]', 'relation-get printed a list'),
    ('host: h', 'relation-get printed output that is not JSON'),
])
def test_relation_data_that_is_not_a_string_map(unit: CharmUnit, data: str,
                                                cause: str) -> None:
    unit.juju.respond('relation-get', data + '\n')
    refused(unit, 'hooks/db-relation-changed', 'ModelError', cause, **REL)


@pytest.mark.parametrize(('flag', 'cause'), [
    ('bad-value', "value of flag 'demo.flag': cannot store object"),
    ('bad-name', 'a flag name must be a non-empty string, got 42'),
])
def test_flags_that_cannot_be_stored(unit: CharmUnit, flag: str, cause: str) -> None:
    unit.juju.update(config={'port': 8080, 'flag': flag})
    refused(unit, 'hooks/config-changed', cause)
