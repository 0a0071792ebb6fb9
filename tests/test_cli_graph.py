"""``reactops graph``, ``check`` and ``explain``: a charm author looks at the flag graph."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from charmrun import REPO, CharmUnit, write_files

from reactops.cli import main
from reactops.cli._charmload import load_charm
from reactops.reactive import _runtime
from reactops.reactive.graph import FlagGraph, flag_node, handler_node

WEBAPP = REPO / 'examples' / 'reactive-webapp'
SECRET_URI = 'secret:d0gq3kbmp25c762q4ldg'

# A small reactive web app, kept here so these tests do not follow the example's changes.
SKETCHWEB = {
    'metadata.yaml': """\
        name: sketchweb
        summary: A reactive web app for the graph tools' tests.
        description: Opens its port; blocks on a bad one.
        """,
    'config.yaml': """\
        options:
          port: {type: int, default: 8080, description: The port.}
          motd: {type: string, default: '', description: A message.}
        """,
    'src/charm.py': """\
        #!/usr/bin/env python3
        import reactops

        if __name__ == '__main__':
            reactops.main()
        """,
    'reactive/web.py': """\
        from reactops import (ActiveStatus, BlockedStatus, clear_flag, current_charm, hook,
                              set_flag, when, when_not)


        @when_not('web.installed')
        def install():
            set_flag('web.installed')


        @when('web.installed', 'config.changed.port')
        def open_port():
            port = current_charm().config['port']
            if not 0 < port < 65536:
                set_flag('web.bad-port')
                return
            clear_flag('web.bad-port')
            set_flag('web.port-open', port)


        @when('config.set.motd')
        def show_motd():
            set_flag('web.motd', current_charm().config['motd'])


        @when('web.motd')
        @when_not('config.set.motd')
        def hide_motd():
            clear_flag('web.motd')


        @when('web.port-open')
        @when_not('web.bad-port')
        def ready():
            current_charm().unit.status = ActiveStatus('ready')


        @when('web.bad-port')
        def blocked():
            current_charm().unit.status = BlockedStatus('bad port')


        @hook('upgrade-charm')
        def upgraded():
            clear_flag('web.installed')
        """,
}


@pytest.fixture(scope='module')
def charm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(tmp_path_factory.mktemp('sketchweb'), SKETCHWEB)


@pytest.fixture(autouse=True)
def _fresh_triggers() -> object:
    """Handler modules imported here register triggers for the whole process: drop them."""
    _runtime.reset_default()
    yield
    _runtime.reset_default()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_charm(root: Path, handlers: str) -> Path:
    """A reactive charm in *root* with one handler module."""
    return write_files(root, {'metadata.yaml': 'name: sketch\nsummary: s\ndescription: d\n',
                              'reactive/sketch.py': handlers})


TYPO_CHARM = """\
    from reactops import set_flag, when, when_not


    @when_not('app.installed')
    def install():
        set_flag('app.installed')


    @when('app.instaled')
    def start():
        set_flag('app.started')


    @when('app.started')
    def announce():
        pass
    """


# -- graph ----------------------------------------------------------------------------------


def test_graph_writes_dot_to_stdout(charm: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, 'graph', str(charm))

    assert code == 0
    assert out.startswith('digraph reactops {')
    assert '"web.installed"' in out and 'open_port' in out


def test_graph_writes_mermaid_and_json_files(charm: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, 'graph', str(charm), '--format', 'mermaid',
               '-o', str(tmp_path / 'g.mmd'))[0] == 0
    assert run(capsys, 'graph', str(charm), '--format', 'json',
               '-o', str(tmp_path / 'g.json'))[0] == 0

    assert (tmp_path / 'g.mmd').read_text().startswith('flowchart LR')
    data = json.loads((tmp_path / 'g.json').read_text())
    handlers = {n['name'] for n in data['nodes'] if n['kind'] == 'handler'}
    assert handlers == {'install', 'open_port', 'show_motd', 'hide_motd', 'ready', 'blocked',
                        'upgraded'}


def fake_dot(bin_dir: Path) -> Path:
    """A ``dot`` that records its argv and input and answers with a tiny SVG."""
    bin_dir.mkdir()
    record = bin_dir / 'calls.json'
    script = bin_dir / 'dot'
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import json, sys
        given = sys.stdin.read()
        with open({str(record)!r}, 'w') as f:
            json.dump({{'argv': sys.argv[1:], 'stdin': given}}, f)
        sys.stdout.write('<svg>rendered</svg>')
        """))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return record


