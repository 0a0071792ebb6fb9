"""A built charm's own layer libraries run next to reactops' ``charms.layer``.

``tests/charms/legacy-layers`` is laid out as ``charm build`` lays a layer-basic charm out:
layer-basic's, layer-options' and layer-status' libraries in ``lib/charms/layer``, an apt
layer (``lib/charms/apt.py`` + ``reactive/apt.py``) whose package tools are faked, an
Endpoint and a RelationBase interface layer, charmhelpers packed in ``lib/``, and hooks
pointed at ``reactops.legacy.main()``. Its code was written for charms.reactive and runs
unchanged: the hooks here are real processes against the fake hook tools.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from legacyunit import CHARMS, LegacyUnit

import reactops.legacy

UNIT = 'legacy-layers/0'


# -- in this process: what the charm's imports resolve to ---------------------------------


@pytest.fixture
def charm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the charm, its lib/ on sys.path and the shim installed, as in a hook."""
    charm_dir = tmp_path / 'charm'
    shutil.copytree(CHARMS / 'legacy-layers', charm_dir)
    monkeypatch.setenv('JUJU_CHARM_DIR', str(charm_dir))
    monkeypatch.delenv('CHARM_DIR', raising=False)
    monkeypatch.syspath_prepend(str(charm_dir / 'lib'))
    reactops.legacy.install()
    try:
        yield charm_dir
    finally:
        reactops.legacy.uninstall()


def test_options_is_a_module_and_a_callable(charm: Path) -> None:
    from charms import layer

    assert layer.options('legacy-layers') == {
        'packages': ['app-server'], 'greeting': 'Hello', 'port-file': 'app.conf'}
    assert layer.options()['apt']['version_package'] == 'app-server'
    assert layer.options.get('legacy-layers', 'greeting') == 'Hello'
    assert layer.options.get('status') == {'patch-hookenv': True}
    assert layer.options.get('nope') == {} and layer.options.get('apt', 'nope') is None
    with pytest.raises(ValueError, match="needs the section .*get\\('<layer>', 'greeting'\\)"):
        layer.options.get(option='greeting')

    (charm / 'extra.yaml').write_text('options:\n  extra: {colour: blue}\n')
    assert layer.options('extra', 'extra.yaml') == {'colour': 'blue'}
    assert layer.options.get('extra', 'colour', layer_file=charm / 'extra.yaml') == 'blue'
    with pytest.raises(FileNotFoundError, match='no layer file .*missing.yaml'):
        layer.options.get('extra', layer_file='missing.yaml')
    # The packed layer-options copy in lib/ is not what answered.
    import charms.layer.options

    assert charms.layer.options is reactops.legacy.layer.options  # type: ignore[attr-defined]


def test_layer_libraries_import_when_first_named(charm: Path) -> None:
    from charms import layer

    assert 'charms.layer.status' not in sys.modules
    status = layer.status  # no import statement named it
    assert Path(status.__file__) == charm / 'lib' / 'charms' / 'layer' / 'status.py'
    assert sys.modules['charms.layer.status'] is status
    assert layer.legacy_layers.config_text(80) == 'Hello on port 80\n'
    assert layer.basic is sys.modules['reactops.legacy.layer.basic']
    assert not hasattr(layer, 'nagios')
    with pytest.raises(AttributeError, match=r'no layer library charms/layer/nagios\.py'):
        layer.nagios  # noqa: B018 - the lookup is the test
    layer.patch_options_interface()  # layer-basic's name: nothing left to patch


def test_import_layer_libs_imports_the_charms_libraries(charm: Path) -> None:
    from charms import layer

    layer.import_layer_libs()
    assert {'charms.layer.status', 'charms.layer.legacy_layers'} <= set(sys.modules)
    assert 'charms.layer.basic' not in sys.modules  # left alone, as layer-basic did
    # layer-basic's own module is reactops' (the charm's copy would raise if run).
    assert layer.basic is sys.modules['reactops.legacy.layer.basic']
    layer.basic.bootstrap_charm_deps()
    with pytest.raises(AttributeError, match='charms.layer.basic.apt_install'):
        layer.basic.apt_install  # noqa: B018


