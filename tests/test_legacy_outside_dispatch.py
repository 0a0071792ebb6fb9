"""Legacy code outside a dispatch: an action, a ``juju exec`` script or a unit test that
imports ``charms.reactive`` and never calls ``main()`` reads and writes the flags in the
unit's state file, through ``unitdata.kv()``, as charms.reactive did; it reaches the
relations named in the stored flags (``endpoint_from_flag``, ``RelationBase.from_flag``,
conversations); its changes are durable when it calls ``unitdata.kv().flush()``.

The charm is ``tests/charms/legacy-layers`` (see ``tests/test_legacy_layers.py``); its
``actions/do-thing`` runs through the charm's ``dispatch``, as Juju runs an action.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from legacyunit import CHARMS, REPO, LegacyUnit

import reactops.legacy
from reactops.localmodel import LocalModel, unit_charm_dir

UNIT = 'legacy-layers/0'
HOSTNAME = 'www.example.com'


def served(unit: LegacyUnit) -> LegacyUnit:
    """*unit* installed, with a website client and two cache units related and settled."""
    unit.hook('install')
    unit.juju.add_relation('website', 4, 'client', ['client/0'])
    unit.relation_hook('joined', 'website:4', 'client/0')
    unit.juju.add_relation('cache', 5, 'memo', ['memo/0', 'memo/1'], data={
        'memo/0': {'host': '10.9.0.1', 'port': '11211'},
        'memo/1': {'host': '10.9.0.2', 'port': '11211'}})
    for member in ('memo/0', 'memo/1'):
        unit.relation_hook('joined', 'cache:5', member)
        unit.relation_hook('changed', 'cache:5', member)
    return unit


@pytest.fixture
def unit(tmp_path: Path) -> LegacyUnit:
    return LegacyUnit(tmp_path, 'legacy-layers', unit=UNIT)


@pytest.fixture(scope='module')
def served_once(tmp_path_factory: pytest.TempPathFactory) -> LegacyUnit:
    return served(LegacyUnit(tmp_path_factory.mktemp('served'), 'legacy-layers', unit=UNIT))


@pytest.fixture
def served_unit(served_once: LegacyUnit, tmp_path: Path) -> LegacyUnit:
    """A copy of a unit after :func:`served`, for one test."""
    return served_once.copy_to(tmp_path / 'unit')


# -- an action, as Juju runs it --------------------------------------------------------------


def test_an_action_reads_and_writes_flags_and_reaches_the_endpoints(
        served_unit: LegacyUnit) -> None:
    unit = served_unit
    before = set(unit.flags())
    record = unit.action('do-thing', {'hostname': HOSTNAME})
    assert record['results'] == {'flags': 'cache.available website.available',
                                 'clients': 'client/0', 'caches': 'memo/0,memo/1'}
    assert not record.get('failed')
    # Flags and kv: read from the state file, written to it (flushed by the script).
    assert set(unit.flags()) == before | {'legacy-layers.thing-done'}
    kv = unit.kv()
    assert kv['reactive.states.legacy-layers.thing-done'] == HOSTNAME
    assert kv['thing-count'] == 1
    # The Endpoint (website) and the RelationBase conversations (cache) it reached by flag
    # sent their data at once, as charmhelpers' relation_set did.
    assert unit.bag('website:4')['hostname'] == HOSTNAME
    assert unit.bag('cache:5') == {'namespace': HOSTNAME}
    for member in ('memo/0', 'memo/1'):
        assert kv[f'reactive.conversations.cache:5.{member}.local-data.namespace'] == HOSTNAME
    assert unit.juju.argvs('status-set') == []  # nothing dispatched: no handler ran

    # The next hook sees what the action did; the action runs again on the new state.
    unit.hook('update-status')
    assert 'legacy-layers.thing-done' in unit.flags()
    unit.action('do-thing', {'hostname': 'other.example.com'})
    assert unit.kv()['thing-count'] == 2
    assert unit.kv()['reactive.states.legacy-layers.thing-done'] == 'other.example.com'


def test_an_action_before_the_flags_it_needs_fails_cleanly(unit: LegacyUnit) -> None:
    record = unit.action('do-thing', {'hostname': HOSTNAME})
    assert record['failed'] and record['message'] == 'the application is not configured yet'
    assert unit.flags() == []


@pytest.mark.slow
def test_a_shell_action_uses_the_charms_reactive_command(unit: LegacyUnit) -> None:
    unit.hook('install')
    script = unit.charm_dir / 'actions' / 'mark'
    script.write_text('#!/bin/sh\nset -e\n'
                      'charms.reactive set_flag marked.by-shell\n'
                      'charms.reactive is_flag_set legacy-layers.configured\n'
                      'action-set configured=yes\n')
    script.chmod(0o755)
    assert unit.action('mark', {})['results'] == {'configured': 'yes'}
    assert 'marked.by-shell' in unit.flags()


@pytest.mark.slow
def test_an_action_calling_main_keeps_what_it_did_and_runs_no_handler(
        unit: LegacyUnit) -> None:
    unit.hook('install')
    with (unit.charm_dir / 'actions.yaml').open('a') as f:
        f.write('with-main:\n  description: Calls main() itself.\n')
    script = unit.charm_dir / 'actions' / 'with-main'
    # layer-basic's charm-env line: the script runs in the dispatch's process anyway.
    script.write_text(textwrap.dedent("""\
        #!/usr/local/sbin/charm-env python3
        import sys
        sys.path.append('lib')
        from charms.reactive import clear_flag, main, set_flag
        set_flag('before.main')
        clear_flag('legacy-layers.configured')
        main()
        """))
    script.chmod(0o755)
    unit.action('with-main', {})
    flags = unit.flags()
    assert 'before.main' in flags and 'legacy-layers.configured' not in flags
    assert unit.juju.argvs('status-set') == []  # configure() would have run in a hook


def test_an_action_juju_runs_itself_may_set_flags_then_call_main(unit: LegacyUnit) -> None:
    # No dispatch: the file runs on its own, installs the shim, changes flags through
    # unitdata.kv() and then calls main(), whose dispatch opens the same state file.
    unit.hook('install')
    with (unit.charm_dir / 'actions.yaml').open('a') as f:
        f.write('direct-main:\n  description: Calls main() itself.\n')
    script = unit.charm_dir / 'actions' / 'direct-main'
    script.write_text(textwrap.dedent("""\
        #!/usr/bin/env python3
        import sys
        sys.path.append('lib')
        import reactops.legacy
        reactops.legacy.install()
        from charms.reactive import main, set_flag
        from charmhelpers.core import unitdata
        set_flag('before.main')
        unitdata.kv().set('seen-by', 'direct-main')
        main()
        """))
    script.chmod(0o755)
    unit.action('direct-main', {}, direct=True)
    assert 'before.main' in unit.flags()
    assert unit.kv()['seen-by'] == 'direct-main'


@pytest.mark.slow
def test_the_action_through_the_local_model(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from legacyunit import PackageTools

    packages = PackageTools(tmp_path / 'apt')
    monkeypatch.setenv('PATH', f'{packages.bin_dir}{os.pathsep}{os.environ["PATH"]}')
    for name, value in packages.env().items():
        monkeypatch.setenv(name, value)
    with LocalModel(tmp_path / 'model') as model:
        model.create()
        model.deploy('app', CHARMS / 'legacy-layers')
        model.deploy('memo', CHARMS / 'legacy-cache')
        model.relate('app:cache', 'memo:cache')
        assert model.settle() == []
        statuses = {u.name: (u.status, u.message) for u in model.state.units()}
        assert statuses['app/0'] == ('active', 'Ready on port 8080')
        assert statuses['memo/0'] == ('active', 'serving app/0')
        assert packages.installed() == ['app-common', 'app-server']

        record = model.run_action('app/0', 'do-thing', {'hostname': HOSTNAME})
        assert record['status'] == 'completed', record
        assert record['results']['caches'] == 'memo/0'
        assert model.settle() == []  # the cache's relation-changed: the namespace arrived
        memo = next(u for u in model.state.units() if u.name == 'memo/0')
        assert (memo.status, memo.message) == ('active', f'namespace {HOSTNAME}')
        with sqlite3.connect(unit_charm_dir(model.dir, 'app/0') / '.unit-state.db') as db:
            value = db.execute("SELECT data FROM kv WHERE key = "
                               "'reactive.states.legacy-layers.thing-done'").fetchone()
        assert value == (json.dumps(HOSTNAME),)


# -- in this process: a unit test or a script that never calls main() ------------------------


@pytest.fixture
def outside(served_unit: LegacyUnit,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[LegacyUnit]:
    """The unit after its hooks, and this process set up as an action of it would be."""
    unit = served_unit
    env = unit.juju.env()
    env['PATH'] = f'{unit.packages.bin_dir}{os.pathsep}{env["PATH"]}'
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv('CHARM_DIR', raising=False)
    monkeypatch.delenv('UNIT_STATE_DB', raising=False)
    monkeypatch.chdir(unit.charm_dir)
    monkeypatch.syspath_prepend(str(unit.charm_dir / 'lib'))
    reactops.legacy.install()
    try:
        yield unit
    finally:
        reactops.legacy.uninstall()


def committed_flags(unit: LegacyUnit) -> dict[str, Any]:
    return {k[len('reactive.states.'):]: v for k, v in unit.kv().items()
            if k.startswith('reactive.states.')}


def test_flags_are_the_state_files_and_durable_at_flush(outside: LegacyUnit) -> None:
    from charmhelpers.core import unitdata
    from charms.reactive import (
        clear_flag,
        get_flags,
        is_flag_set,
        register_trigger,
        set_flag,
    )
    from charms.reactive.flags import _get_flag_value

    assert is_flag_set('legacy-layers.configured') and is_flag_set('website.available')
    assert get_flags() == sorted(committed_flags(outside))
    assert _get_flag_value('legacy-layers.configured', 'unset') is None  # set, no value
    assert _get_flag_value('nope', 'unset') == 'unset'

    register_trigger(when='tested.a', set_flag='tested.b')
    set_flag('tested.a', {'n': 1})
    clear_flag('legacy-layers.queued')
    unitdata.kv().set('tested.kv', [1, 2])
    assert is_flag_set('tested.b') and not is_flag_set('legacy-layers.queued')
    assert 'tested.a' not in committed_flags(outside)  # nothing is durable yet
    unitdata.kv().flush()
    flags = committed_flags(outside)
    assert flags['tested.a'] == {'n': 1} and 'tested.b' in flags
    assert 'legacy-layers.queued' not in flags
    assert outside.kv()['tested.kv'] == [1, 2]


def test_changes_never_flushed_are_dropped_with_the_process(outside: LegacyUnit) -> None:
    before = outside.kv()
    script = ('import reactops.legacy; reactops.legacy.install()\n'
              'import sys; sys.path.append("lib")\n'
              'from charmhelpers.core import unitdata\n'
              'from charms.reactive import clear_flag, set_flag\n'
              'set_flag("never.flushed"); clear_flag("legacy-layers.configured")\n'
              'unitdata.kv().set("never", 1)\n')
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, '-c', script], env=env, check=True, timeout=60)
    assert outside.kv() == before


def test_endpoints_and_conversations_from_the_stored_flags(outside: LegacyUnit) -> None:
    from charms.reactive import RelationBase, endpoint_from_flag, endpoint_from_name
    from charms.reactive.relations import relation_from_flag

    website = endpoint_from_flag('website.available')
    assert type(website).__name__ == 'HttpProvides'
    assert endpoint_from_name('website') is website
    assert endpoint_from_flag('endpoint.website.joined') is website
    assert website.clients() == ['client/0']
    assert endpoint_from_flag('nope.available') is None

    cache = RelationBase.from_flag('cache.available')
    assert type(cache).__name__ == 'CacheRequires'
    assert type(endpoint_from_flag('cache.connected')).__name__ == 'CacheRequires'
    assert relation_from_flag('cache.available').servers() == cache.servers() == [
        ('memo/0', '10.9.0.1', '11211'), ('memo/1', '10.9.0.2', '11211')]
    conversation = cache.conversation('memo/1')
    assert conversation.relation_ids == ['cache:5'] and conversation.units == {'memo/1'}
    assert cache.get_remote('host', scope='memo/0') == '10.9.0.1'
    with pytest.raises(ValueError, match='names no remote unit'):
        cache.conversation()  # UNIT scope, and no hook names a remote unit
    outside.juju.clear_calls()
    conversation.set_remote('weight', 3)
    assert outside.juju.argvs('relation-set') == [['relation-set', '-r', 'cache:5',
                                                   '--file', '-']]
    assert outside.bag('cache:5') == {'weight': '3'}
    conversation.set_local('seen', True)
    conversation.remove_state('{relation_name}.available')
    assert cache.conversation('memo/0').is_state('cache.available')

    from charmhelpers.core import unitdata

    unitdata.kv().flush()
    kv = outside.kv()
    assert kv['reactive.conversations.cache:5.memo/1.local-data.seen'] is True
    assert kv['reactive.states.cache.available']['conversations'] == [
        'reactive.conversations.cache:5.memo/0']


def test_reactops_own_api_keeps_its_in_memory_default(fake_juju: Any) -> None:
    import reactops

    (fake_juju.charm_dir / 'metadata.yaml').write_text('name: demo\n')
    reactops.set_flag('only.in.memory')
    assert reactops.is_flag_set('only.in.memory')
    assert not (fake_juju.charm_dir / '.unit-state.db').exists()
    reactops.legacy.install()
    try:
        assert not reactops.is_flag_set('only.in.memory')  # now the unit's state file
        reactops.set_flag('in.the.file')
    finally:
        reactops.legacy.uninstall()
    assert reactops.is_flag_set('only.in.memory') and not reactops.is_flag_set('in.the.file')


def test_a_trigger_registered_at_import_opens_no_state_file(fake_juju: Any) -> None:
    """Loading a charm's modules (``reactops check`` does) must not create a state file;
    triggers registered before and after the flags are first used both fire."""
    (fake_juju.charm_dir / 'metadata.yaml').write_text('name: demo\n')
    state_file = fake_juju.charm_dir / '.unit-state.db'
    reactops.legacy.install()
    try:
        from charms.reactive import is_flag_set, register_trigger, set_flag

        register_trigger(when='early', set_flag='early.seen')
        assert not state_file.exists()
        set_flag('early')
        register_trigger(when='late', set_flag='late.seen')
        set_flag('late')
        assert is_flag_set('early.seen') and is_flag_set('late.seen')
        assert state_file.exists()  # the flags are the unit's, as under charms.reactive
    finally:
        reactops.legacy.uninstall()
