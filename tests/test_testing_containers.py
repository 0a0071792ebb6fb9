"""reactops.testing runs Kubernetes charms: a sidecar charm's containers answer from the State
(layers, services, files, commands, notices, checks) with no Pebble daemon."""

from __future__ import annotations

import datetime
import io
import logging
import os
from pathlib import Path
from typing import Any

import pytest

import reactops
from reactops import pebble
from reactops.testing import (
    CheckInfo,
    Container,
    Context,
    Exec,
    InconsistentScenarioError,
    Mount,
    Notice,
    State,
    UncaughtCharmError,
    layer_from_rockcraft,
)

META: dict[str, Any] = {'name': 'web', 'containers': {'app': {}, 'sidecar': {}}}

APP_LAYER = pebble.Layer({
    'summary': 'web server',
    'services': {'server': {'override': 'replace', 'command': '/bin/server --port 80',
                            'startup': 'enabled', 'environment': {'MODE': 'prod'},
                            'working-dir': '/srv'}},
    'checks': {'alive': {'override': 'replace', 'level': 'alive', 'threshold': 5,
                         'http': {'url': 'http://localhost/health'}}},
})


class WebCharm(reactops.CharmBase):
    """A sidecar charm: on pebble-ready it writes its config, adds its layer and replans."""

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        framework.observe(self.on.app_pebble_ready, self._on_ready)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.app_pebble_custom_notice, self._on_notice)
        framework.observe(self.on.app_pebble_check_failed, self._on_check_failed)
        framework.observe(self.on.app_pebble_check_recovered, self._on_check_recovered)

    def _on_ready(self, event: reactops.PebbleReadyEvent) -> None:
        container = event.workload
        container.push('/etc/web/web.conf', 'port = 80\n', make_dirs=True)
        container.add_layer('web', APP_LAYER, combine=True)
        container.replan()
        version = container.exec(['/bin/server', '--version']).wait_output()[0]
        self.unit.set_workload_version(version.strip())
        self.unit.status = reactops.ActiveStatus()

    def _on_config_changed(self, _: reactops.ConfigChangedEvent) -> None:
        container = self.unit.get_container('app')
        if not container.can_connect():
            self.unit.status = reactops.WaitingStatus('waiting for Pebble')
            return
        container.restart('server')

    def _on_notice(self, event: reactops.PebbleCustomNoticeEvent) -> None:
        self.unit.status = reactops.MaintenanceStatus(
            f'{event.notice.key}: {event.notice.last_data.get("kind", "")}')

    def _on_check_failed(self, event: reactops.PebbleCheckFailedEvent) -> None:
        self.unit.status = reactops.BlockedStatus(
            f'{event.info.name} failed {event.info.failures} times')

    def _on_check_recovered(self, event: reactops.PebbleCheckRecoveredEvent) -> None:
        self.unit.status = reactops.ActiveStatus(f'{event.info.name} recovered')


def context() -> Context:
    return Context(WebCharm, meta=META)


def app(**kwargs: Any) -> Container:
    execs = kwargs.pop('execs', {Exec(['/bin/server', '--version'], stdout='2.4.1\n')})
    return Container('app', can_connect=kwargs.pop('can_connect', True), execs=execs, **kwargs)


# -- pebble-ready: layers, plan, services, files, exec ----------------------------------------


def test_pebble_ready_adds_the_layer_starts_services_and_checks() -> None:
    ctx = context()
    container = app()
    out = ctx.run(ctx.on.pebble_ready(container), State(containers={container}))

    after = out.get_container('app')
    assert after.layers == {'web': APP_LAYER}
    assert after.plan.services['server'].command == '/bin/server --port 80'
    assert after.service_statuses == {'server': pebble.ServiceStatus.ACTIVE}
    assert after.services['server'].current == pebble.ServiceStatus.ACTIVE
    assert after.services['server'].startup == pebble.ServiceStartup.ENABLED
    check = after.get_check_info('alive')
    assert (check.status, check.level, check.threshold) == (
        pebble.CheckStatus.UP, pebble.CheckLevel.ALIVE, 5)
    assert out.workload_version == '2.4.1'
    assert out.unit_status == reactops.ActiveStatus()
    # The input is untouched.
    assert container.layers == {} and container.service_statuses == {}


