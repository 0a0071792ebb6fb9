"""A bad ``JUJU_*`` environment and a damaged state file (issue 17, finding 7).

A hook run with a unit name that is empty, has no ``/<number>`` or has path parts used to
commit as that "unit"; a malformed relation id or version gave a traceback; a missing
version claimed "this is Juju 0.0.0"; a non-numeric schema version in the state file gave
an ``int()`` error naming no file. Each is now one line naming the variable (or the
file), before anything runs or is written. ``JujuContext._from_dict`` and
``from_environ`` keep ops' behaviour (they accept a unit named ``42``, and no version).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from charmrun import REPO, CharmUnit
from hypothesis import given, settings
from hypothesis import strategies as st
from runmode import examples

from reactops._private import jujunames
from reactops.errors import StateStoreCorruptError
from reactops.jujucontext import JujuContext, JujuEnvironmentError
from reactops.jujuversion import JujuVersion
from reactops.storage import SQLiteStorage

CHARM = """#!/usr/bin/env python3
import reactops


class Demo(reactops.CharmBase):
    _stored = reactops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(runs=0)
        for event in (self.on.install, self.on.update_status, self.on.db_relation_changed,
                      self.on.collect_metrics):
            framework.observe(event, self._on_any)

    def _on_any(self, event):
        self._stored.runs += 1
        if isinstance(event, reactops.RelationEvent):
            event.relation.data[self.unit]['seen'] = 'yes'


if __name__ == '__main__':
    reactops.main(Demo)
"""
REL = {'JUJU_RELATION': 'db', 'JUJU_REMOTE_UNIT': 'pg/0', 'JUJU_REMOTE_APP': 'pg'}


@pytest.fixture
def unit(tmp_path: Path) -> CharmUnit:
    source = tmp_path / 'source'
    (source / 'src').mkdir(parents=True)
    (source / 'src' / 'charm.py').write_text(CHARM)
    (source / 'metadata.yaml').write_text('name: demo\nrequires:\n  db: {interface: pgsql}\n')
    deployed = CharmUnit(tmp_path / 'unit', source, 'demo/0')
    deployed.juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': 'h'}})
    deployed.ok('hooks/install')
    return deployed


def run_without(unit: CharmUnit, path: str, *names: str,
                **env: str) -> subprocess.CompletedProcess[str]:
    """Run hook *path* with the variables *names* removed from its environment."""
    unit.juju.clear_calls()
    full = {key: value for key, value in os.environ.items()
            if not key.startswith(('JUJU_', 'REACTOPS_'))}
    full.update(unit.juju.env(JUJU_DISPATCH_PATH=path, **env))
    for name in names:
        full.pop(name, None)
    full['PYTHONPATH'] = str(REPO)
    return subprocess.run([sys.executable, str(unit.juju.charm_dir / 'src' / 'charm.py')],
                          env=full, capture_output=True, text=True, timeout=60,
                          cwd=unit.juju.charm_dir)


def refused(unit: CharmUnit, result: subprocess.CompletedProcess[str], variable: str,
            *causes: str, store: bytes) -> None:
    """*result* failed in one line naming *variable*, running no tool, writing nothing."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no traceback
    assert lines[0].startswith(f'reactops: {variable} '), lines[0]
    for cause in causes:
        assert cause in lines[0]
    assert 'Traceback' not in result.stderr
    assert unit.juju.argvs() == []  # not even juju-log: the unit may not be who it says
    assert unit.state_file.read_bytes() == store
    assert unit.bag('db:3', 'demo/0') == {}


@pytest.mark.parametrize(('name', 'cause'), [
    ('', 'is empty'),
    ('demo', 'has no "/<number>"'),
    ('../../x/0', 'has path parts'),
    ('demo/0/../../x', 'has path parts'),
    ('demo/', 'has path parts'),
    ('/0', 'has path parts'),
    ('../0', 'has path parts'),
    ('demo/x', 'is not <application>/<number>'),
    ('de mo/0', 'is not <application>/<number>'),
])
def test_a_bad_juju_unit_name_is_refused_before_anything_runs(
        unit: CharmUnit, name: str, cause: str) -> None:
    store = unit.state_file.read_bytes()
    result = unit.run('hooks/db-relation-changed', JUJU_UNIT_NAME=name,
                      JUJU_RELATION_ID='db:3', **REL)
    refused(unit, result, 'JUJU_UNIT_NAME', cause, store=store)


