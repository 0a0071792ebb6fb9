"""The local model and the ``reactops`` command under careless and hostile use (issue 17,
findings 5, 6, 7, 8 and 9): one command at a time, a settle limit that grows with the
model, bundles checked whole before anything is deployed, names that cannot leave the model
directory, a private state file, and errors that say what happened, briefly."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runmode import examples

import reactops
from reactops.localmodel import LocalModel, LocalModelError, load_bundle

ROOT = Path(reactops.__file__).resolve().parents[1]
CHARMS = Path(__file__).resolve().parent


def reactops_cmd(*args: str, model_dir: Path | None, cwd: Path | None = None,
                 env: dict[str, str] | None = None, timeout: float = 300
                 ) -> subprocess.CompletedProcess[str]:
    """Run the ``reactops`` command (this checkout's) and return how it ended."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    full_env['PYTHONPATH'] = str(ROOT)
    if model_dir is not None:
        full_env['REACTOPS_MODEL_DIR'] = str(model_dir)
    full_env.update(env or {})
    return subprocess.run([sys.executable, '-m', 'reactops.cli', *args], env=full_env,
                          capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT)


def start_cmd(*args: str, model_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    env.update(PYTHONPATH=str(ROOT), REACTOPS_MODEL_DIR=str(model_dir))
    return subprocess.Popen([sys.executable, '-m', 'reactops.cli', *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def make_charm(root: Path, name: str, *, dispatch: str = '', hooks: dict[str, str] | None = None,
               meta: str = '', config: str = '', actions: str = '') -> Path:
    """A small shell charm in ``root/name``."""
    charm = root / name
    charm.mkdir(parents=True)
    (charm / 'metadata.yaml').write_text(f'name: {name}\nsummary: a test charm\n{meta}')
    if config:
        (charm / 'config.yaml').write_text(config)
    if actions:
        (charm / 'actions.yaml').write_text(actions)
    if dispatch:
        (charm / 'dispatch').write_text('#!/bin/sh\n' + textwrap.dedent(dispatch))
        (charm / 'dispatch').chmod(0o755)
    for hook, body in (hooks or {}).items():
        (charm / 'hooks').mkdir(exist_ok=True)
        (charm / 'hooks' / hook).write_text('#!/bin/sh\n' + body)
        (charm / 'hooks' / hook).chmod(0o755)
    return charm


# -- finding 5: one command at a time ---------------------------------------------------------


def test_finding5_two_commands_on_one_model_run_each_queued_hook_once(tmp_path: Path) -> None:
    record = tmp_path / 'ran.txt'
    charm = make_charm(tmp_path, 'slow', dispatch=f"""\
        echo "$JUJU_UNIT_NAME ${{JUJU_DISPATCH_PATH#*/}}" >> {record}
        sleep 0.3
        """)
    model_dir = tmp_path / 'model'
    model = LocalModel(model_dir)
    model.create()
    model.deploy('slow', charm, units=2)  # queues 8 setup hooks, runs none
    model.close()
    first = start_cmd('update-status', model_dir=model_dir)
    deadline = time.monotonic() + 60
    while not record.exists() and time.monotonic() < deadline:  # the first holds the model
        time.sleep(0.02)
    second = start_cmd('update-status', model_dir=model_dir)
    outs = [proc.communicate(timeout=120) for proc in (first, second)]
    assert first.returncode == second.returncode == 0, outs
    ran = record.read_text().splitlines()
    setup = [line for line in ran if not line.endswith('update-status')]
    assert sorted(setup) == sorted(set(setup)) and len(setup) == 8, ran
    waited = [err for _, err in outs if 'waiting for the local model' in err]
    assert len(waited) == 1, outs  # one command waited, saying who held the model
    assert '"reactops update-status" (pid ' in waited[0]


def test_finding5_a_waiting_command_gives_up_after_the_bound(tmp_path: Path) -> None:
    charm = make_charm(tmp_path, 'quiet', config='options:\n  x: {type: string, default: a}\n')
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.deploy('quiet', charm)
    with model.locked('"reactops relate" (a test)'):
        started = time.monotonic()
        result = reactops_cmd('config', 'quiet', 'x=b', model_dir=model.dir,
                              env={'REACTOPS_LOCK_TIMEOUT': '0.5'})
        assert time.monotonic() - started < 30
        assert result.returncode == 1
        assert 'is busy: "reactops relate" (a test) (pid ' in result.stderr
        assert 'REACTOPS_LOCK_TIMEOUT' in result.stderr
        assert len(result.stderr.splitlines()) == 2  # the wait notice, then the error
        # Reading needs no lock.
        assert reactops_cmd('status', model_dir=model.dir).returncode == 0
    assert model.state.app('quiet').config == {'x': 'a'}  # the refused command changed nothing
    model.close()


def test_finding5_the_lock_survives_a_fresh_run(tmp_path: Path) -> None:
    """``reactops run`` empties the directory but keeps the lock file it holds: a command
    waiting on the old file and one starting afresh lock the same file."""
    charm = make_charm(tmp_path, 'quiet')
    model = LocalModel(tmp_path / 'model')
    model.create()
    inode = (model.dir / 'lock').stat().st_ino
    model.create()
    assert (model.dir / 'lock').stat().st_ino == inode
    model.deploy('quiet', charm)
    model.close()


# -- finding 6: a settle limit that grows with the model -----------------------------------------

RELATED = dict(meta='provides:\n  feed: {interface: feedq}\n',
               hooks={'install': 'exit 0\n',
                      'feed-relation-changed': 'exit 0\n'})
RELATING = dict(meta='requires:\n  feed: {interface: feedq}\n',
                hooks={'install': 'exit 0\n',
                       'feed-relation-joined': 'relation-set "unit=$JUJU_UNIT_NAME"\n'})


def write_pair_bundle(tmp_path: Path, units: int) -> Path:
    make_charm(tmp_path, 'source', **RELATED)  # type: ignore[arg-type]
    make_charm(tmp_path, 'sink', **RELATING)  # type: ignore[arg-type]
    bundle = tmp_path / 'bundle.yaml'
    bundle.write_text(f'applications:\n  source: {{charm: ./source, units: {units}}}\n'
                      f'  sink: {{charm: ./sink, units: {units}}}\nrelations:\n'
                      f'  - [source, sink]\n')
    return bundle


def test_finding6_the_settle_limit_grows_with_units_and_relations(tmp_path: Path) -> None:
    bundle = load_bundle(write_pair_bundle(tmp_path, 20))
    model = LocalModel(tmp_path / 'model')
    model.create()
    small = model.settle_limit()
    model.deploy_bundle(bundle)
    assert small == 500
    # 40 units, 400 pairs of units that see each other: 1,800 hooks queued, and room for as
    # many again caused by relation data (the 500 of old did not reach the first 1,800).
    assert model.state.queued() == 1800
    assert model.settle_limit() > 2 * 1800
    model.close()


def test_finding6_an_unsettled_model_says_how_to_go_on(tmp_path: Path) -> None:
    model_dir = tmp_path / 'model'
    result = reactops_cmd('run', str(write_pair_bundle(tmp_path, 2)), '--max-hooks', '5',
                          model_dir=model_dir)
    assert result.returncode == 1
    assert 'did not settle after 5 hooks' in result.stderr
    assert 'reactops settle --max-hooks 20' in result.stderr
    assert 'still queued' in result.stderr
    status = reactops_cmd('status', model_dir=model_dir).stdout
    assert 'hook(s) queued; "reactops settle" runs them' in status
    result = reactops_cmd('settle', model_dir=model_dir)
    assert result.returncode == 0, result.stderr
    assert 'sink/1           feed-relation-joined' in result.stdout
    assert 'queued' not in reactops_cmd('status', model_dir=model_dir).stdout


@pytest.mark.slow
def test_finding6_a_20x20_model_settles_from_the_command_line(tmp_path: Path) -> None:
    result = reactops_cmd('run', str(write_pair_bundle(tmp_path, 20)),
                          model_dir=tmp_path / 'model', timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    hooks = [line for line in result.stdout.splitlines() if line.endswith('s') and ' ok ' in line]
    assert len(hooks) >= 1800  # far past the old fixed cap of 500
    # Each unit of one side meets each unit of the other.
    assert result.stdout.count('feed-relation-joined') == 800
    assert 'queued' not in reactops_cmd('status', model_dir=tmp_path / 'model').stdout


# -- finding 7: bundles are checked against the charms before anything is deployed ---------------

TYPED = 'options:\n' + ''.join(f'  {name}: {{type: {kind}}}\n' for name, kind in [
    ('port', 'int'), ('ratio', 'float'), ('debug', 'boolean'), ('motd', 'string')])


def typed_bundle(tmp_path: Path, app: str) -> Path:
    make_charm(tmp_path, 'typed', config=TYPED)
    path = tmp_path / 'bundle.yaml'
    path.write_text(f'applications:\n  web:\n    charm: ./typed\n{app}')
    return path


@pytest.mark.parametrize(('config', 'option'), [
    ('port: 3.7', 'port'), ('port: true', 'port'), ("port: '80'", 'port'),
    ('ratio: false', 'ratio'), ('debug: 1', 'debug'), ('debug: "yes"', 'debug'),
    ('motd: [a, b]', 'motd'), ('motd: {a: 1}', 'motd'), ('motd: 3', 'motd'),
])
def test_finding7_bundle_config_must_have_the_options_type(tmp_path: Path, config: str,
                                                          option: str) -> None:
    path = typed_bundle(tmp_path, f'    config: {{{config}}}\n')
    with pytest.raises(LocalModelError) as info:
        load_bundle(path)
    message = str(info.value)
    assert message.startswith(f'bundle {path}: ')
    assert "application 'web'" in message and f'option {option!r} is of type' in message


def test_finding7_bundle_config_of_the_right_type_is_kept(tmp_path: Path) -> None:
    path = typed_bundle(tmp_path, '    config: {port: 80, ratio: 2, debug: true, motd: hi}\n')
    assert load_bundle(path).applications[0].config == {
        'port': 80, 'ratio': 2, 'debug': True, 'motd': 'hi'}


def test_finding7_units_per_application_are_bounded(tmp_path: Path) -> None:
    path = typed_bundle(tmp_path, '    units: 1000000000\n')
    model_dir = tmp_path / 'model'
    started = time.monotonic()
    result = reactops_cmd('run', str(path), model_dir=model_dir)
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    assert f"bundle {path}: application 'web': 1000000000 units is more than the bound " \
           f'of 100 per application; raise it with --max-units N' in result.stderr
    assert not model_dir.exists()  # nothing deployed, nothing copied
    path.write_text(path.read_text().replace('1000000000', '150'))
    with pytest.raises(LocalModelError, match='150 units is more than the bound of 100'):
        load_bundle(path)
    assert load_bundle(path, max_units=150).applications[0].units == 150
    with pytest.raises(LocalModelError, match='bound of 3'):
        model = LocalModel(model_dir, max_units=3)
        model.create()
        model.deploy('web', tmp_path / 'typed', units=4)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
                    st.text(max_size=12), st.sampled_from(['./typed', './nowhere', '..', '/']))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)
def mostly(good: st.SearchStrategy[object], bad: st.SearchStrategy[object]
           ) -> st.SearchStrategy[object]:
    """*good* nine times in ten, else *bad*: deep enough into a bundle to reach every check."""
    return st.integers(0, 9).flatmap(lambda n: bad if n == 0 else good)


GOOD_NAMES = st.sampled_from(['web', 'db', 'cache-2a'])
NAMES = mostly(GOOD_NAMES, st.one_of(st.sampled_from(['a/../x', 'Web', 'web-1', '', 'web\n']),
                                     st.text(max_size=10), st.integers()))
GOOD_SPECS = st.fixed_dictionaries({'charm': st.just('./typed')}, optional={
    'units': st.one_of(st.integers(1, 3), st.integers(-3, 300), SCALARS),
    'config': st.dictionaries(st.sampled_from(['port', 'ratio', 'debug', 'motd', 'nope']),
                              st.one_of(SCALARS, VALUES), max_size=4)})
APP_SPECS = mostly(GOOD_SPECS, st.one_of(VALUES, st.fixed_dictionaries(
    {'charm': st.one_of(SCALARS, st.sampled_from(['./nowhere', 'typed', '../typed']))},
    optional={'config': VALUES, 'charmX': SCALARS})))
ENDS = st.one_of(st.sampled_from(['web', 'db', 'web:port', 'db:port', 'db:', ':', 'web:a:b']),
                 st.text(max_size=8), st.integers())
BUNDLES = mostly(st.fixed_dictionaries(
    {'applications': st.dictionaries(NAMES, APP_SPECS, min_size=1, max_size=3)},
    optional={'relations': st.lists(st.one_of(st.lists(ENDS, min_size=2, max_size=2),
                                              st.lists(ENDS, max_size=3), VALUES), max_size=3)}),
    st.fixed_dictionaries({'applications': VALUES},
                          optional={'relations': VALUES, 'colour': VALUES}))


@pytest.fixture(scope='module')
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp('bundles')
    make_charm(root, 'typed', config=TYPED, meta='provides:\n  port: {interface: p}\n')
    return root


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(BUNDLES)
def test_finding7_any_bundle_loads_or_gives_one_error_naming_the_file(
        bundle_dir: Path, raw: object) -> None:
    path = bundle_dir / 'bundle.yaml'
    try:
        path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    except yaml.YAMLError:
        return
    try:
        bundle = load_bundle(path)
    except LocalModelError as e:
        assert str(e).startswith(f'bundle {path}') or str(e).startswith(
            f'cannot read bundle {path}'), e
        return
    for app in bundle.applications:  # what loads is what Juju would take
        assert app.name.replace('-', '').isalnum() and app.name == app.name.lower()
        assert 1 <= app.units <= 100
        assert app.charm == bundle_dir / 'typed'


# -- finding 8: names cannot leave the model directory; the state file is private ----------------

@pytest.mark.parametrize('name', [
    'a/../../../../escape', '../escape', 'a/b', 'Web', '1web', 'web-1', 'web_db', 'web-',
    'web--db', '"web\\n"', 'wéb', '7', 'true', '"x y"'])
def test_finding8_bundle_application_names_are_checked(tmp_path: Path, name: str) -> None:
    path = typed_bundle(tmp_path, '')
    path.write_text(path.read_text().replace('  web:', f'  {name}:'))
    model_dir = tmp_path / 'deep' / 'er' / 'model'
    result = reactops_cmd('run', str(path), model_dir=model_dir)
    assert result.returncode == 1
    assert f'bundle {path}: ' in result.stderr and 'is not a valid application name' in \
        result.stderr
    assert not (tmp_path / 'escape').exists() and not model_dir.exists()


def test_finding8_the_model_refuses_a_path_as_application_name(tmp_path: Path) -> None:
    model = LocalModel(tmp_path / 'model')
    model.create()
    with pytest.raises(LocalModelError, match='not a valid application name'):
        model.deploy('a/../../escape', make_charm(tmp_path, 'typed', config=TYPED))
    assert not (tmp_path / 'escape').exists()
    model.close()


def test_finding8_the_model_dir_and_its_state_file_are_private(tmp_path: Path) -> None:
    old = os.umask(0)  # even a permissive umask gives private files
    try:
        model = LocalModel(tmp_path / 'model')
        model.create()
        model.deploy('typed', make_charm(tmp_path, 'typed', config=TYPED))
        model.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / 'model').stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / 'model' / 'model.db').stat().st_mode) == 0o600
    for name in ('lock', 'model.db-wal', 'model.db-shm'):  # the journal too, while open
        path = tmp_path / 'model' / name
        assert not path.exists() or stat.S_IMODE(path.stat().st_mode) == 0o600, name


