"""The automatic container flags: container.<name>.ready, .check.<check>.failed/.recovered,
.notice.<key>, through reactops.testing's simulated Pebble."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from charmrun import CharmUnit

from reactops import CharmBase, get_flag_value, hook, is_flag_set, set_flag, when, when_not
from reactops.pebble import CheckLevel, CheckStatus
from reactops.reactive import HandlerRegistry
from reactops.reactive._graph_ast import automatic_words
from reactops.reactive.graph import FlagGraph
from reactops.testing import CheckInfo, Container, Context, Notice, State

META = {'name': 'flagged', 'containers': {'web': {}, 'db': {}}}


class FlaggedCharm(CharmBase):
    """Records, in flags of its own, which container flags its handlers saw."""

    @hook('web-pebble-ready')
    def on_web_pebble_ready(self) -> None:
        set_flag('saw.hook.web-pebble-ready')

    @when('container.web.ready')
    def web_ready(self) -> None:
        set_flag('saw.web.ready')

    @when_not('container.web.ready')
    def web_not_ready(self) -> None:
        set_flag('saw.web.not-ready')

    @when('container.web.check.alive.failed')
    def alive_failed(self) -> None:
        set_flag('saw.alive.failed')

    @when('container.web.check.alive.recovered')
    def alive_recovered(self) -> None:
        set_flag('saw.alive.recovered')

    @when('container.web.notice.example.com/reload')
    def reload(self) -> None:
        set_flag('saw.reload', get_flag_value('container.web.notice.example.com/reload'))


class QuietCharm(CharmBase):
    """Never reads container.web.ready."""

    @when_not('quiet.done')
    def once(self) -> None:
        set_flag('quiet.done')


@pytest.fixture
def ctx() -> Context[FlaggedCharm]:
    return Context(FlaggedCharm, meta=META)


def saw(state: State) -> set[str]:
    return {flag for flag in state.flags if flag.startswith('saw.')}


def test_pebble_ready_sets_ready_and_runs_hook_handlers(ctx: Context[FlaggedCharm]) -> None:
    web = Container('web', can_connect=True)
    out = ctx.run(ctx.on.pebble_ready(web), State(containers={web, Container('db')}))
    assert 'container.web.ready' in out.flags
    assert 'container.db.ready' not in out.flags  # nobody asked about db
    assert saw(out) == {'saw.hook.web-pebble-ready', 'saw.web.ready'}


@pytest.mark.parametrize('can_connect', [True, False])
def test_other_hooks_ask_pebble_when_a_handler_reads_the_flag(
        ctx: Context[FlaggedCharm], can_connect: bool) -> None:
    web = Container('web', can_connect=can_connect)
    # The flag left by an earlier hook does not count: Pebble is asked afresh.
    before = {} if can_connect else {'container.web.ready': None}
    out = ctx.run(ctx.on.update_status(), State(containers={web}, flags=before))
    assert ('container.web.ready' in out.flags) is can_connect
    assert saw(out) == {'saw.web.ready' if can_connect else 'saw.web.not-ready'}


def test_a_hook_where_nobody_reads_the_flag_does_not_ask_pebble() -> None:
    ctx = Context(QuietCharm, meta=META)
    web = Container('web', can_connect=False)
    out = ctx.run(ctx.on.update_status(),
                  State(containers={web}, flags={'container.web.ready': None}))
    # Not recomputed: an unreachable Pebble would have cleared it.
    assert 'container.web.ready' in out.flags and 'quiet.done' in out.flags


@pytest.mark.parametrize('event', ['stop', 'remove'])
def test_stop_and_remove_clear_ready_without_asking(ctx: Context[FlaggedCharm],
                                                    event: str) -> None:
    web = Container('web', can_connect=True)
    out = ctx.run(getattr(ctx.on, event)(),
                  State(containers={web}, flags={'container.web.ready': None}))
    assert 'container.web.ready' not in out.flags
    assert saw(out) == {'saw.web.not-ready'}


def alive(status: CheckStatus = CheckStatus.UP, failures: int = 0) -> CheckInfo:
    return CheckInfo('alive', level=CheckLevel.ALIVE, status=status, failures=failures)


LAYER: Any = {'checks': {'alive': {'override': 'replace', 'level': 'alive',
                                   'exec': {'command': 'true'}}}}


def web_with(check: CheckInfo) -> Container:
    from reactops.pebble import Layer

    return Container('web', can_connect=True, layers={'base': Layer(LAYER)},
                     check_infos={check})


def test_a_failed_check_lasts_until_it_recovers(ctx: Context[FlaggedCharm]) -> None:
    failing = alive(CheckStatus.DOWN, 3)
    web = web_with(failing)
    out = ctx.run(ctx.on.pebble_check_failed(web, failing), State(containers={web}))
    assert 'container.web.check.alive.failed' in out.flags
    assert 'saw.alive.failed' in saw(out)

    later = ctx.run(ctx.on.update_status(), out.replace(flags=dict(out.flags)))
    assert 'container.web.check.alive.failed' in later.flags

    web = web_with(alive())
    out = ctx.run(ctx.on.pebble_check_recovered(web, alive()),
                  State(containers={web}, flags={'container.web.check.alive.failed': None}))
    assert 'container.web.check.alive.failed' not in out.flags
    # The recovered flag was there for the hook's handlers, and is gone after it.
    assert 'saw.alive.recovered' in saw(out)
    assert 'container.web.check.alive.recovered' not in out.flags


def test_a_fresh_pebble_forgets_the_failed_checks_of_its_container(
        ctx: Context[FlaggedCharm]) -> None:
    web = Container('web', can_connect=True)
    flags = {'container.web.check.alive.failed': None, 'container.db.check.up.failed': None}
    out = ctx.run(ctx.on.pebble_ready(web), State(containers={web}, flags=flags))
    assert 'container.web.check.alive.failed' not in out.flags
    assert 'container.db.check.up.failed' in out.flags


def test_a_custom_notice_sets_a_flag_for_its_hook(ctx: Context[FlaggedCharm]) -> None:
    notice = Notice('example.com/reload')
    web = Container('web', can_connect=True, notices=[notice])
    out = ctx.run(ctx.on.pebble_custom_notice(web, notice), State(containers={web}))
    assert out.flags['saw.reload'] == notice.id
    assert not [flag for flag in out.flags if '.notice.' in flag]


def test_another_notice_key_sets_only_its_own_flag(ctx: Context[FlaggedCharm]) -> None:
    notice = Notice('example.com/other')
    web = Container('web', can_connect=True, notices=[notice])
    out = ctx.run(ctx.on.pebble_custom_notice(web, notice), State(containers={web}))
    assert 'saw.reload' not in out.flags


def test_a_charm_without_containers_has_no_container_flags() -> None:
    class Plain(CharmBase):
        @when_not('plain.done')
        def once(self) -> None:
            set_flag('plain.done', is_flag_set('container.web.ready'))

    ctx = Context(Plain, meta={'name': 'plain'})
    out = ctx.run(ctx.on.install(), State())
    assert out.flags == {'plain.done': False}


@pytest.mark.parametrize('flag', ['container.web.ready', 'container.web.check.alive.failed',
                                  'container.web.notice.example.com/reload'])
def test_the_graph_knows_container_flags_are_automatic(flag: str) -> None:
    @when(flag)
    def handler() -> None:
        pass

    registry = HandlerRegistry()
    registry.add_function(handler)
    graph = FlagGraph.from_registry(registry)
    assert graph.is_automatic(flag)
    assert graph.check() == []
    assert "container's Pebble hooks" in automatic_words(flag)


# -- what a hook imports ---------------------------------------------------------------------

QUIET_HANDLERS = """
from reactops import set_flag, when, when_not