def test_a_missing_juju_unit_name_is_refused(unit: CharmUnit) -> None:
    store = unit.state_file.read_bytes()
    result = run_without(unit, 'hooks/update-status', 'JUJU_UNIT_NAME')
    refused(unit, result, 'JUJU_UNIT_NAME', 'is empty', store=store)


@pytest.mark.parametrize('value', ['db:x', 'db:', 'db', ':3', 'db:3:4', 'db:-3', 'db: 3',
                                   'db:3\n', 'db:١'])
def test_a_malformed_relation_id_is_one_clear_error(unit: CharmUnit, value: str) -> None:
    store = unit.state_file.read_bytes()
    result = unit.run('hooks/db-relation-changed', JUJU_RELATION_ID=value, **REL)
    refused(unit, result, 'JUJU_RELATION_ID', 'is not <endpoint>:<number>', store=store)


@pytest.mark.parametrize('value', ['abc', '3', '3.6.1 ', 'v3.6.1', '3.6.1-', '3..6'])
def test_a_malformed_juju_version_is_one_clear_error(unit: CharmUnit, value: str) -> None:
    store = unit.state_file.read_bytes()
    result = unit.run('hooks/update-status', JUJU_VERSION=value)
    refused(unit, result, 'JUJU_VERSION', 'is not a Juju version', store=store)


@pytest.mark.parametrize('how', ['unset', 'empty'])
def test_a_missing_juju_version_is_named_missing_not_juju_0_0_0(unit: CharmUnit,
                                                                 how: str) -> None:
    store = unit.state_file.read_bytes()
    if how == 'unset':
        result = run_without(unit, 'hooks/update-status', 'JUJU_VERSION')
    else:
        result = unit.run('hooks/update-status', JUJU_VERSION='')
    refused(unit, result, 'JUJU_VERSION', 'is not set', store=store)
    assert '0.0.0' not in result.stderr


def test_the_metrics_hooks_may_run_without_a_version(unit: CharmUnit) -> None:
    """Juju runs collect-metrics in a restricted environment; ops reads no version as
    0.0.0 there, and so does reactops."""
    result = run_without(unit, 'hooks/collect-metrics', 'JUJU_VERSION')
    assert result.returncode == 0, result.stderr
    context = JujuContext._for_dispatch({'JUJU_UNIT_NAME': 'demo/0',
                                         'JUJU_DISPATCH_PATH': 'hooks/meter-status-changed'})
    assert context.version == JujuVersion('0.0.0')


def test_a_good_environment_still_dispatches(unit: CharmUnit) -> None:
    unit.ok('hooks/db-relation-changed', JUJU_RELATION_ID='db:3', **REL)
    assert unit.bag('db:3', 'demo/0') == {'seen': 'yes'}


def test_ops_reading_of_the_environment_is_unchanged() -> None:
    """ops' JujuContext takes what Juju gives without judging names (its tests use a unit
    named ``42``) and reads a missing version as 0.0.0."""
    context = JujuContext._from_dict({'JUJU_UNIT_NAME': '42', 'JUJU_RELATION_ID': 'x:42'})
    assert (context.unit_name, context.relation_id) == ('42', 42)
    assert JujuContext._from_dict({}).version == JujuVersion('0.0.0')
    assert JujuContext._from_dict({'JUJU_RELATION_ID': '5'}).relation_id == 5
    with pytest.raises(ValueError, match='JUJU_RELATION_ID is malformed'):
        JujuContext._from_dict({'JUJU_RELATION_ID': 'x:y'})
    with pytest.raises(RuntimeError):
        JujuContext._from_dict({'JUJU_VERSION': 'abc'})


# -- the name formats -------------------------------------------------------------------


@pytest.mark.parametrize(('name', 'juju'), [
    ('mysql', True), ('my-app2', True), ('a-b-c', True), ('2app', False), ('a-1', False),
    ('App', False), ('a_b', False), ('a--b', False), ('', False), ('a-', False),
])
def test_application_names_follow_juju(name: str, juju: bool) -> None:
    assert bool(jujunames.APPLICATION_NAME_RE.fullmatch(name)) is juju
    assert bool(jujunames.UNIT_NAME_RE.fullmatch(f'{name}/0')) is juju
    assert not jujunames.UNIT_NAME_RE.fullmatch(f'{name}/01')


