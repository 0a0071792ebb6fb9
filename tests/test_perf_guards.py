"""Regression guards for issue 9's performance work: they count work, never time.

Hook-tool calls per hook (each one a process, and under Juju an RPC to the unit agent),
handler predicate tests per dispatch, modules a hook imports, and the metadata parse
cache that keeps PyYAML out of most hooks. ``bench/bench_hooks.py`` has the timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from charmrun import REPO, CharmUnit

from reactops.errors import MetadataError
from reactops.meta import CharmMeta
from reactops.reactive import (
    Dispatcher,
    HandlerRegistry,
    ReactiveRuntime,
    activate,
    set_flag,
    when,
)
from reactops.storage import SQLiteStorage

METADATA = 'name: guard\nrequires:\n  db:\n    interface: guarddb\n'
CONFIG = 'options:\n  port:\n    type: int\n    default: 8080\n    description: port\n'

OPS_CHARM = """\
import reactops as ops


class GuardCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)

    def _on_install(self, event):
        self.unit.status = ops.MaintenanceStatus('installed')

    def _on_config_changed(self, event):
        self.unit.status = ops.ActiveStatus(f'port {self.config["port"]}')

    def _on_update_status(self, event):
        self.unit.status = ops.ActiveStatus('ready')

    def _on_db_changed(self, event):
        host = event.relation.data[event.unit].get('host')
        event.relation.data[self.unit]['database'] = 'guard'
        self.unit.status = ops.ActiveStatus(f'database at {host}')


if __name__ == '__main__':
    ops.main(GuardCharm)
"""

REACTIVE_ENTRY = 'import reactops\n\nif __name__ == "__main__":\n    reactops.main()\n'

REACTIVE_HANDLERS = """\
from reactops import (ActiveStatus, MaintenanceStatus, clear_flag, current_charm,
                      endpoint_from_flag, hook, set_flag, when, when_not)


@when_not('guard.installed')
def install():
    current_charm().unit.status = MaintenanceStatus('installed')
    set_flag('guard.installed')


@hook('update-status')
def update_status():
    current_charm().unit.status = ActiveStatus('ready')


@when('db.available')
def use_db():
    endpoint_from_flag('db.available').publish('guard')
    clear_flag('db.available')
"""

INTERFACE = """\
from reactops import Endpoint, clear_flag, set_flag, when


class GuardDbRequires(Endpoint):
    @when('endpoint.{endpoint_name}.changed.host')
    def _host_changed(self):
        clear_flag(self.expand_name('endpoint.{endpoint_name}.changed.host'))
        set_flag(self.expand_name('{endpoint_name}.available'))

    def publish(self, database):
        for relation in self.relations:
            relation.to_publish_raw['database'] = database