def test_a_packed_charmhelpers_keeps_all_but_hookenv_and_unitdata(charm: Path) -> None:
    from charmhelpers import fetch
    from charmhelpers.core import hookenv, host, unitdata

    lib = charm / 'lib' / 'charmhelpers'
    assert hookenv is sys.modules['reactops.legacy.hookenv']
    assert unitdata is sys.modules['reactops.legacy.unitdata']
    assert Path(host.__file__) == lib / 'core' / 'host.py'
    assert Path(fetch.__file__) == lib / 'fetch' / '__init__.py'


def test_without_charmhelpers_the_missing_modules_name_the_package(charm: Path) -> None:
    shutil.rmtree(charm / 'lib' / 'charmhelpers')
    from charmhelpers.core import hookenv, host

    assert hookenv is sys.modules['reactops.legacy.hookenv']
    assert host is sys.modules['reactops.legacy.host']  # the file helpers
    assert host.file_hash(str(charm / 'layer.yaml')) is not None
    with pytest.raises(AttributeError, match='pack charmhelpers'):
        host.service_restart('app')
    for name, missing in (('charmhelpers.fetch', 'charmhelpers.fetch'),
                          ('charmhelpers.core.templating', 'charmhelpers.core.templating'),
                          ('charmhelpers.contrib.network.ip', 'charmhelpers.contrib')):
        with pytest.raises(ModuleNotFoundError, match='Pack charmhelpers with the charm') as info:
            __import__(name)
        assert str(info.value).startswith(f"No module named '{missing}': the charm packs no")
    with pytest.raises(ModuleNotFoundError, match=r"'charmhelpers\.fetch': the charm packs"):
        from charmhelpers import fetch  # noqa: F401


# -- hooks as real processes ----------------------------------------------------------------


@pytest.fixture
def unit(tmp_path: Path) -> LegacyUnit:
    return LegacyUnit(tmp_path, 'legacy-layers', unit=UNIT)


def installs(unit: LegacyUnit) -> list[list[str]]:
    return [argv[argv.index('install') + 1:] for argv in unit.packages.calls('apt-get')
            if 'install' in argv]


def test_install_runs_the_layers_and_the_status_is_set_at_the_end(unit: LegacyUnit) -> None:
    unit.hook('install')
    # The apt layer installs its own packages (atstart), then the charm's queued ones.
    assert installs(unit) == [['app-common'], ['app-server']]
    assert unit.packages.installed() == ['app-common', 'app-server']
    assert unit.juju.state()['workload_version'] == '2.4.1'  # dpkg-query, upstream part
    # maintenance goes out at once, from the apt layer and a handler; the active status a
    # handler chose goes out once, at the end of the hook (layer-status' atexit).
    assert unit.statuses() == [('maintenance', 'Installing app-common'),
                               ('maintenance', 'Installing app-server'),
                               ('maintenance', 'Configuring app-server'),
                               ('active', 'Ready on port 8080')]
    assert unit.flags() == ['apt.installed.app-common', 'apt.installed.app-server',
                            'legacy-layers.configured', 'legacy-layers.queued']
    kv = unit.kv()
    assert kv['layer-options'] == {'packages': ['app-server'], 'greeting': 'Hello',
                                   'port-file': 'app.conf'}
    assert not [key for key in kv if key.startswith('apt.install_queue.')]
    config_file = unit.charm_dir / 'app.conf'
    assert config_file.read_text() == 'Hello on port 8080\n'
    assert len(kv['config-hash']) == 32  # the packed charmhelpers.core.host's file_hash

    unit.juju.update(config={**unit.juju.state()['config'], 'port': 9090})
    unit.hook('config-changed')
    assert config_file.read_text() == 'Hello on port 9090\n'
    assert installs(unit) == [['app-common'], ['app-server']]  # nothing new (the fake's log)
    assert unit.statuses() == [('active', 'Ready on port 9090')]