# -- finding 9: newcomers' paths ------------------------------------------------------------------

def test_finding9_run_inside_the_charm_directory(tmp_path: Path) -> None:
    assert reactops_cmd('init', 'hello', model_dir=None, cwd=tmp_path).returncode == 0
    charm = tmp_path / 'hello'
    result = reactops_cmd('run', '.', model_dir=None, cwd=charm)
    assert result.returncode == 0, result.stderr[:2000]
    assert 'hello/0*' in result.stdout
    copy = charm / '.reactops' / 'units' / 'hello-0' / 'charm'
    assert (copy / 'dispatch').exists() and not (copy / '.reactops').exists()
    # Resolving refreshes the copy the same way: still without the model inside.
    model = LocalModel(charm / '.reactops')
    model.state.set_error('hello/0', 'start')
    model.resolve('hello/0')
    model.close()
    assert not (copy / '.reactops').exists()


def test_finding9_an_error_line_is_cut_short(tmp_path: Path) -> None:
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.close()
    result = reactops_cmd('config', 'x' * 70000, 'a=b', model_dir=model.dir)
    assert result.returncode == 1
    assert len(result.stderr) < 1200
    assert result.stderr.startswith('reactops: error: no application ')
    assert 'more characters; --debug shows all)' in result.stderr