def test_svg_is_rendered_by_graphviz_dot(charm: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    record = fake_dot(tmp_path / 'bin')
    monkeypatch.setenv('PATH', str(tmp_path / 'bin'))

    code, _, err = run(capsys, 'graph', str(charm), '--format', 'svg',
                       '-o', str(tmp_path / 'g.svg'))

    assert (code, err) == (0, '')
    assert (tmp_path / 'g.svg').read_text() == '<svg>rendered</svg>'
    call = json.loads(record.read_text())
    assert call['argv'] == ['-Tsvg']
    assert call['stdin'].startswith('digraph reactops {')


def test_without_graphviz_the_error_says_what_to_install(
        charm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv('PATH', str(tmp_path))  # no dot there

    code, out, err = run(capsys, 'graph', str(charm), '--format', 'png',
                         '-o', str(tmp_path / 'g.png'))

    assert (code, out) == (1, '')
    assert len(err.splitlines()) == 1
    assert 'Graphviz' in err and 'apt install graphviz' in err and '--format dot' in err
    assert not (tmp_path / 'g.png').exists()


def test_a_module_failing_at_import_is_one_line_naming_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm = write_charm(tmp_path / 'charm', """\
        from reactops import current_charm, when

        PORT = current_charm().config['port']


        @when('app.ready')
        def serve():
            pass
        """)

    code, _, err = run(capsys, 'graph', str(charm))

    assert code == 1
    assert len(err.splitlines()) == 1
    assert 'reactive/sketch.py:3' in err and 'only inside handlers' in err


# -- check ----------------------------------------------------------------------------------


def test_check_fails_on_a_handler_that_can_never_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm = write_charm(tmp_path / 'charm', TYPO_CHARM)

    code, out, _ = run(capsys, 'check', str(charm))

    assert code == 1
    assert 'reactive/sketch.py:9: error: [never_runs] handler reactive/sketch.py:9:start' in out
    assert "did you mean 'app.installed'?" in out
    assert out.splitlines()[-1].endswith('3 handlers, 2 errors, 1 warning')


def test_check_json_for_ci(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm = write_charm(tmp_path / 'charm', TYPO_CHARM)

    code, out, _ = run(capsys, 'check', str(charm), '--format', 'json')

    report = json.loads(out)
    assert code == 1
    assert (report['handlers'], report['errors'], report['warnings']) == (3, 2, 1)
    kinds = {(f['kind'], f['severity'], f['subject']) for f in report['findings']}
    assert ('never_runs', 'error', 'handler:reactive/sketch.py:14:announce') in kinds
    assert ('read_never_set', 'warning', 'flag:app.instaled') in kinds
    typo = next(f for f in report['findings'] if f['subject'] == 'flag:app.instaled')
    assert (typo['file'], typo['line']) == ('reactive/sketch.py', 9)


def test_warnings_pass_unless_strict_and_automatic_prefixes_silence_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unread = write_charm(tmp_path / 'unread', """\
        from reactops import set_flag, when_not


        @when_not('app.installed')
        def install():
            set_flag('app.installed')
            set_flag('app.version', '1.0')
        """)
    code, out, _ = run(capsys, 'check', str(unread))
    strict_code, _, _ = run(capsys, 'check', str(unread), '--strict')
    assert (code, strict_code) == (0, 1)
    assert "warning: [set_never_read] flag 'app.version'" in out

    typo = write_charm(tmp_path / 'typo', TYPO_CHARM)
    code, out, _ = run(capsys, 'check', str(typo), '--automatic', 'app.instaled')
    assert code == 0
    assert '0 errors' in out


def test_flags_set_by_an_ops_observer_count(capsys: pytest.CaptureFixture[str]) -> None:
    # MixedCharm._on_install sets 'mixed.observed-install', which MixedCharm.configure waits for.
    charm = REPO / 'tests' / 'charms' / 'mixed'
    code, out, _ = run(capsys, 'check', str(charm), '--format', 'json')

    assert code == 0
    assert 'never_runs' not in out
    graph = load_charm(charm).graph()
    observer = handler_node('src/charm.py:23:MixedCharm._on_install')
    assert graph.graph.nodes[observer]['phase'] == 'observer'
    assert graph.graph.edges[observer, flag_node('mixed.observed-install')]['kinds'] == ['sets']
    assert 'set by observer src/charm.py:23:MixedCharm._on_install' in ' '.join(
        graph.why_not('configure', []))


def test_add_observer_makes_its_flags_settable() -> None:
    from reactops import set_flag, when
    from reactops.reactive.registry import HandlerRegistry

    @when('app.seen')
    def react() -> None:
        pass

    def on_install() -> None:
        set_flag('app.seen')

    registry = HandlerRegistry()
    registry.add_function(react)
    graph = FlagGraph.from_registry(registry)
    assert [f.kind for f in graph.check()] == ['never_runs', 'read_never_set']

    graph.add_observer('src/charm.py:9:Charm._on_install', on_install)
    assert graph.check() == []


# A legacy charm: charms.reactive imports, a RelationBase layer saying {relation_name}, and
# an apt-style library whose functions set the flags handlers wait for (one computed).
LEGACY = {
    'metadata.yaml': """\
        name: oldapp
        summary: s
        description: d
        requires:
          db: {interface: olddb}
        """,
    'hooks/relations/olddb/requires.py': """\
        from charms.reactive import RelationBase, hook, scopes


        class OldDbRequires(RelationBase):
            scope = scopes.GLOBAL

            @hook('{requires:olddb}-relation-joined')
            def joined(self):
                self.set_state('{relation_name}.connected')
        """,
    'lib/charms/pkgs.py': """\
        from charms import reactive


        def queue(package):
            reactive.set_flag('pkgs.queued')


        def install(package):
            reactive.clear_flag('pkgs.queued')
            reactive.set_flag('pkgs.installed.' + package)
        """,
    'reactive/oldapp.py': """\
        from charms import pkgs
        from charms.reactive import when, when_not


        @when_not('pkgs.installed.nginx')
        def want_nginx():
            pkgs.queue('nginx')


        @when('pkgs.queued')
        def install_queued():
            pkgs.install('nginx')


        @when('pkgs.installed.nginx', 'db.connected')
        def serve():
            pass
        """,
}


def test_check_loads_a_legacy_charm_and_sees_what_its_libraries_set(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm = write_files(tmp_path / 'oldapp', LEGACY)

    code, out, _ = run(capsys, 'check', str(charm))

    assert code == 0
    assert out.strip().endswith('4 handlers, 0 errors, 0 warnings')
    graph = load_charm(charm).graph()
    queue = handler_node('lib/charms/pkgs.py:4:queue')
    assert graph.graph.nodes[queue]['phase'] == 'library'
    install = handler_node('lib/charms/pkgs.py:8:install')
    assert graph.graph.edges[install, flag_node('pkgs.installed.nginx')]['label'] == \
        'sets (computed name)'
    joined = handler_node('hooks/relations/olddb/requires.py:7:OldDbRequires.joined')
    assert graph.graph.has_edge(joined, flag_node('db.connected'))
    assert 'set by library function lib/charms/pkgs.py:4:queue' in ' '.join(
        graph.why_not('install_queued', []))
    # The shim is gone again once the charm is loaded.
    from reactops import legacy
    assert not legacy.is_installed()


def test_a_legacy_charm_missing_a_package_says_which(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm = write_files(tmp_path / 'oldapp', {**LEGACY, 'reactive/more.py': """\
        from charmhelpers.fetch import apt_install
        """})

    code, _, err = run(capsys, 'check', str(charm))

    assert code == 1
    assert 'importing reactive/more.py:1 raised ModuleNotFoundError' in err
    assert 'Pack charmhelpers with the charm' in err
    assert 'current_charm()' not in err


def test_endpoint_handlers_get_the_ids_a_dispatch_gives_them() -> None:
    loaded = load_charm(REPO / 'tests' / 'charms' / 'endpoints')

    ids = {h.id for h in loaded.registry}
    assert 'hooks/relations/pgsqlx/requires.py:7:PgClient.joined:db' in ids
    assert 'hooks/relations/pgsqlx/requires.py:7:PgClient.joined:replica' in ids
    assert 'reactive/charm.py:6:use_db' in ids


def test_check_runs_as_a_console_command() -> None:
    done = subprocess.run([sys.executable, '-m', 'reactops.cli', 'check', str(WEBAPP),
                           '--format', 'json'], capture_output=True, text=True, timeout=60,
                          env={**os.environ, 'PYTHONPATH': str(REPO)})

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)['errors'] == 0


# -- explain --------------------------------------------------------------------------------


def test_explain_with_a_hypothetical_flag_set(charm: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, 'explain', str(charm), 'ready',
                       '--flags', 'web.port-open,web.bad-port')

    assert code == 0
    assert "  yes @when('web.port-open'): 'web.port-open' set" in out
    assert "  no  @when_not('web.bad-port'): 'web.bad-port' set" in out
    assert 'verdict: it would not run' in out
    assert 'it is cleared by handler reactive/web.py:10:open_port' in out


def test_explain_names_who_sets_a_missing_flag(charm: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, 'explain', str(charm), 'blocked', '--format', 'json')

    explained = json.loads(out)
    assert explained['verdict'] == 'it would not run'
    assert explained['predicates'] == [{'predicate': "@when('web.bad-port')", 'holds': False,
                                        'detail': "'web.bad-port' not set"}]
    assert explained['reasons'] == [
        "needs flag 'web.bad-port' (@when('web.bad-port')), which is not set; it is set by "
        'handler reactive/web.py:10:open_port']


def test_explain_a_hook_handler_needs_the_hook(charm: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, unknown, _ = run(capsys, 'explain', str(charm), 'upgraded')
    _, other, _ = run(capsys, 'explain', str(charm), 'upgraded', '--hook', 'install')
    _, same, _ = run(capsys, 'explain', str(charm), 'upgraded', '--hook', 'upgrade-charm')

    assert 'verdict: it may run' in unknown and '(give --hook)' in unknown
    assert 'verdict: it would not run' in other
    assert "phase: @hook('upgrade-charm') and the hook was install" in other
    assert 'verdict: it would run' in same


def test_explain_names_the_candidates_of_an_unknown_handler(
        charm: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, 'explain', str(charm), 'no_such_handler')

    assert code == 1
    assert "no handler matches 'no_such_handler'" in err
    assert 'reactive/web.py:31:ready' in err


@pytest.fixture(scope='module')
def model(charm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local model in which web/0 ran install, then config-changed to a bad port."""
    root = tmp_path_factory.mktemp('model')
    unit = CharmUnit(root / 'units' / 'web-0', charm, 'web/0',
                     config={'port': 8080, 'motd': SECRET_URI})
    unit.ok('hooks/install')
    unit.juju.set_state({**unit.juju.state(), 'config': {'port': 0, 'motd': SECRET_URI}})
    unit.ok('hooks/config-changed')
    return root


def test_explain_a_unit_from_its_last_dispatch(model: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, ran, _ = run(capsys, 'explain', 'web/0', 'open_port', '--model-dir', str(model))
    _, hidden, _ = run(capsys, 'explain', 'web/0', 'hide_motd', '--model-dir', str(model))

    assert code == 0
    assert 'hook: config-changed' in ran
    assert 'verdict: it ran in the last dispatch' in ran
    assert '  - it ran in iteration 0 (hook config-changed)' in ran
    assert 'verdict: it did not run in the last dispatch' in hidden
    # config.set.motd is not stored, but the trace shows the dispatch set it.
    assert "  no  @when_not('config.set.motd'): 'config.set.motd' set" in hidden
    assert ("needs flag 'config.set.motd' not set (@when_not('config.set.motd')), but it is "
            "set; reactops sets it while the option's value is truthy (in the last "
            'dispatch: set automatically)') in hidden


def test_explain_says_what_changed_a_flag_in_the_last_dispatch(
        model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, 'explain', 'web/0', 'ready', '--model-dir', str(model))

    # ready ran before open_port found the port bad; its predicates are false by now.
    assert 'verdict: it ran in the last dispatch' in out
    assert "  no  @when_not('web.bad-port'): 'web.bad-port' set" in out
    assert 'which may differ from when the handler was tested' in out


def test_explain_finds_the_model_through_the_environment(
        model: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv('REACTOPS_MODEL_DIR', str(model))

    code, out, _ = run(capsys, 'explain', 'web/0', 'blocked', '--format', 'json')

    explained = json.loads(out)
    assert code == 0
    assert explained['verdict'] == 'it ran in the last dispatch'
    assert explained['flags'] == ['config.changed', 'config.changed.port', 'config.set.motd',
                                  'web.bad-port', 'web.installed', 'web.motd', 'web.port-open']


def test_explain_never_shows_flag_or_secret_values(model: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # show_motd stored the motd option's value (a secret URI here) as its flag's value.
    outputs = [run(capsys, 'explain', 'web/0', name, '--model-dir', str(model),
                   '--format', fmt)[1]
               for name in ('show_motd', 'hide_motd') for fmt in ('text', 'json')]

    assert 'web.motd' in outputs[0]
    for out in outputs:
        assert SECRET_URI not in out and SECRET_URI[7:] not in out


def test_explain_an_unknown_unit_says_where_it_looked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, 'explain', 'web/3', 'ready', '--model-dir', str(tmp_path))

    assert code == 1
    assert f'no directory {tmp_path}/units/web-3/charm' in err
    assert 'reactops run' in err
