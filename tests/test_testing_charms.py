"""reactops.testing on real charms: the tinyweb class, and the reactive-webapp and mixed
charm directories (flags in and out, the reactive trace, handlers run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import reactops
from reactops.testing import (
    Address,
    BindAddress,
    Context,
    DeferredEvent,
    Network,
    PeerRelation,
    Relation,
    State,
    StoredState,
    TCPPort,
    UncaughtCharmError,
)

REPO = Path(__file__).resolve().parents[1]
TINYWEB = REPO / 'examples' / 'tinyweb'
WEBAPP = REPO / 'examples' / 'reactive-webapp'
MIXED = REPO / 'tests' / 'charms' / 'mixed'


def load_class(path: Path, name: str) -> Any:
    """A charm class from its source file, without putting the charm on sys.path."""
    spec = importlib.util.spec_from_file_location(f'_test_{path.parent.parent.name}', path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def short(handler_ids: list[str]) -> list[str]:
    """Handler ids without their file and line (``reactive/webapp.py:16:install``)."""
    return [handler_id.rsplit(':', 1)[-1] for handler_id in handler_ids]


# -- tinyweb: an ops-style charm class -------------------------------------------------------


@pytest.fixture(scope='module')
def tinyweb_class() -> Any:
    return load_class(TINYWEB / 'src' / 'charm.py', 'TinyWebCharm')


def test_tinyweb_metadata_is_found_from_its_class(tinyweb_class: Any) -> None:
    ctx = Context(tinyweb_class)
    assert ctx.meta.name == 'tinyweb' and ctx.charm_dir == TINYWEB
    out = ctx.run(ctx.on.install(), State())
    assert out.unit_status == reactops.ActiveStatus('serving on :8080')
    assert out.workload_version == '1.0'
    stored = out.get_stored_state('_stored', owner_path='TinyWebCharm')
    assert stored.content == {'installed': True, 'restarts': 0}


def test_tinyweb_config_before_install_waits_for_it(tinyweb_class: Any) -> None:
    ctx = Context(tinyweb_class)
    out = ctx.run(ctx.on.config_changed(), State(config={'port': 9000}))
    assert out.unit_status == reactops.MaintenanceStatus('waiting for install')
    assert [d.observer for d in out.deferred] == ['_on_config_changed']
    # Install: the deferred config-changed runs first (still too early), then install.
    out = ctx.run(ctx.on.install(), out)
    assert len(out.deferred) == 1 and out.opened_ports == frozenset()
    out = ctx.run(ctx.on.update_status(), out)
    assert out.deferred == [] and out.opened_ports == {TCPPort(9000)}


def test_tinyweb_publishes_to_website_clients(tinyweb_class: Any) -> None:
    ctx = Context(tinyweb_class)
    website = Relation('website', remote_app_name='client')
    installed = StoredState(owner_path='TinyWebCharm', content={'installed': True, 'restarts': 0})
    state = State(leader=True, relations=[website], stored_states=[installed],
                  networks=[Network('website', [BindAddress([Address('10.0.0.9')])])])
    out = ctx.run(ctx.on.relation_joined(website), state)
    relation = out.get_relation(website.id)
    assert relation.local_unit_data['hostname'] == '10.0.0.9'
    assert relation.local_unit_data['port'] == '8080'
    assert relation.local_app_data == {'greeting': 'hello'}
    follower = ctx.run(ctx.on.relation_joined(website), state.replace(leader=False))
    assert follower.get_relation(website.id).local_app_data == {}


def test_tinyweb_restart_action(tinyweb_class: Any) -> None:
    ctx = Context(tinyweb_class, app_name='web', unit_id=1)
    state = State(stored_states=[StoredState(owner_path='TinyWebCharm',
                                             content={'installed': True, 'restarts': 2})],
                  relations=[PeerRelation('replicas', peers_data={0: {}})])
    out = ctx.run(ctx.on.action('restart', {'reason': 'tests'}), state)
    assert ctx.action_results == {'restarts': 3, 'server': {'port': 8080}}  # as set
    assert ctx.action_logs == ['restarting because: tests']
    assert out.get_stored_state('_stored', owner_path='TinyWebCharm').content['restarts'] == 3
    with pytest.raises(UncaughtCharmError, match='refused to restart'):
        ctx.run(ctx.on.action('restart', {'reason': 'fail'}), state)


# -- reactive-webapp: a charm directory of handlers ----------------------------------------


@pytest.fixture
def webapp() -> Context:
    return Context(WEBAPP)


def test_a_reactive_charm_dir_runs_its_handlers(webapp: Context) -> None:
    out = webapp.run(webapp.on.install(), State())
    assert out.flags == {'webapp.installed': None, 'webapp.port-open': 8080}
    assert short(webapp.handlers_run) == ['install', 'hide_motd', 'open_port', 'ready']
    assert out.unit_status == reactops.ActiveStatus('serving on :8080')
    assert out.opened_ports == {TCPPort(8080)}
    assert not [flag for flag in out.flags if flag.startswith('config.')]  # hook-only
    assert webapp.charm_type is reactops.ReactiveCharm


def test_the_trace_names_runs_and_flag_changes(webapp: Context) -> None:
    webapp.run(webapp.on.install(), State())
    trace = webapp.reactive_trace
    install = next(step['run'] for step in trace if 'run' in step)
    assert install.endswith(':install')
    assert {'set': 'webapp.installed', 'by': install} in trace
    assert [step['run'] for step in trace if 'run' in step] == webapp.handlers_run


def test_the_kv_store_carries_what_handlers_remember(webapp: Context) -> None:
    out = webapp.run(webapp.on.install(), State())
    previous = out.kv['reactops.config.previous']  # a digest per option, never a value
    assert set(previous['digests']) == {'port', 'motd'}
    assert '8080' not in str(previous)
    again = webapp.run(webapp.on.update_status(), out)
    assert 'open_port' not in short(webapp.handlers_run)  # the port did not change
    changed = webapp.run(webapp.on.config_changed(),
                         again.replace(config={'port': 9090, 'motd': 'hi'}))
    assert short(webapp.handlers_run) == ['open_port', 'show_motd', 'ready']
    assert changed.opened_ports == {TCPPort(9090)}
    assert changed.flags['webapp.motd'] == 'hi'


def test_flags_in_the_state_are_seen_by_handlers(webapp: Context) -> None:
    state = State(flags={'webapp.installed': None},
                  kv={'reactops.config.previous': {'port': 8080, 'motd': ''}})
    out = webapp.run(webapp.on.update_status(), state)
    assert 'install' not in short(webapp.handlers_run)
    assert out.flags == {'webapp.installed': None}
    upgraded = webapp.run(webapp.on.upgrade_charm(), state)
    assert short(webapp.handlers_run)[:2] == ['upgraded', 'install']  # hooks phase first
    assert 'webapp.installed' in upgraded.flags


def test_a_bad_port_blocks(webapp: Context) -> None:
    out = webapp.run(webapp.on.config_changed(), State(config={'port': 0}))
    assert out.unit_status == reactops.BlockedStatus('invalid port 0')
    assert 'webapp.bad-port' in out.flags and 'webapp.port-open' not in out.flags


def test_a_failing_handler_keeps_no_flag(webapp: Context, tmp_path: Path) -> None:
    import shutil

    charm = tmp_path / 'broken'
    shutil.copytree(WEBAPP, charm, ignore=shutil.ignore_patterns('__pycache__', 'tests'))
    with (charm / 'reactive' / 'webapp.py').open('a') as f:
        f.write("\n\n@when('webapp.installed')\ndef explode() -> None:\n"
                "    raise RuntimeError('handler broke')\n")
    ctx = Context(charm)
    state = State(flags={'some.flag': 1})
    with pytest.raises(UncaughtCharmError, match='handler broke'):
        ctx.run(ctx.on.install(), state)
    assert state.flags == {'some.flag': 1} and ctx.handlers_run == []


# -- mixed: observers, charm-method handlers and module handlers together -----------------


def test_a_mixed_charm_dir_uses_the_class_in_src_charm_py() -> None:
    ctx = Context(MIXED)
    assert ctx.charm_type.__name__ == 'MixedCharm'
    out = ctx.run(ctx.on.install(), State(leader=True))
    assert out.unit_status == reactops.ActiveStatus(
        'observer:install,method:configure:fast,method:lead,module:note_config')
    assert short(ctx.handlers_run) == ['MixedCharm.configure', 'MixedCharm.lead',
                                       'note_config']
    assert {'mixed.observed-install', 'mixed.configured', 'mixed.noted'} <= set(out.flags)
    stored = out.get_stored_state('_stored', owner_path='MixedCharm')
    assert stored.content['order'][0] == 'observer:install'


def test_a_mixed_charm_class_finds_its_handlers_in_its_charm_dir() -> None:
    mixed_class = load_class(MIXED / 'src' / 'charm.py', 'MixedCharm')
    ctx = Context(mixed_class)
    assert ctx.charm_dir == MIXED
    out = ctx.run(ctx.on.install(), State(config={'mode': 'slow'}))
    assert short(ctx.handlers_run) == ['MixedCharm.configure', 'note_config']
    assert out.unit_status.message == 'observer:install,method:configure:slow,module:note_config'


def test_a_deferred_observer_of_a_mixed_charm_comes_back() -> None:
    ctx = Context(MIXED)
    notice = DeferredEvent('MixedCharm/on/install[4]', 'MixedCharm', '_on_install')
    out = ctx.run(ctx.on.update_status(), State(deferred=(notice,)))
    assert out.deferred == []
    stored = out.get_stored_state('_stored', owner_path='MixedCharm')
    assert stored.content['order'][0] == 'observer:install'
    assert [e.handle.path for e in ctx.emitted_events] == ['MixedCharm/on/update_status[5]']
