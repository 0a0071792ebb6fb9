"""The local-model commands end to end: ``reactops`` runs as a subprocess, hooks as real
processes of small shell charms (``tests/localmodel/``) and of the example bundle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHARMS = Path(__file__).resolve().parent / 'localmodel'


class Reactops:
    """The ``reactops`` command, run on one model directory."""

    def __init__(self, model_dir: Path):
        self.model_dir = model_dir

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
        env['REACTOPS_MODEL_DIR'] = str(self.model_dir)
        result = subprocess.run([sys.executable, '-m', 'reactops.cli', *args], env=env,
                                capture_output=True, text=True, timeout=120, cwd=REPO)
        if ok:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def row(self, unit: str) -> str:
        """The status table's line of *unit*, each run of spaces made one."""
        out = self('status').stdout
        return next(' '.join(line.split()) for line in out.splitlines()
                    if line.split()[1:2] in ([unit], [f'{unit}*']))


@pytest.fixture
def reactops(tmp_path: Path) -> Reactops:
    return Reactops(tmp_path / 'model')


@pytest.fixture(scope='module')
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reactops = Reactops(tmp_path_factory.mktemp('deployed') / 'model')
    reactops('run', str(CHARMS / 'shop'), str(CHARMS / 'depot'))
    reactops('relate', 'shop:stock', 'depot')
    return reactops.model_dir


@pytest.fixture
def shop_and_depot(deployed: Path, reactops: Reactops) -> Reactops:
    """shop/0 and depot/0, related and settled (a copy of one model per test)."""
    shutil.copytree(deployed, reactops.model_dir, symlinks=True)
    return reactops


def test_run_deploys_relates_and_shows_status(shop_and_depot: Reactops) -> None:
    assert shop_and_depot.row('shop/0') == 'shop shop/0* active hi; apples -'
    assert shop_and_depot.row('depot/0') == 'depot depot/0* active offering apples; shop/0 ' \
                                            'saw apples -'
    assert 'shop:stock <-> depot:stock (stockq, id 1)' in shop_and_depot('status').stdout


def test_config_change_reaches_the_other_side(shop_and_depot: Reactops) -> None:
    out = shop_and_depot('config', 'depot', 'items=pears').stdout
    assert 'depot/0          config-changed' in out
    assert 'shop/0           stock-relation-changed' in out  # the relation write propagated
    assert 'hi; pears' in shop_and_depot.row('shop/0')
    assert shop_and_depot('config', 'depot').stdout == 'items="pears"\n'


def test_a_failing_hook_then_resolve(shop_and_depot: Reactops) -> None:
    failed = shop_and_depot('config', 'shop', 'fail-on=config-changed', ok=False)
    assert failed.returncode == 1
    assert 'FAILED (exit 3)' in failed.stdout
    assert 'shop/0 is in error: hook "config-changed" failed' in failed.stderr
    assert 'error hook failed: "config-changed"' in shop_and_depot.row('shop/0')
    log = shop_and_depot('log', 'shop/0').stdout
    assert 'config-changed: FAILED (exit 3)' in log
    assert 'shop: failing config-changed on purpose' in log  # the output is kept
    assert shop_and_depot('resolve', 'shop/0', ok=False).returncode == 1  # fails again
    shop_and_depot('config', 'shop', 'fail-on=', ok=False)  # the unit is still stuck
    out = shop_and_depot('resolve', 'shop/0').stdout
    assert 'Retrying "config-changed" on shop/0' in out
    assert 'shop/0* active' in shop_and_depot.row('shop/0')


@pytest.mark.slow
def test_add_unit_joins_peers_and_relations(shop_and_depot: Reactops) -> None:
    out = shop_and_depot('add-unit', 'shop').stdout
    for hook in ('install', 'leader-settings-changed', 'crew-relation-joined',
                 'stock-relation-joined'):
        assert f'shop/1           {hook}' in out
    assert 'shop/0           crew-relation-joined' in out
    assert 'depot/0          stock-relation-joined' in out
    assert 'shop/1 active hi; apples' in shop_and_depot.row('shop/1')


def test_remove_relation_departs_then_breaks(shop_and_depot: Reactops) -> None:
    out = shop_and_depot('remove-relation', 'shop', 'depot:stock').stdout
    lines = [line.split()[:2] for line in out.splitlines() if 'relation-' in line]
    # Each unit departs, then breaks; the two units' hooks may run at the same time.
    for unit in ('shop/0', 'depot/0'):
        assert [hook for who, hook in lines if who == unit] == [
            'stock-relation-departed', 'stock-relation-broken']
    assert len(lines) == 4
    assert 'Relations:' not in shop_and_depot('status').stdout
    assert 'blocked no shop' in shop_and_depot.row('depot/0')
    assert 'hi; none' in shop_and_depot.row('shop/0')


def test_run_action(shop_and_depot: Reactops) -> None:
    out = shop_and_depot('run-action', 'shop/0', 'count', 'n=7').stdout
    assert 'Action count on shop/0: completed' in out
    assert '  log: counting to 7' in out
    assert "results:\n  count: '7'\n  who: shop/0" in out


def test_errors_are_one_line(reactops: Reactops) -> None:
    result = reactops('status', ok=False)
    assert result.returncode == 1
    assert result.stderr.startswith('reactops: error: no local model in ')
    reactops('run', str(CHARMS / 'depot'))
    for args, expected in [
            (('config', 'depot', 'nope=1'), "depot has no config option 'nope'"),
            (('config', 'nobody', 'a=1'), "no application 'nobody'"),
            (('resolve', 'depot/0'), 'unit depot/0 is not in error'),
            (('run-action', 'depot/0', 'x'), "the charm has no action 'x'"),
            (('log', 'depot/9'), "no unit 'depot/9'")]:
        result = reactops(*args, ok=False)
        assert result.returncode == 1
        assert expected in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.slow
def test_the_example_bundle(reactops: Reactops) -> None:
    reactops('run', str(REPO / 'examples' / 'webapp-bundle.yaml'))
    row = reactops.row('webapp/0')
    assert 'active serving on :8080, database webapp on 10.1.0.2' in row
    assert 'database.master.available' in row
    assert 'serving 1 database(s)' in reactops.row('tinydb/0')
    flags = reactops('flags', 'webapp/0').stdout.splitlines()
    assert 'webapp.motd = "hello from the local model"' in flags
    assert 'webapp.port-open = 8080' in flags
    log = reactops('log', 'tinydb/0').stdout
    assert 'db-relation-changed: ok' in log