@when_not('quiet.done')
def once():
    set_flag('quiet.done')


@when('container.web.notice.example.com/reload')
def reload():
    set_flag('quiet.reloaded')
"""


def imported_modules(stderr: str) -> set[str]:
    """The modules ``-X importtime`` (PYTHONPROFILEIMPORTTIME) reported."""
    return {line.rsplit('|', 1)[-1].strip() for line in stderr.splitlines()
            if line.startswith('import time:')}


@pytest.mark.parametrize('containers', [False, True])
def test_a_hook_that_reads_no_ready_flag_loads_no_pebble(tmp_path: Path,
                                                         containers: bool) -> None:
    charm = tmp_path / 'charm'
    (charm / 'reactive').mkdir(parents=True)
    (charm / 'src').mkdir()
    meta = 'name: quiet\n' + ('containers:\n  web: {}\n' if containers else '')
    (charm / 'metadata.yaml').write_text(meta)
    (charm / 'reactive' / 'quiet.py').write_text(QUIET_HANDLERS)
    (charm / 'src' / 'charm.py').write_text('import reactops\n\nreactops.main()\n')
    unit = CharmUnit(tmp_path / 'unit', charm, 'quiet/0')
    result = unit.run('hooks/update-status', PYTHONPROFILEIMPORTTIME='1',
                      REACTOPS_CONTAINERS_DIR=str(tmp_path / 'nowhere'))
    assert result.returncode == 0, result.stderr
    modules = imported_modules(result.stderr)
    assert 'reactops.reactive.automatic' in modules  # the automatic flags were installed
    assert not {m for m in modules if 'pebble' in m or m.endswith('_containers')}
    assert ('reactops.reactive._container_flags' in modules) is containers
    assert 'quiet.done' in unit.flags()