def test_a_hook_takes_unit_names_juju_would_not_make_but_that_are_safe() -> None:
    for name in ('test_main/0', 'Demo.1/12', 'a-1/0'):
        assert jujunames.unit_name_problem(name) is None
    long = 'x' * 500 + '/0'
    problem = jujunames.unit_name_problem(long)
    assert problem is not None and len(problem) < 200


# -- the state file's schema version ----------------------------------------------------


@pytest.mark.parametrize('version', ['abc', '', '1.5', '²', '-1', '9' * 30])
def test_a_non_numeric_schema_version_names_the_state_file(tmp_path: Path,
                                                           version: str) -> None:
    path = tmp_path / 'state.db'
    store = SQLiteStorage(path)
    store.commit()
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE reactops_meta SET value = ? WHERE key = 'schema_version'",
                   (version,))
    db.close()
    before = path.read_bytes()
    with pytest.raises(StateStoreCorruptError) as caught:
        SQLiteStorage(path)
    assert str(path) in str(caught.value) and 'schema version' in str(caught.value)
    assert 'invalid literal' not in str(caught.value)
    assert path.read_bytes() == before


def test_a_non_numeric_schema_version_fails_the_hook_naming_the_file(unit: CharmUnit) -> None:
    with sqlite3.connect(unit.state_file) as db:
        db.execute("UPDATE reactops_meta SET value = 'abc' WHERE key = 'schema_version'")
    db.close()
    store = unit.state_file.read_bytes()
    result = unit.run('hooks/update-status')
    assert result.returncode == 1
    assert 'StateStoreCorruptError' in result.stderr and str(unit.state_file) in result.stderr
    assert unit.state_file.read_bytes() == store


# -- any environment: a context or one error naming the variable (hypothesis) ---------------

_UNIT = st.one_of(st.text(max_size=12), st.sampled_from(['demo/0', 'a/1', '../x/0', 'a/b/0']))
_RELATION = st.one_of(st.text(max_size=8), st.sampled_from(['db:3', '7', 'db:', 'db:x:1']))
_VERSION = st.one_of(st.text(max_size=10), st.sampled_from(['3.6.1', '2.9-beta1', '3.1.2.3']))
_OTHER = st.sampled_from(['JUJU_STORAGE_ID', 'JUJU_SECRET_REVISION', 'JUJU_DISPATCH_PATH',
                          'JUJU_DEBUG_AT', 'JUJU_HOOK_NAME'])
_NAMED = ('JUJU_UNIT_NAME', 'JUJU_VERSION', 'JUJU_RELATION_ID', 'JUJU_STORAGE_ID',
          'JUJU_SECRET_REVISION')


@settings(max_examples=examples(400), deadline=None)
@given(st.one_of(st.none(), _UNIT), st.one_of(st.none(), _VERSION),
       st.one_of(st.none(), _RELATION), st.dictionaries(_OTHER, st.text(max_size=8)))
def test_any_juju_environment_gives_a_context_or_one_error_naming_the_variable(
        unit_name: str | None, version: str | None, relation_id: str | None,
        others: dict[str, str]) -> None:
    env = {name: value for name, value in (('JUJU_UNIT_NAME', unit_name),
                                           ('JUJU_VERSION', version),
                                           ('JUJU_RELATION_ID', relation_id))
           if value is not None and '\x00' not in value}
    env.update({k: v for k, v in others.items() if '\x00' not in v})
    try:
        context = JujuContext._for_dispatch(env)
    except JujuEnvironmentError as error:
        assert error.variable in _NAMED
        assert str(error).startswith(error.variable)
        assert len(str(error)) < 300
    else:
        assert jujunames.unit_name_problem(context.unit_name) is None
        assert '/' in context.unit_name and '..' not in context.unit_name.split('/')


@pytest.mark.parametrize(('variable', 'value', 'cause'), [
    ('JUJU_UNIT_NAME', '../../x/0', 'has path parts'),
    ('JUJU_VERSION', '3.x', 'is not a Juju version'),
])
def test_a_legacy_reactive_hook_refuses_a_bad_environment_too(
        tmp_path: Path, variable: str, value: str, cause: str) -> None:
    from test_legacy_charm import LegacyUnit

    legacy = LegacyUnit(tmp_path)
    result = legacy.hook('install', ok=False, **{variable: value})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f'reactops: {variable} '), result.stderr
    assert cause in lines[0]
    assert legacy.juju.argvs() == []
    assert not (legacy.juju.charm_dir / '.unit-state.db').exists()
