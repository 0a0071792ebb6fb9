from __future__ import annotations

from pathlib import Path

import pytest

from reactops import jujucontext
from reactops.jujucontext import JujuContext, event_name_from_dispatch_path

# -- event names ---------------------------------------------------------------------------


@pytest.mark.parametrize(('path', 'name'), [
    ('hooks/db-relation-changed', 'db_relation_changed'),
    ('hooks/install', 'install'),
    ('actions/do-backup', 'do_backup_action'),
    ('', ''),
])
def test_event_name_from_dispatch_path(path: str, name: str) -> None:
    assert event_name_from_dispatch_path(path) == name


# -- JujuContext ---------------------------------------------------------------------------


def test_context_of_a_relation_hook(tmp_path: Path) -> None:
    ctx = JujuContext.from_environ({
        'JUJU_DISPATCH_PATH': 'hooks/db-relation-changed',
        'JUJU_HOOK_NAME': 'db-relation-changed',
        'JUJU_UNIT_NAME': 'demo/0',
        'JUJU_MODEL_NAME': 'prod',
        'JUJU_MODEL_UUID': 'uuid-1',
        'JUJU_VERSION': '3.6.1',
        'JUJU_CHARM_DIR': str(tmp_path),
        'JUJU_RELATION': 'db',
        'JUJU_RELATION_ID': 'db:7',
        'JUJU_REMOTE_APP': 'pg',
        'JUJU_REMOTE_UNIT': 'pg/0',
        'JUJU_AVAILABILITY_ZONE': 'zone-a',
        'JUJU_MACHINE_ID': '4',
    })
    assert ctx.event_name == 'db_relation_changed'
    assert ctx.unit_name == 'demo/0' and ctx.app_name == 'demo'
    assert (ctx.model_name, ctx.model_uuid) == ('prod', 'uuid-1')
    assert ctx.version == '3.6.1'
    assert ctx.charm_dir == tmp_path.resolve()
    assert (ctx.relation_name, ctx.relation_id) == ('db', 7)
    assert (ctx.remote_app_name, ctx.remote_unit_name, ctx.relation_departing_unit_name) == (
        'pg', 'pg/0', None)
    # reactops' earlier names read the same fields
    assert (ctx.remote_app, ctx.remote_unit, ctx.departing_unit) == ('pg', 'pg/0', None)
    assert (ctx.availability_zone, ctx.machine_id) == ('zone-a', '4')
    assert ctx.action_name is None and ctx.secret_id is None and ctx.storage_name is None


_ALWAYS = {'JUJU_DISPATCH_PATH': 'hooks/install', 'JUJU_HOOK_NAME': 'install',
           'JUJU_MODEL_NAME': 'prod', 'JUJU_MODEL_UUID': 'uuid-1', 'JUJU_UNIT_NAME': 'demo/1',
           'JUJU_VERSION': '3.6.1'}


def test_context_of_an_action() -> None:
    ctx = JujuContext.from_environ({
        **_ALWAYS, 'JUJU_DISPATCH_PATH': 'actions/do-backup', 'JUJU_HOOK_NAME': '',
        'JUJU_ACTION_NAME': 'do-backup', 'JUJU_ACTION_UUID': '42'})
    assert ctx.event_name == 'do_backup_action'
    assert (ctx.action_name, ctx.action_uuid, ctx.hook_name) == ('do-backup', '42', '')


def test_context_of_storage_secret_and_pebble_events() -> None:
    ctx = JujuContext._from_dict({
        'JUJU_STORAGE_ID': 'data/3', 'JUJU_SECRET_ID': 'secret:abc',
        'JUJU_SECRET_LABEL': 'db-pass', 'JUJU_SECRET_REVISION': '5',
        'JUJU_WORKLOAD_NAME': 'web', 'JUJU_NOTICE_ID': '1', 'JUJU_NOTICE_TYPE': 'custom',
        'JUJU_NOTICE_KEY': 'example.com/x', 'JUJU_PEBBLE_CHECK_NAME': 'up',
        'JUJU_PRINCIPAL_UNIT': 'main/0', 'JUJU_DEPARTING_UNIT': 'pg/1'})
    assert (ctx.storage_name, ctx.storage_index) == ('data', 3)
    assert (ctx.secret_id, ctx.secret_label, ctx.secret_revision) == ('secret:abc', 'db-pass', 5)
    assert (ctx.workload_name, ctx.notice_id, ctx.notice_type, ctx.notice_key) == (
        'web', '1', 'custom', 'example.com/x')
    assert ctx.pebble_check_name == 'up'
    assert (ctx.principal_unit, ctx.relation_departing_unit_name) == ('main/0', 'pg/1')