def test_files_pushed_land_in_the_container_filesystem() -> None:
    ctx = context()
    container = app()
    ctx.run(ctx.on.pebble_ready(container), State(containers={container}))
    pushed = container.get_filesystem(ctx) / 'etc' / 'web' / 'web.conf'
    assert pushed.read_text() == 'port = 80\n'


def test_a_mount_shows_a_local_directory_inside_the_container(tmp_path: Path) -> None:
    (tmp_path / 'seed.txt').write_text('seeded')
    seen: dict[str, Any] = {}

    class Reader(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            c = self.unit.get_container('app')
            seen['text'] = c.pull('/data/seed.txt').read()
            seen['names'] = [f.name for f in c.list_files('/data')]
            c.make_dir('/data/sub/deeper', make_parents=True)
            seen['exists'] = (c.exists('/data/seed.txt'), c.isdir('/data/sub'),
                              c.exists('/data/nope'))
            c.push('/data/sub/deeper/out.bin', b'\x00\x01')
            c.remove_path('/data/seed.txt')

    ctx = Context(Reader, meta=META)
    mount = Mount(location='/data', source=tmp_path)
    ctx.run(ctx.on.start(), State(containers={app(mounts={'data': mount})}))
    assert seen == {'text': 'seeded', 'names': ['seed.txt'], 'exists': (True, True, False)}
    # Writes through the mount reach the local directory.
    assert (tmp_path / 'sub' / 'deeper' / 'out.bin').read_bytes() == b'\x00\x01'
    assert not (tmp_path / 'seed.txt').exists()


def test_file_errors_are_pebble_path_errors() -> None:
    errors: list[str] = []

    class Broken(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            c = self.unit.get_container('app')
            for call in (lambda: c.pull('/missing'), lambda: c.push('/no/dir/f', 'x'),
                         lambda: c.pull('relative'), lambda: c.make_dir('/a/b'),
                         lambda: c.pull('/')):
                with pytest.raises(pebble.PathError) as info:
                    call()
                errors.append(info.value.kind)

    ctx = Context(Broken, meta=META)
    ctx.run(ctx.on.start(), State(containers={app()}))
    assert errors == ['not-found', 'not-found', 'generic-file-error', 'not-found',
                      'generic-file-error']


def test_each_run_starts_with_an_empty_filesystem_and_warns_about_leftovers() -> None:
    ctx = context()
    container = app()
    ctx.run(ctx.on.pebble_ready(container), State(containers={container}))
    ctx.run(ctx.on.update_status(), State(containers={container}))
    assert not any(container.get_filesystem(ctx).iterdir())
    assert any('non-empty filesystem' in line.message for line in ctx.juju_log)


# -- exec ---------------------------------------------------------------------------------


def run_exec(container: Container, command: list[str], **kwargs: Any
             ) -> tuple[Context, dict[str, Any]]:
    seen: dict[str, Any] = {}

    class Runner(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            c = self.unit.get_container('app')
            try:
                seen['output'] = c.exec(command, **kwargs).wait_output()
            except pebble.ExecError as e:
                seen['error'] = (e.exit_code, e.stdout, e.stderr)

    ctx = Context(Runner, meta=META)
    ctx.run(ctx.on.start(), State(containers={container}))
    return ctx, seen


def test_exec_answers_with_the_longest_matching_prefix() -> None:
    container = app(execs={Exec(['git'], stdout='git help'),
                           Exec(['git', 'status'], stdout='clean', stderr='warn'),
                           Exec([], stdout='anything else')})
    assert run_exec(container, ['git', 'status', '-s'])[1] == {'output': ('clean', 'warn')}
    assert run_exec(container, ['git', 'log'])[1] == {'output': ('git help', '')}
    assert run_exec(container, ['ls'])[1] == {'output': ('anything else', '')}


def test_a_failing_command_raises_exec_error_with_its_output() -> None:
    container = app(execs={Exec(['false'], return_code=3, stdout='o', stderr='e')})
    assert run_exec(container, ['false'])[1] == {'error': (3, 'o', 'e')}


def test_an_unknown_command_fails_like_a_missing_binary() -> None:
    _, seen = run_exec(app(execs=set()), ['ls'])
    exit_code, _, stderr = seen['error']
    assert exit_code == 127
    assert 'Exec' in stderr


def test_exec_history_records_each_call_with_the_service_context() -> None:
    container = app(execs={Exec(['env'])}, layers={'base': APP_LAYER})
    ctx, _ = run_exec(container, ['env'], service_context='server',
                      environment={'EXTRA': '1'}, stdin='input', timeout=5)
    (args,) = ctx.exec_history['app']
    assert args.command == ['env']
    assert args.environment == {'MODE': 'prod', 'EXTRA': '1'}
    assert (args.working_dir, args.stdin, args.timeout) == ('/srv', 'input', 5)


def test_bytes_exec_and_combined_stderr() -> None:
    container = app(execs={Exec(['x'], stdout='out', stderr='err')})
    assert run_exec(container, ['x'], encoding=None)[1] == {'output': (b'out', b'err')}
    assert run_exec(container, ['x'], combine_stderr=True)[1] == {'output': ('outerr', None)}
    target = io.StringIO()
    _, seen = run_exec(container, ['x'], stdout=target, stderr=io.StringIO())
    assert target.getvalue() == 'out'


# -- connection, services ---------------------------------------------------------------


def test_a_container_that_cannot_connect_refuses_pebble_calls() -> None:
    ctx = context()
    out = ctx.run(ctx.on.config_changed(), State(containers={app(can_connect=False)}))
    assert out.unit_status == reactops.WaitingStatus('waiting for Pebble')

    class Pusher(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            self.unit.get_container('app').push('/f', 'x')

    ctx = Context(Pusher, meta=META)
    with pytest.raises(UncaughtCharmError) as info:
        ctx.run(ctx.on.start(), State(containers={app(can_connect=False)}))
    assert isinstance(info.value.__cause__, pebble.ConnectionError)


def test_a_container_left_out_of_the_state_cannot_connect() -> None:
    seen: list[bool] = []

    class Probe(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.install, self._on_install)

        def _on_install(self, _: reactops.InstallEvent) -> None:
            seen.append(self.unit.get_container('sidecar').can_connect())

    ctx = Context(Probe, meta=META)
    out = ctx.run(ctx.on.install(), State())
    assert seen == [False]
    assert out.containers == frozenset()


def test_restart_stop_and_unknown_services() -> None:
    ctx = context()
    container = app(layers={'base': APP_LAYER},
                    service_statuses={'server': pebble.ServiceStatus.INACTIVE})
    out = ctx.run(ctx.on.config_changed(), State(containers={container}))
    assert out.get_container('app').service_statuses == {
        'server': pebble.ServiceStatus.ACTIVE}

    class Stopper(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.stop, self._on_stop)

        def _on_stop(self, _: reactops.StopEvent) -> None:
            c = self.unit.get_container('app')
            c.stop('server')
            with pytest.raises(pebble.APIError) as info:
                c.pebble.start_services(['nope'])
            assert info.value.code == 400
            with pytest.raises(TypeError):
                c.pebble.start_services('server')

    ctx = Context(Stopper, meta=META)
    out = ctx.run(ctx.on.stop(), State(containers={container}))
    assert out.get_container('app').service_statuses == {
        'server': pebble.ServiceStatus.INACTIVE}


def test_add_layer_combine_merges_and_refuses_a_duplicate_label() -> None:
    base = pebble.Layer({'services': {'server': {'override': 'replace', 'command': 'a',
                                                 'environment': {'A': '1'}}}})
    extra = {'services': {'server': {'override': 'merge', 'environment': {'B': '2'}}}}
    results: list[Any] = []

    class Layers(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            c = self.unit.get_container('app')
            c.add_layer('base', extra, combine=True)
            try:
                c.add_layer('base', extra)
            except RuntimeError as e:
                results.append(str(e))
            results.append(c.get_plan().services['server'].environment)

    ctx = Context(Layers, meta=META)
    out = ctx.run(ctx.on.start(), State(containers={app(layers={'base': base})}))
    assert results == ['400 Bad Request: layer "base" already exists', {'A': '1', 'B': '2'}]
    assert out.get_container('app').plan.services['server'].environment == {'A': '1', 'B': '2'}
    assert base.services['server'].environment == {'A': '1'}  # the input layer is unchanged


def test_base_plan_and_layer_from_rockcraft(tmp_path: Path) -> None:
    rockcraft = tmp_path / 'rockcraft.yaml'
    rockcraft.write_text('summary: rock\nservices:\n  svc:\n    override: replace\n'
                         '    command: /bin/svc\n')
    layer = layer_from_rockcraft(rockcraft)
    container = Container('app', layers={'rock': layer},
                          _base_plan={'services': {'base': {'command': '/bin/base'}}})
    assert sorted(container.plan.services) == ['base', 'svc']
    assert 'built from the rockcraft.yaml' in layer.description


# -- notices and checks ------------------------------------------------------------------


def test_custom_notice_event_carries_the_notice() -> None:
    ctx = context()
    notice = Notice('example.com/web/reload', last_data={'kind': 'config'})
    container = app(notices=[Notice('example.com/other'), notice])
    out = ctx.run(ctx.on.pebble_custom_notice(container, notice),
                  State(containers={container}))
    assert out.unit_status == reactops.MaintenanceStatus('example.com/web/reload: config')


def test_notify_and_get_notices() -> None:
    seen: dict[str, Any] = {}

    class Notifier(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            c = self.unit.get_container('app')
            first = c.pebble.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'n': '1'})
            again = c.pebble.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'n': '2'})
            seen['same id'] = first == again
            notice = c.get_notice(first)
            seen['notice'] = (notice.occurrences, notice.last_data)
            seen['keys'] = [n.key for n in c.get_notices(keys=['example.com/a'])]
            with pytest.raises(reactops.ModelError):
                c.get_notice('no-such-id')

    ctx = Context(Notifier, meta=META)
    out = ctx.run(ctx.on.start(), State(containers={app()}))
    assert seen == {'same id': True, 'notice': (2, {'n': '2'}), 'keys': ['example.com/a']}
    (recorded,) = out.get_container('app').notices
    assert (recorded.key, recorded.occurrences) == ('example.com/a', 2)


def test_check_events_carry_the_check_info() -> None:
    ctx = context()
    info = CheckInfo('alive', level=pebble.CheckLevel.ALIVE, threshold=5, failures=7,
                     status=pebble.CheckStatus.DOWN)
    container = app(layers={'base': APP_LAYER}, check_infos={info})
    out = ctx.run(ctx.on.pebble_check_failed(container, info), State(containers={container}))
    assert out.unit_status == reactops.BlockedStatus('alive failed 7 times')
    recovered = CheckInfo('alive', level='alive', threshold=5)
    container = app(layers={'base': APP_LAYER}, check_infos={recovered})
    out = ctx.run(ctx.on.pebble_check_recovered(container, recovered),
                  State(containers={container}))
    assert out.unit_status == reactops.ActiveStatus('alive recovered')


def test_start_and_stop_checks_change_the_output_check_infos() -> None:
    info = CheckInfo('alive', level=pebble.CheckLevel.ALIVE, threshold=5)
    container = app(layers={'base': APP_LAYER}, check_infos={info})
    seen: list[Any] = []

    class Checks(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            c = self.unit.get_container('app')
            seen.append(c.stop_checks('alive'))
            seen.append(c.get_check('alive').status)
            seen.append(c.stop_checks('alive'))

    ctx = Context(Checks, meta=META)
    out = ctx.run(ctx.on.start(), State(containers={container}))
    assert seen == [['alive'], pebble.CheckStatus.INACTIVE, []]
    stopped = out.get_container('app').get_check_info('alive')
    assert stopped.status == pebble.CheckStatus.INACTIVE
    assert stopped.change_id == ''


def test_check_info_converts_its_level_and_defaults_to_pebble_enums() -> None:
    info = CheckInfo('c', level='ready')
    assert info.level is pebble.CheckLevel.READY
    assert info.startup is pebble.CheckStartup.ENABLED
    assert info.status is pebble.CheckStatus.UP
    assert info.change_id  # a running check has a change
    assert CheckInfo('c', status=pebble.CheckStatus.INACTIVE).change_id == ''
    with pytest.raises(ValueError):
        CheckInfo('c', level='sometimes')


# -- the environment and the consistency checks ----------------------------------------------


def test_workload_events_set_the_juju_environment() -> None:
    seen: dict[str, str | None] = {}
    names = ('JUJU_WORKLOAD_NAME', 'JUJU_NOTICE_ID', 'JUJU_NOTICE_TYPE', 'JUJU_NOTICE_KEY',
             'JUJU_PEBBLE_CHECK_NAME')

    class Env(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            for event in (self.on.app_pebble_custom_notice, self.on.app_pebble_check_failed):
                framework.observe(event, self._record)

        def _record(self, _: reactops.EventBase) -> None:
            seen.update({name: os.environ.get(name) for name in names})

    ctx = Context(Env, meta=META)
    notice = Notice('example.com/x', id='42')
    container = app(notices=[notice])
    ctx.run(ctx.on.pebble_custom_notice(container, notice), State(containers={container}))
    assert seen == {'JUJU_WORKLOAD_NAME': 'app', 'JUJU_NOTICE_ID': '42',
                    'JUJU_NOTICE_TYPE': 'custom', 'JUJU_NOTICE_KEY': 'example.com/x',
                    'JUJU_PEBBLE_CHECK_NAME': None}
    info = CheckInfo('alive', level='alive', threshold=5)
    container = app(layers={'base': APP_LAYER}, check_infos={info})
    ctx.run(ctx.on.pebble_check_failed(container, info), State(containers={container}))
    assert seen['JUJU_PEBBLE_CHECK_NAME'] == 'alive'
    assert seen['JUJU_WORKLOAD_NAME'] == 'app'


@pytest.mark.parametrize('state, event, words', [
    (State(containers={Container('db')}), 'start', 'does not declare'),
    (State(), 'ready', 'not in State.containers'),
    (State(containers={app()}), 'ready-copy', 'not the one in State.containers'),
    (State(containers={app(check_infos={CheckInfo('nope')})}), 'start', 'plan has no checks'),
    (State(containers={app(layers={'base': APP_LAYER},
                           check_infos={CheckInfo('alive', level='alive', threshold=1)})}),
     'start', 'threshold 1, but the plan says 5'),
    (State(containers={app()}), 'notice', 'no container in the State has'),
    (State(containers={app(execs=[Exec(['a'], stdout='1'), Exec(['a'], stdout='2')])}), 'ready',
     'several Execs'),
])
def test_impossible_containers_are_refused(state: State, event: str, words: str) -> None:
    ctx = context()
    container = next(iter(state.containers), app())
    run = {'start': ctx.on.start(), 'ready': ctx.on.pebble_ready(container),
           'ready-copy': ctx.on.pebble_ready(app(can_connect=False)),
           'notice': ctx.on.pebble_custom_notice(container, Notice('example.com/n'))}[event]
    with pytest.raises(InconsistentScenarioError) as info:
        ctx.run(run, state)
    assert words in str(info.value)


def test_pebble_ready_on_a_container_that_cannot_connect_is_only_warned_about(
        caplog: pytest.LogCaptureFixture) -> None:
    ctx = Context(reactops.CharmBase, meta=META)
    container = Container('app')
    with caplog.at_level(logging.WARNING, logger='reactops.testing'):
        ctx.run(ctx.on.pebble_ready(container), State(containers={container}))
    assert any('cannot connect' in r.getMessage() for r in caplog.records)


def test_notice_datetimes_and_wait_change() -> None:
    when = datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)
    notice = Notice('example.com/t', first_occurred=when, last_occurred=when,
                    last_repeated=when, repeat_after=datetime.timedelta(hours=1))
    ops_notice = notice._to_ops()
    assert (ops_notice.first_occurred, ops_notice.repeat_after) == (
        when, datetime.timedelta(hours=1))
    seen: list[Any] = []

    class Waiter(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, _: reactops.StartEvent) -> None:
            client = self.unit.get_container('app').pebble
            change_id = client.start_services(['server'])
            seen.append(client.wait_change(change_id).status)

    ctx = Context(Waiter, meta=META)
    ctx.run(ctx.on.start(), State(containers={app(layers={'base': APP_LAYER})}))
    assert seen == ['Done']