def test_finding9_a_missing_endpoint_is_caught_before_deploying(tmp_path: Path) -> None:
    path = tmp_path / 'bundle.yaml'
    for name in ('shop', 'depot'):
        (tmp_path / name).symlink_to(CHARMS / name)
    path.write_text('applications:\n  shop: {charm: ./shop}\n  depot: {charm: ./depot}\n'
                    'relations:\n  - [shop:stock, depot:nope]\n')
    model_dir = tmp_path / 'model'
    result = reactops_cmd('run', str(path), model_dir=model_dir)
    assert result.returncode == 1
    assert f"bundle {path}: relation 1 [shop:stock, depot:nope]: depot has no endpoint " \
           f"'nope'" in result.stderr
    assert not model_dir.exists()
    path.write_text(path.read_text().replace('depot:nope', 'shop'))
    with pytest.raises(LocalModelError, match='relation 1 .*cannot relate shop to itself'):
        load_bundle(path)


def test_finding9_status_blames_resolve_only_for_units_in_error(tmp_path: Path) -> None:
    charm = make_charm(tmp_path, 'typed', config=TYPED)
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.deploy('typed', charm)  # hooks queued, none run, no unit in error
    status = reactops_cmd('status', model_dir=model.dir).stdout
    assert 'resolve' not in status
    assert '4 hook(s) queued; "reactops settle" runs them' in status
    model.state.set_error('typed/0', 'install')
    status = reactops_cmd('status', model_dir=model.dir).stdout
    assert '4 hook(s) wait behind units in error (typed/0); "reactops resolve UNIT"' in status
    model.close()


ACTING = """\
case "$JUJU_DISPATCH_PATH" in
actions/crash)
    echo 'Traceback (most recent call last):' >&2
    echo 'ValueError: the disk is on fire' >&2
    exit 1 ;;
actions/refuse)
    action-fail "not on a Sunday"
    exit 0 ;;
esac
"""


@pytest.mark.parametrize(('action', 'reason'), [
    ('crash', 'exit status 1: ValueError: the disk is on fire'),
    ('refuse', 'not on a Sunday')])
def test_finding9_a_failed_action_says_why(tmp_path: Path, action: str, reason: str) -> None:
    charm = make_charm(tmp_path, 'acting', dispatch=ACTING,
                       actions='crash: {description: fails}\nrefuse: {description: fails}\n')
    model_dir = tmp_path / 'model'
    assert reactops_cmd('run', str(charm), model_dir=model_dir).returncode == 0
    result = reactops_cmd('run-action', 'acting/0', action, model_dir=model_dir)
    assert result.returncode == 1
    assert f'Action {action} on acting/0: failed ({reason})' in result.stdout
    assert f'Action {action} failed: {reason}. See "reactops log acting/0"' in result.stderr