@pytest.mark.slow
def test_hookenv_status_set_goes_through_layer_status(unit: LegacyUnit) -> None:
    unit.hook('install')
    unit.juju.update(config={**unit.juju.state()['config'], 'wait_for': 'db'})
    unit.hook('config-changed')
    # Not sent at once and then overwritten by the active status: layer-status ranks
    # them at the end of the hook, and waiting wins.
    assert unit.statuses() == [('waiting', 'Waiting for db')]


@pytest.mark.slow
def test_a_package_removed_behind_the_charms_back_is_installed_again(
        unit: LegacyUnit) -> None:
    unit.hook('install')
    unit.packages.remove('app-common')
    unit.hook('update-status')
    logs = [argv[-1] for argv in unit.juju.argvs('juju-log')]
    assert '1 missing packages (app-common)' in logs
    assert unit.packages.installed() == ['app-common', 'app-server']
    assert installs(unit)[-1] == ['app-common']
    assert 'apt.installed.app-common' in unit.flags()


@pytest.mark.slow
def test_systemexit_0_in_an_atstart_callback_ends_the_hook_cleanly(unit: LegacyUnit) -> None:
    unit.hook('install')
    before = unit.kv()
    # The apt layer refuses the config: blocked (set at the end, by layer-status' atexit),
    # SystemExit(0), and nothing else runs: the new port is not written.
    unit.juju.update(config={**unit.juju.state()['config'], 'port': 9090,
                             'package_status': 'frozen'})
    unit.hook('config-changed')
    assert unit.statuses() == [('blocked', 'Unknown package_status frozen')]
    assert (unit.charm_dir / 'app.conf').read_text() == 'Hello on port 8080\n'
    assert unit.flags() == sorted(k[len('reactive.states.'):] for k in before
                                  if k.startswith('reactive.states.'))  # no config.* kept
    # Fixed, the next hook carries on. As under charms.reactive, the stopped hook still
    # succeeded and saved the config it saw: the port change was spent there.
    unit.juju.update(config={**unit.juju.state()['config'], 'package_status': 'hold'})
    unit.hook('config-changed')
    assert unit.packages.calls('apt-mark')[-1] == ['apt-mark', 'hold', 'app-common',
                                                   'app-server']
    assert unit.statuses() == [('active', 'Ready on port 9090')]
    assert (unit.charm_dir / 'app.conf').read_text() == 'Hello on port 8080\n'


def test_a_failed_install_blocks_at_the_end_of_the_hook(unit: LegacyUnit) -> None:
    unit.extra_env['FAKEAPT_FAILING'] = 'app-server'
    unit.hook('install')
    assert unit.statuses() == [('maintenance', 'Installing app-common'),
                               ('maintenance', 'Installing app-server'),
                               ('blocked', 'Unable to install packages app-server')]
    assert 'legacy-layers.configured' not in unit.flags()
    assert unit.kv()['apt.install_queue.app-server'] is None  # still queued


@pytest.mark.slow
def test_the_interface_layers_publish_and_collect(unit: LegacyUnit) -> None:
    unit.hook('install')
    unit.juju.add_relation('website', 4, 'client', ['client/0'])
    unit.relation_hook('joined', 'website:4', 'client/0')
    assert unit.bag('website:4') == {'hostname': '10.0.0.10', 'private-address': '10.0.0.10',
                                     'port': '8080'}
    assert unit.statuses() == [('active', 'Serving client/0 on port 8080')]

    unit.juju.add_relation('cache', 5, 'memo', ['memo/0', 'memo/1'], data={
        'memo/0': {'host': '10.9.0.1', 'port': '11211'},
        'memo/1': {'host': '10.9.0.2', 'port': '11211'}})
    for member in ('memo/0', 'memo/1'):
        unit.relation_hook('joined', 'cache:5', member)
        unit.relation_hook('changed', 'cache:5', member)
    assert unit.kv()['reactive.states.cache.available'] == {
        'relation': 'cache', 'conversations': ['reactive.conversations.cache:5.memo/0',
                                               'reactive.conversations.cache:5.memo/1']}
    assert unit.kv()['cache-servers'] == {'memo/0': '10.9.0.1:11211',
                                          'memo/1': '10.9.0.2:11211'}
