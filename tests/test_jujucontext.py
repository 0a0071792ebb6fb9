from __future__ import annotations

from pathlib import Path

import pytest

from reactops import jujucontext
from reactops.jujucontext import JujuContext, JujuVersion, event_name_from_dispatch_path

# -- JujuVersion -------------------------------------------------------------------------


@pytest.mark.parametrize(('text', 'parts'), [
    ('2.9.44', (2, 9, '', 44, 0)),
    ('3.6.1', (3, 6, '', 1, 0)),
    ('3.1-beta1', (3, 1, 'beta', 1, 0)),
    ('2.9.1.1', (2, 9, '', 1, 1)),
    ('2.9-rc2.3', (2, 9, 'rc', 2, 3)),
    ('3.0', (3, 0, '', 0, 0)),
])
def test_version_parses_juju_forms(text: str, parts: tuple[object, ...]) -> None:
    version = JujuVersion(text)
    assert (version.major, version.minor, version.tag, version.patch, version.build) == parts


@pytest.mark.parametrize('text', ['', 'three', '3', '3.6.1-', '3.6.x', 'v3.6.1', '3.6.1.2.3'])
def test_version_rejects_what_is_not_a_version(text: str) -> None:
    with pytest.raises(ValueError, match='not a Juju version'):
        JujuVersion(text)


@pytest.mark.parametrize(('text', 'shown'), [
    ('3.6.1', '3.6.1'), ('3.0', '3.0.0'), ('3.1-beta1', '3.1-beta1'), ('2.9.1.1', '2.9.1.1')])
def test_version_prints_back(text: str, shown: str) -> None:
    assert str(JujuVersion(text)) == shown
    assert repr(JujuVersion(text)) == f"JujuVersion('{shown}')"


def test_versions_order_with_prereleases_before_the_release() -> None:
    ordered = ['2.7.0', '2.9-beta1', '2.9-rc1', '2.9.0', '2.9.0.1', '2.9.44', '3.1-beta1',
               '3.1.0', '3.6.1', '10.0.0']
    versions = [JujuVersion(v) for v in ordered]
    assert sorted(reversed(versions)) == versions
    for low, high in zip(versions, versions[1:], strict=False):
        assert low < high and high > low and low != high


def test_versions_compare_with_strings_both_ways() -> None:
    version = JujuVersion('3.6.1')
    assert version == '3.6.1' and version != '3.6.2'
    assert version < '3.7' and version >= '3.6.1' and version > '3.6-rc9'
    assert '3.7.0' > version and '3.6.0' < version
    assert hash(version) == hash(JujuVersion('3.6.1.0'))
    assert (version == 3) is False


def test_version_from_environ_defaults_to_zero() -> None:
    assert JujuVersion.from_environ({}) == '0.0.0'
    assert JujuVersion.from_environ({'JUJU_VERSION': '3.6.1'}) == '3.6.1'


def test_version_from_environ_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('JUJU_VERSION', '2.9.44')
    assert JujuVersion.from_environ() == '2.9.44'


@pytest.mark.parametrize(('text', 'app_data', 'dispatch', 'secrets', 'exec_context'), [
    ('2.6.9', False, False, False, False),
    ('2.7.0', True, False, False, False),
    ('2.8.0', True, True, False, False),
    ('3.0.2', True, True, False, False),
    ('3.0-beta3', True, True, False, False),
    ('3.0.3', True, True, True, False),
    ('3.1.5', True, True, True, False),
    ('3.1.6', True, True, True, True),
    ('3.2.0', True, True, True, False),
    ('3.2.2', True, True, True, True),
    ('3.6.1', True, True, True, True),
])
def test_version_features(text: str, app_data: bool, dispatch: bool, secrets: bool,
                          exec_context: bool) -> None:
    version = JujuVersion(text)
    assert version.has_app_data() is app_data
    assert version.is_dispatch_aware() is dispatch
    assert version.has_controller_storage() is dispatch
    assert version.has_secrets is secrets
    assert version.supports_open_port_on_k8s is secrets
    assert version.supports_exec_service_context is exec_context


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
    assert (ctx.remote_app, ctx.remote_unit, ctx.departing_unit) == ('pg', 'pg/0', None)
    assert (ctx.availability_zone, ctx.machine_id) == ('zone-a', '4')
    assert ctx.action_name is None and ctx.secret_id is None and ctx.storage_name is None


def test_context_of_an_action() -> None:
    ctx = JujuContext.from_environ({
        'JUJU_DISPATCH_PATH': 'actions/do-backup', 'JUJU_ACTION_NAME': 'do-backup',
        'JUJU_ACTION_UUID': '42', 'JUJU_UNIT_NAME': 'demo/1'})
    assert ctx.event_name == 'do_backup_action'
    assert (ctx.action_name, ctx.action_uuid, ctx.hook_name) == ('do-backup', '42', '')


def test_context_of_storage_secret_and_pebble_events() -> None:
    ctx = JujuContext.from_environ({
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
    assert (ctx.principal_unit, ctx.departing_unit) == ('main/0', 'pg/1')


def test_context_is_lenient_about_missing_variables() -> None:
    ctx = JujuContext.from_environ({})
    assert ctx.dispatch_path == '' and ctx.event_name == ''
    assert ctx.unit_name is None and ctx.app_name is None
    assert ctx.version == '0.0.0'
    assert ctx.debug is False and ctx.debug_at == frozenset()
    assert ctx.relation_id is None and ctx.storage_index is None
    assert ctx.secret_revision is None
    # Without JUJU_CHARM_DIR: a packed charm has <charm>/venv/reactops/, so <charm>.
    package_dir = Path(jujucontext.__file__).resolve().parent
    assert ctx.charm_dir == package_dir.parent.parent


def test_empty_values_count_as_missing() -> None:
    ctx = JujuContext.from_environ({'JUJU_REMOTE_UNIT': '', 'JUJU_RELATION_ID': '',
                                    'JUJU_VERSION': ''})
    assert ctx.remote_unit is None and ctx.relation_id is None and ctx.version == '0.0.0'


def test_debug_flags() -> None:
    ctx = JujuContext.from_environ({'JUJU_DEBUG': '', 'JUJU_DEBUG_AT': 'hook, install,,'})
    assert ctx.debug is True
    assert ctx.debug_at == {'hook', 'install'}


def test_bare_relation_id_is_accepted() -> None:
    assert JujuContext.from_environ({'JUJU_RELATION_ID': '12'}).relation_id == 12


@pytest.mark.parametrize(('name', 'value'), [
    ('JUJU_RELATION_ID', 'abc'),
    ('JUJU_RELATION_ID', 'db:'),
    ('JUJU_STORAGE_ID', 'data'),
    ('JUJU_STORAGE_ID', 'data/x'),
    ('JUJU_SECRET_REVISION', 'two'),
    ('JUJU_VERSION', 'three'),
])
def test_malformed_values_name_the_variable_and_value(name: str, value: str) -> None:
    with pytest.raises(ValueError) as info:
        JujuContext.from_environ({name: value})
    assert name in str(info.value) and repr(value) in str(info.value)


def test_context_reads_os_environ_and_is_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('JUJU_UNIT_NAME', 'web/2')
    ctx = JujuContext.from_environ()
    assert ctx.app_name == 'web'
    with pytest.raises(AttributeError):
        ctx.unit_name = 'other/0'  # type: ignore[misc]