"""

UNITS = [f'db/{i}' for i in range(5)]
RELATION_HOOK = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:1',
                 'JUJU_REMOTE_UNIT': 'db/0', 'JUJU_REMOTE_APP': 'db'}


def _charm(root: Path, files: dict[str, str]) -> Path:
    source = root / 'source'
    for name, text in {'metadata.yaml': METADATA, 'config.yaml': CONFIG, **files}.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return source


def _unit(tmp_path: Path, files: dict[str, str]) -> CharmUnit:
    unit = CharmUnit(tmp_path / 'unit', _charm(tmp_path, files), 'guard/0',
                     config={'port': 8080})
    data = {name: {'host': f'{name.replace("/", "-")}.internal'} for name in UNITS}
    unit.juju.add_relation('db', 1, 'db', UNITS, data=data)
    return unit


def _names(argvs: list[list[str]]) -> list[str]:
    return [argv[0] for argv in argvs]


@pytest.fixture
def ops_unit(tmp_path: Path) -> CharmUnit:
    return _unit(tmp_path, {'src/charm.py': OPS_CHARM})


@pytest.fixture
def reactive_unit(tmp_path: Path) -> CharmUnit:
    return _unit(tmp_path, {'src/charm.py': REACTIVE_ENTRY,
                            'reactive/guard.py': REACTIVE_HANDLERS,
                            'hooks/relations/guarddb/requires.py': INTERFACE})


# -- hook-tool calls per hook ------------------------------------------------------------

def test_an_ops_style_charm_calls_only_the_tools_its_logic_needs(ops_unit: CharmUnit) -> None:
    # Each hook: the tools the charm's own code needs, and no juju-log at the default
    # level (ops logs four DEBUG lines a hook, each one a juju-log process).
    assert _names(ops_unit.ok('hooks/install')) == ['status-set']
    assert _names(ops_unit.ok('hooks/config-changed')) == ['config-get', 'status-set']
    assert _names(ops_unit.ok('hooks/update-status')) == ['status-set']
    argvs = ops_unit.ok('hooks/db-relation-changed', **RELATION_HOOK)
    # The relation is found (ids, list), the remote unit's bag read, nobody else's.
    assert sorted(_names(argvs)) == ['relation-get', 'relation-ids', 'relation-list',
                                     'relation-set', 'status-set']
    assert [argv[-1] for argv in argvs if argv[0] == 'relation-get'] == ['db/0']


def test_a_reactive_charm_logs_no_handler_runs_at_the_default_level(
        reactive_unit: CharmUnit) -> None:
    for hook in ('install', 'update-status'):
        argvs = reactive_unit.ok(f'hooks/{hook}')
        assert 'juju-log' not in _names(argvs), f'{hook}: {reactive_unit.logs()}'
    argvs = reactive_unit.ok('hooks/db-relation-changed', **RELATION_HOOK)
    assert 'juju-log' not in _names(argvs)
    assert reactive_unit.bag('db:1', 'guard/0') == {'database': 'guard'}  # handlers ran


def test_a_reactive_hook_outside_the_relation_reads_no_relation_data(
        reactive_unit: CharmUnit) -> None:
    reactive_unit.ok('hooks/install')
    argvs = reactive_unit.ok('hooks/update-status')
    # Whether db is joined costs relation-ids and relation-list, whatever the units.
    assert sorted(_names(argvs)) == ['relation-ids', 'relation-list', 'status-set']


def test_a_reactive_relation_hook_reads_each_bag_at_most_once(
        reactive_unit: CharmUnit) -> None:
    reactive_unit.ok('hooks/install')  # db is joined already: its data is seen here
    relations = reactive_unit.juju.state()['relations']
    relations['db:1']['data']['db/0'] = {'host': 'moved.internal'}
    reactive_unit.juju.update(relations=relations)  # so the handlers run again
    # At DEBUG the handler runs are logged (one juju-log each, left out of the counts).
    reactive_unit.ok('hooks/db-relation-changed', REACTOPS_LOG_LEVEL='DEBUG', **RELATION_HOOK)
    assert any(line.startswith('Invoking reactive handler: reactive/guard.py:')
               and line.endswith(':use_db') for line in reactive_unit.logs('DEBUG'))
    argvs = reactive_unit.tools()  # all but juju-log
    gets = [tuple(argv) for argv in argvs if argv[0] == 'relation-get']
    assert len(gets) == len(set(gets))
    # the remote units, their application and this unit's own bag, at the most
    assert len(gets) <= len(UNITS) + 2
    assert _names(argvs).count('relation-set') == 0  # it published the same value again
    assert _names(argvs).count('relation-ids') == 1


def test_a_reactive_relation_hook_compares_data_without_loading_openssl(
        reactive_unit: CharmUnit) -> None:
    import importlib.util

    reactive_unit.ok('hooks/install')
    result = reactive_unit.run('hooks/db-relation-changed', PYTHONPROFILEIMPORTTIME='1',
                               **RELATION_HOOK)
    assert result.returncode == 0, result.stderr
    imported = _imported(result)
    assert 'reactops.reactive.helpers' in imported  # relation data was compared
    if importlib.util.find_spec('_md5') is not None:  # CPython's own MD5 is built in
        assert 'hashlib' not in imported
    assert not imported & STDLIB_KEPT_OUT


# -- handler tests per dispatch -----------------------------------------------------------

def _handler(name: str, flag: str, ran: list[str], sets: str | None = None
             ) -> Callable[[], None]:
    def action() -> None:
        ran.append(name)
        if sets:
            set_flag(sets)
    action.__name__ = action.__qualname__ = name  # its own handler id
    decorated: Callable[[], None] = when(flag)(action)
    return decorated


def _dispatch(registry: HandlerRegistry, storage: SQLiteStorage) -> Dispatcher:
    runtime = ReactiveRuntime(storage, hook_name='update-status')
    with activate(runtime):
        dispatcher = Dispatcher(registry, runtime)
        dispatcher.dispatch()
    return dispatcher


def test_a_changed_flag_retests_only_the_handlers_that_read_it() -> None:
    ran: list[str] = []
    registry = HandlerRegistry()
    idle = 1_000
    for i in range(idle):  # handlers whose flags never get set
        registry.add_function(_handler(f'idle_{i}', f'idle.{i}', ran))
    for step, (flag, sets) in enumerate([('go', 'one'), ('one', 'two'), ('two', None)]):
        registry.add_function(_handler(f'step_{step}', flag, ran, sets))
    storage = SQLiteStorage(':memory:')
    storage.kv_set('reactive.states.go', None)
    dispatcher = _dispatch(registry, storage)
    assert ran == ['step_0', 'step_1', 'step_2']
    # Iteration 0 tests only handlers one of whose required flags is set (the idle ones
    # are not even looked at); after that only the reader of each new flag
    # (charms.reactive re-tests every handler in every iteration: 4,012 tests here).
    assert dispatcher.handler_tests == 1 + 2
    assert dispatcher.iterations == 3

    ran.clear()
    again = _dispatch(registry, storage)  # the chain's flags are all set from the start:
    assert ran == ['step_0', 'step_1', 'step_2']  # one iteration, setting nothing new
    assert again.handler_tests == 3


# -- modules imported -----------------------------------------------------------------------

HEAVY = ('yaml', 'networkx', 'blinker', 'importlib.metadata')
# Model facets a hook that does not use them never loads (issue 9 follow-up).
FACETS = {'reactops.model._cloud', 'reactops.model._network', 'reactops.model._remote',
          'reactops.model._resources', 'reactops.model._secrets'}
# Legacy RelationBase support, loaded only when a handler module uses it.
LEGACY_RELATIONS = {'reactops.reactive.relations', 'reactops.reactive._conversations'}
# Standard modules a quiet hook does without: logging until something logs, subprocess
# (tools start through os.posix_spawn), inspect/dataclasses (records, code objects) and
# typing (annotations are never evaluated; reactops._private.typing stands in for the rest).
# The state store talks to the C module behind sqlite3, without its datetime adapters.
STDLIB_KEPT_OUT = {'logging', 'subprocess', 'inspect', 'dataclasses', 'shutil', 'traceback',
                   'typing', 'datetime', 'base64', 'sqlite3'}


def _imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.rsplit('|', 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith('import time:')}


def test_import_reactops_imports_next_to_nothing() -> None:
    code = 'import sys, reactops; print("\\n".join(sorted(sys.modules)))'
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True, env={'PYTHONPATH': str(REPO)})
    modules = set(result.stdout.split())
    ours = sorted(m for m in modules if m.startswith('reactops.'))
    assert set(ours) == {
        'reactops._private', 'reactops._private.lazy', 'reactops._private.typing'}
    assert not modules & {*HEAVY, 'sqlite3', 'subprocess', 'logging', 'json', 'typing'}


def test_a_plain_ops_hook_imports_no_yaml_graph_signals_or_handler_machinery(
        ops_unit: CharmUnit) -> None:
    first = ops_unit.run('hooks/install', PYTHONPROFILEIMPORTTIME='1')
    assert first.returncode == 0, first.stderr
    assert 'yaml' in _imported(first)  # the metadata is parsed once...
    result = ops_unit.run('hooks/update-status', PYTHONPROFILEIMPORTTIME='1')
    assert result.returncode == 0, result.stderr
    imported = _imported(result)
    assert not imported & set(HEAVY)  # ... and read from the cache after that
    assert not imported & {'reactops.reactive.dispatcher', 'reactops.reactive.registry',
                           'reactops.reactive.graph', 'reactops.reactive.signals'}
    assert not imported & FACETS
    assert not imported & STDLIB_KEPT_OUT


def test_a_reactive_hook_imports_no_graph_signals_or_yaml(reactive_unit: CharmUnit) -> None:
    reactive_unit.ok('hooks/install')
    result = reactive_unit.run('hooks/update-status', PYTHONPROFILEIMPORTTIME='1')
    assert result.returncode == 0, result.stderr
    imported = _imported(result)
    assert 'reactops.reactive.dispatcher' in imported  # the handlers did run
    assert 'reactops.reactive._endpoint_relations' in imported  # the db endpoint was made
    assert not imported & {'yaml', 'networkx', 'blinker', 'reactops.reactive.graph'}
    assert not imported & FACETS
    assert not imported & LEGACY_RELATIONS
    assert not imported & STDLIB_KEPT_OUT


def test_each_model_facet_is_loaded_by_the_first_use_of_it() -> None:
    code = textwrap.dedent("""\
        import sys
        import reactops.model as model
        facets = %r
        assert not facets & set(sys.modules), facets & set(sys.modules)
        assert {'CloudSpec', 'Binding', 'RemoteModel', 'Secret', 'Port'} <= set(dir(model))
        loaded = []
        for name in ('CloudSpec', 'Binding', 'RemoteModel', 'Secret', 'Port'):
            assert getattr(model, name).__name__ == name
            loaded.append(sorted(facets & set(sys.modules)))
        print(loaded[-1] == sorted(facets), len(set(map(tuple, loaded))))
        """) % (FACETS,)
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            env={'PYTHONPATH': str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['True', '5']  # each name loaded one more facet


def test_predicates_written_without_dataclasses_still_behave_as_frozen_values() -> None:
    # They are hand-written to keep dataclass creation out of every reactive hook.
    from dataclasses import FrozenInstanceError

    from reactops.reactive.predicates import FileChanged, HookMatches, OnlyOnce, WhenAll, WhenAny

    assert WhenAll(('a', 'b')) == WhenAll(('a', 'b')) != WhenAny(('a', 'b'))
    assert len({WhenAll(('a',)), WhenAll(('a',)), HookMatches(('install',))}) == 2
    assert OnlyOnce() == OnlyOnce() and hash(OnlyOnce()) == hash(OnlyOnce())
    assert repr(FileChanged(('f',))) == "FileChanged(files=('f',), hash_type='md5')"
    assert WhenAll(('x.{endpoint_name}',)).with_endpoint('db') == WhenAll(('x.db',))
    predicate = HookMatches(('install',))
    with pytest.raises(FrozenInstanceError):
        predicate.patterns = ('start',)
    with pytest.raises(FrozenInstanceError):
        del predicate.patterns


# -- the metadata parse cache ---------------------------------------------------------------

def _cached_meta(charm: Path, cache: Path) -> CharmMeta:
    return CharmMeta.from_charm_root(charm, cache_file=cache)


def _cache_entries(cache: Path) -> dict[str, Any]:
    files: dict[str, Any] = json.loads(cache.read_text())['files']
    return files


def test_the_metadata_cache_is_used_until_a_file_changes(tmp_path: Path) -> None:
    charm = _charm(tmp_path, {})
    cache = tmp_path / 'meta-cache.json'
    first = _cached_meta(charm, cache)
    assert sorted(Path(f).name for f in _cache_entries(cache)) == ['config.yaml',
                                                                  'metadata.yaml']
    # A cache entry is used only for the very text it was parsed from: prove it is used
    # by planting different data for the same text.
    entries = _cache_entries(cache)
    config_file = str(charm / 'config.yaml')
    entries[config_file][1]['options']['port']['default'] = 9999
    cache.write_text(json.dumps({'version': 1, 'files': entries}))
    assert _cached_meta(charm, cache).config['port'].default == 9999
    assert first.config['port'].default == 8080
    # The charm is upgraded: the new text is parsed, and cached in place of the old.
    (charm / 'config.yaml').write_text(CONFIG.replace('8080', '8081'))
    assert _cached_meta(charm, cache).config['port'].default == 8081
    assert _cache_entries(cache)[config_file][1]['options']['port']['default'] == 8081


def test_yaml_that_json_cannot_hold_is_never_cached(tmp_path: Path) -> None:
    charm = _charm(tmp_path, {'config.yaml': textwrap.dedent("""\
        options:
          since:
            type: string
            default: 2024-01-02
            description: a YAML date, which JSON would turn into text
        """)})
    cache = tmp_path / 'meta-cache.json'
    with pytest.raises(MetadataError, match='config.yaml'):  # the date is not a string
        _cached_meta(charm, cache)
    assert not cache.exists()  # invalid metadata is never cached
    meta_only = _charm(tmp_path / 'other', {'metadata.yaml': METADATA + 'since: 2024-01-02\n'})
    _cached_meta(meta_only, cache)
    assert [Path(f).name for f in _cache_entries(cache)] == ['config.yaml']


def test_a_cache_others_may_write_is_not_trusted(tmp_path: Path) -> None:
    charm = _charm(tmp_path, {})
    cache = tmp_path / 'meta-cache.json'
    _cached_meta(charm, cache)
    assert cache.stat().st_mode & 0o777 == 0o600
    entries = _cache_entries(cache)
    entries[str(charm / 'config.yaml')][1]['options']['port']['default'] = 1
    cache.write_text(json.dumps({'version': 1, 'files': entries}))
    cache.chmod(0o666)  # anyone could have planted that
    assert _cached_meta(charm, cache).config['port'].default == 8080
    assert cache.stat().st_mode & 0o777 == 0o600  # and it was replaced


@pytest.mark.parametrize('content', ['not json', '{"version": 99, "files": {}}', '[]'])
def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path: Path, content: str) -> None:
    charm = _charm(tmp_path, {})
    cache = tmp_path / 'meta-cache.json'
    cache.write_text(content)
    assert _cached_meta(charm, cache).name == 'guard'
    assert json.loads(cache.read_text())['version'] == 1