@pytest.mark.parametrize('missing', sorted(_ALWAYS))
def test_a_variable_juju_always_sets_must_be_there(missing: str) -> None:
    env = {k: v for k, v in _ALWAYS.items() if k != missing}
    with pytest.raises(ValueError, match=f'Missing required environment variable: {missing}'):
        JujuContext.from_environ(env)


@pytest.mark.parametrize(('hook', 'extra', 'missing'), [
    ('db-relation-changed', {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:1',
                             'JUJU_REMOTE_APP': 'pg'}, 'JUJU_REMOTE_UNIT'),
    ('db-relation-broken', {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:1'},
     'JUJU_REMOTE_APP'),
    ('db-relation-departed', {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:1',
                              'JUJU_REMOTE_APP': 'pg', 'JUJU_REMOTE_UNIT': 'pg/0'},
     'JUJU_DEPARTING_UNIT'),
    ('data-storage-attached', {}, 'JUJU_STORAGE_ID'),
    ('web-pebble-ready', {}, 'JUJU_WORKLOAD_NAME'),
    ('web-pebble-check-failed', {'JUJU_WORKLOAD_NAME': 'web'}, 'JUJU_PEBBLE_CHECK_NAME'),
    ('web-pebble-custom-notice', {'JUJU_WORKLOAD_NAME': 'web', 'JUJU_NOTICE_ID': '1',
                                  'JUJU_NOTICE_KEY': 'a.com/b'}, 'JUJU_NOTICE_TYPE'),
    ('secret-changed', {}, 'JUJU_SECRET_ID'),
    ('secret-expired', {'JUJU_SECRET_ID': 'secret:1'}, 'JUJU_SECRET_REVISION'),
])
def test_a_variable_juju_sets_for_the_kind_of_hook_must_be_there(
        hook: str, extra: dict[str, str], missing: str) -> None:
    env = {**_ALWAYS, 'JUJU_DISPATCH_PATH': f'hooks/{hook}', 'JUJU_HOOK_NAME': hook, **extra}
    with pytest.raises(ValueError, match=f'Missing required environment variable: {missing}'):
        JujuContext.from_environ(env)


def test_the_dispatch_reads_missing_variables_leniently() -> None:
    ctx = JujuContext._from_dict({})
    assert ctx.dispatch_path == '' and ctx.event_name == ''
    assert ctx.unit_name == '' and ctx.app_name is None
    assert ctx.version == '0.0.0'
    assert ctx.debug is False and ctx.debug_at == frozenset()
    assert ctx.relation_id is None and ctx.storage_index is None
    assert ctx.secret_revision is None
    # Without JUJU_CHARM_DIR: a packed charm has <charm>/venv/reactops/, so <charm>.
    package_dir = Path(jujucontext.__file__).resolve().parent
    assert ctx.charm_dir == package_dir.parent.parent


def test_empty_values_count_as_missing() -> None:
    ctx = JujuContext._from_dict({'JUJU_REMOTE_UNIT': '', 'JUJU_RELATION_ID': ''})
    assert ctx.remote_unit_name is None and ctx.relation_id is None


def test_debug_flags() -> None:
    ctx = JujuContext._from_dict({'JUJU_DEBUG': '', 'JUJU_DEBUG_AT': 'hook, install'})
    assert ctx.debug is True
    assert ctx.debug_at == {'hook', 'install'}


def test_bare_relation_id_is_accepted() -> None:
    assert JujuContext._from_dict({'JUJU_RELATION_ID': '12'}).relation_id == 12


@pytest.mark.parametrize(('name', 'value'), [
    ('JUJU_RELATION_ID', 'abc'),
    ('JUJU_RELATION_ID', 'db:'),
    ('JUJU_STORAGE_ID', 'data'),
    ('JUJU_STORAGE_ID', 'data/x'),
    ('JUJU_SECRET_REVISION', 'two'),
])
def test_malformed_values_name_the_variable_and_value(name: str, value: str) -> None:
    with pytest.raises(ValueError) as info:
        JujuContext.from_environ({**_ALWAYS, name: value})
    assert name in str(info.value) and repr(value) in str(info.value)


@pytest.mark.parametrize('value', ['', 'three'])
def test_a_malformed_version_is_a_runtime_error_as_in_ops(value: str) -> None:
    with pytest.raises(RuntimeError, match='not a valid Juju version'):
        JujuContext.from_environ({**_ALWAYS, 'JUJU_VERSION': value})


def test_context_reads_os_environ_and_is_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**_ALWAYS, 'JUJU_UNIT_NAME': 'web/2'}.items():
        monkeypatch.setenv(name, value)
    ctx = JujuContext.from_environ()
    assert ctx.app_name == 'web'
    with pytest.raises(AttributeError):
        ctx.unit_name = 'other/0'  # type: ignore[misc]
