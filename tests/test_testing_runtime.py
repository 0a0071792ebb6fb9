"""reactops.testing's Scenario runtime (``scenario._runtime.Runtime``), charm errors and
an early successful exit (``_Abort(0)``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import reactops
from reactops._main import _Abort
from reactops.testing import Container, Context, State, UncaughtCharmError
from reactops.testing._events import _Event
from reactops.testing._runtime import Runtime
from reactops.testing._spec import _CharmSpec


class Charm(reactops.CharmBase):
    """Records the unit it runs as; fails on update-status; ends start early."""

    units: list[str] = []

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_start(self, _: reactops.StartEvent) -> None:
        Charm.units.append(self.unit.name)
        self.unit.status = reactops.ActiveStatus('early')
        raise _Abort(0)

    def _on_update_status(self, _: reactops.UpdateStatusEvent) -> None:
        raise ValueError('broken')


META = {'name': 'app', 'containers': {'work-load': {}}}


def test_the_runtime_names_the_unit_even_with_a_given_context() -> None:
    Charm.units = []
    ctx = Context(Charm, meta=META)
    runtime = Runtime('other', _CharmSpec(Charm, META), unit_id=3)
    with runtime.exec(State(), _Event('start'), context=ctx) as manager:
        assert manager._juju_context is not None
        assert manager._juju_context.unit_name == 'other/3'
        manager.run()
    assert Charm.units == ['other/3']
    assert (ctx.app_name, ctx.unit_id) == ('app', 0)  # the context is given back as it was


def test_an_error_in_the_block_is_the_charms_and_the_environment_is_restored() -> None:
    ctx = Context(Charm, meta=META)
    runtime = Runtime('app', _CharmSpec(Charm, META))
    with pytest.raises(UncaughtCharmError, match='ZeroDivisionError'):
        with runtime.exec(State(), _Event('start'), context=ctx):
            assert os.environ['JUJU_UNIT_NAME'] == 'app/0'
            _ = 1 / 0
    assert 'JUJU_UNIT_NAME' not in os.environ


def test_the_event_environment_of_a_workload_event(tmp_path: Path) -> None:
    runtime = Runtime('app', _CharmSpec(Charm, META))
    container = Container('work-load')
    env = runtime._get_event_env(State(containers={container}),
                                 _Event('work-load_pebble_ready', container=container),
                                 tmp_path)
    assert env['JUJU_DISPATCH_PATH'] == 'hooks/work-load-pebble-ready'
    assert env['JUJU_WORKLOAD_NAME'] == 'work-load'
    assert env['JUJU_CHARM_DIR'] == str(tmp_path)


def test_abort_with_exit_code_zero_is_a_successful_run() -> None:
    ctx = Context(Charm, meta=META)
    out = ctx.run(ctx.on.start(), State())
    assert out.unit_status == reactops.ActiveStatus('early')


@pytest.mark.parametrize('value, bare', [('true', True), ('1', True), ('0', False),
                                         ('yes', False), ('', False)])
def test_scenario_bare_charm_errors(monkeypatch: pytest.MonkeyPatch, value: str,
                                    bare: bool) -> None:
    monkeypatch.setenv('SCENARIO_BARE_CHARM_ERRORS', value)
    ctx = Context(Charm, meta=META)
    with pytest.raises(ValueError if bare else UncaughtCharmError):
        ctx.run(ctx.on.update_status(), State())
