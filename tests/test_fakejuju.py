"""The fake hook tools themselves: they must parse and answer like Juju, or tests lie."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from fakejuju import TOOLS, FakeJuju
from fakejuju.tool import HANDLERS, SPECS


def run(fake: FakeJuju, *argv: str, stdin: str | None = None,
        **juju: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **fake.env(**juju)}
    return subprocess.run(list(argv), env=env, capture_output=True, text=True, input=stdin,
                          check=False)


@pytest.fixture
def fake(tmp_path: Path) -> FakeJuju:
    fake = FakeJuju(tmp_path)
    fake.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': 'h'}})
    return fake


def test_every_tool_is_installed_as_one_script(fake: FakeJuju) -> None:
    targets = {os.readlink(fake.bin_dir / name) for name in TOOLS}
    assert len(targets) == 1
    assert {'relation-get', 'secret-add', 'status-set', 'juju-log'} <= set(TOOLS)
    assert 'payload-register' not in TOOLS


def test_a_run_is_logged_with_argv_and_stdin_when_read(fake: FakeJuju) -> None:
    run(fake, 'relation-set', '-r', 'db:3', '--file', '-', stdin='{"a": "b"}')
    run(fake, 'is-leader', stdin='ignored')
    assert fake.calls() == [
        {'tool': 'relation-set', 'argv': ['relation-set', '-r', 'db:3', '--file', '-'],
         'stdin': '{"a": "b"}'},
        {'tool': 'is-leader', 'argv': ['is-leader'], 'stdin': None}]
    assert fake.argvs('is-leader') == [['is-leader']]
    fake.clear_calls()
    assert fake.calls() == []


def test_unknown_flags_are_rejected_with_usage(fake: FakeJuju) -> None:
    result = run(fake, 'relation-get', '--bogus', '-r', 'db:3')
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        'ERROR option provided but not defined: --bogus',
        'Usage: relation-get [options] <key> <unit id>']
    assert run(fake, 'is-leader', '-x').returncode == 2
    assert run(fake, 'config-get', '-format=json').returncode == 2


def test_bad_arguments_exit_2_and_refusals_exit_1(fake: FakeJuju) -> None:
    extra = run(fake, 'is-leader', 'extra')
    assert (extra.returncode, extra.stderr) == (2, 'ERROR unrecognized args: ["extra"]\n')
    missing = run(fake, 'relation-get', '-r')
    assert (missing.returncode, missing.stderr.splitlines()[0]) == (
        2, 'ERROR option needs an argument: -r')
    assert run(fake, 'config-get', '--format=xml').returncode == 2
    assert run(fake, 'status-set', '--application=maybe', 'active').returncode == 2
    refused = run(fake, 'leader-set', 'a=b')
    assert (refused.returncode, refused.stderr) == (
        1, 'ERROR cannot write leadership settings: cannot write settings: not the leader\n')


def test_flags_anywhere_both_spellings_and_double_dash(fake: FakeJuju) -> None:
    a = run(fake, 'relation-get', 'host', '--relation', 'db:3', 'pg/0', '--format', 'json')
    b = run(fake, 'relation-get', '--format=json', '-r', '3', 'host', 'pg/0')
    assert a.stdout == b.stdout == '"h"\n'
    run(fake, 'juju-log', '-l', 'WARNING', '--', '--not-a-flag', 'and more')
    assert fake.state()['logs'] == [{'level': 'WARNING', 'message': '--not-a-flag and more'}]


def test_smart_format_prints_plain_values(fake: FakeJuju) -> None:
    fake.update(leader=True)
    assert run(fake, 'is-leader').stdout == 'True\n'
    assert run(fake, 'relation-ids', 'db').stdout == 'db:3\n'
    assert run(fake, 'relation-get', '-r', 'db:3', 'missing', 'pg/0').stdout == ''
    assert run(fake, 'status-get').stdout == 'unknown\n'


def test_unknown_relation_like_juju(fake: FakeJuju) -> None:
    result = run(fake, 'relation-get', '--format=json', '-r', 'db:99', '-', 'pg/0')
    assert (result.returncode, result.stderr) == (
        2, 'ERROR invalid value "db:99" for option -r: relation not found\n')
    assert run(fake, 'relation-list', '-r', 'abc').stderr == (
        'ERROR invalid value "abc" for option -r: invalid relation id\n')


def test_relation_hook_defaults_come_from_the_environment(fake: FakeJuju) -> None:
    result = run(fake, 'relation-get', '--format=json', JUJU_RELATION_ID='db:3',
                 JUJU_REMOTE_UNIT='pg/0', JUJU_RELATION='db')
    assert json.loads(result.stdout) == {'host': 'h'}
    assert run(fake, 'relation-ids', JUJU_RELATION='db').stdout == 'db:3\n'
    assert run(fake, 'relation-get', '-r', 'db:3').stderr == (
        'ERROR no unit or application specified\n')


def test_unknown_secret_like_juju(fake: FakeJuju) -> None:
    result = run(fake, 'secret-get', 'secret:x')
    assert (result.returncode, result.stderr) == (1, 'ERROR secret "secret:x" not found\n')


def test_secret_content_from_arguments_base64_and_files(fake: FakeJuju, tmp_path: Path) -> None:
    path = tmp_path / 'cert'
    path.write_text('PEM')
    result = run(fake, 'secret-add', 'user=admin', 'token#base64=czNjcmV0',
                 f'cert#file={path}')
    secret_id = result.stdout.strip()
    assert json.loads(run(fake, 'secret-get', secret_id, '--format=json').stdout) == {
        'user': 'admin', 'token': 's3cret', 'cert': 'PEM'}
    assert run(fake, 'secret-get', secret_id, 'token#base64').stdout == 'czNjcmV0\n'
    assert run(fake, 'secret-add', 'Bad=1').returncode == 2


def test_failure_injection_answers_whatever_the_arguments(fake: FakeJuju) -> None:
    fake.fail('relation-set', code=1, stderr='ERROR boom\n')
    result = run(fake, 'relation-set', '--nonsense')
    assert (result.returncode, result.stderr) == (1, 'ERROR boom\n')
    assert fake.argvs() == [['relation-set', '--nonsense']]
    fake.respond('is-leader', 'garbage')
    assert run(fake, 'is-leader').stdout == 'garbage'
    fake.heal()
    assert run(fake, 'is-leader').stdout == 'False\n'
    assert run(fake, 'relation-set', '-r', 'db:3', 'x=1').returncode == 0


def test_state_is_only_written_by_tools_that_change_it(fake: FakeJuju) -> None:
    before = fake.state_path.stat().st_mtime_ns
    run(fake, 'relation-get', '-r', 'db:3', '-', 'pg/0')
    assert fake.state_path.stat().st_mtime_ns == before
    run(fake, 'relation-set', '-r', 'db:3', 'x=1', 'y=')
    assert fake.state()['relations']['db:3']['data']['demo/0'] == {'x': '1'}
    assert not list(fake.root.glob('*.tmp'))


def test_env_describes_a_unit(fake: FakeJuju) -> None:
    env = fake.env(JUJU_DISPATCH_PATH='hooks/install')
    assert env['PATH'].split(os.pathsep)[0] == str(fake.bin_dir)
    assert (env['JUJU_UNIT_NAME'], env['JUJU_VERSION']) == ('demo/0', '3.6.1')
    assert env['JUJU_DISPATCH_PATH'] == 'hooks/install'
    assert Path(env['JUJU_CHARM_DIR']).is_dir()


def test_the_fixture_puts_the_fakes_on_path(fake_juju: FakeJuju) -> None:
    assert os.environ['JUJU_UNIT_NAME'] == 'demo/0'
    result = subprocess.run(['is-leader', '--format=json'], capture_output=True, text=True,
                            check=True)
    assert result.stdout == 'false\n'
    assert fake_juju.argvs() == [['is-leader', '--format=json']]


def test_tool_py_also_runs_on_its_own_under_any_name(fake: FakeJuju, tmp_path: Path) -> None:
    source = Path(__file__).with_name('fakejuju') / 'tool.py'
    assert os.access(source, os.X_OK)
    (tmp_path / 'own').mkdir()
    link = tmp_path / 'own' / 'is-leader'
    link.symlink_to(source)
    env = {**os.environ, **fake.env()}
    result = subprocess.run([str(link), '--format=json'], env=env, capture_output=True,
                            text=True, check=False)
    assert (result.returncode, result.stdout) == (0, 'false\n')


def test_every_tool_has_an_answer() -> None:
    assert set(HANDLERS) == set(SPECS)
