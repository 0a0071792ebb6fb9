"""The pytest plugin, as a charm author meets it: a test file inside a charm directory
uses the fixtures, and a failing ``assert out == expected`` shows a field-by-field diff."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml  # noqa: F401 - see below

# pytester drops the modules its inner runs import first; later tests in this process
# would then see two copies of a module (and, e.g., handler specs of a class they do not
# know). Importing them here, before any inner run, keeps one copy.
import reactops.reactive._dispatch  # noqa: F401
import reactops.reactive.automatic  # noqa: F401
import reactops.reactive.dispatcher  # noqa: F401
import reactops.reactive.endpoint  # noqa: F401
import reactops.testing._context  # noqa: F401
import reactops.testing._harness  # noqa: F401
from reactops.testing import Model, Relation, State
from reactops.testing.plugin import find_charm_dir, pytest_assertrepr_compare

pytest_plugins = ['pytester']
# pytester runs the inner tests in this process and then drops the modules they imported;
# PyYAML does not survive being imported a second time (its C loader keeps the first
# module's constructors), so it is imported here, before any inner run, and kept.

# The plugin loads through its entry point once reactops is installed; without the
# install, name it on the command line so these tests still exercise it.
_INSTALLED = any(e.value == 'reactops.testing.plugin' for e in entry_points(group='pytest11'))
PLUGIN_ARGS = () if _INSTALLED else ('-p', 'reactops.testing.plugin')

OPS_CHARM = """
import reactops


class DemoCharm(reactops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)

    def _on_install(self, event):
        self.unit.status = reactops.ActiveStatus(f'port {self.config["port"]}')
"""

REACTIVE_HANDLERS = """
from reactops import set_flag, when_not


@when_not('demo.installed')
def install():
    set_flag('demo.installed')
"""


def make_charm(root: Path, *, ops: bool = True, unified: bool = False) -> Path:
    """A small charm: metadata and config, and an ops class or reactive handlers."""
    root.mkdir(parents=True, exist_ok=True)
    if unified:
        (root / 'charmcraft.yaml').write_text(textwrap.dedent("""
            name: demo
            type: charm
            peers: {cluster: {interface: demo-peers}}
            config: {options: {port: {type: int, default: 80}}}
        """))
    else:
        (root / 'metadata.yaml').write_text(
            'name: demo\npeers: {cluster: {interface: demo-peers}}\n')
        (root / 'config.yaml').write_text('options: {port: {type: int, default: 80}}\n')
    if ops:
        (root / 'src').mkdir(exist_ok=True)
        (root / 'src' / 'charm.py').write_text(OPS_CHARM)
    else:
        (root / 'reactive').mkdir(exist_ok=True)
        (root / 'reactive' / 'demo.py').write_text(REACTIVE_HANDLERS)
    (root / 'tests' / 'unit').mkdir(parents=True, exist_ok=True)
    return root


def run_tests(pytester: pytest.Pytester, test_file: Path, source: str,
              *args: str) -> pytest.RunResult:
    test_file.write_text(textwrap.dedent(source))
    return pytester.runpytest(*PLUGIN_ARGS, '-p', 'no:cacheprovider', *args, str(test_file))


# -- fixtures ------------------------------------------------------------------------------


def test_fixtures_of_an_ops_charm(pytester: pytest.Pytester) -> None:
    charm = make_charm(pytester.path / 'demo')
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', f"""
        from pathlib import Path

        from reactops.model import ActiveStatus
        from reactops.testing import Context, State

        def test_charm_dir(charm_dir):
            assert charm_dir == Path({str(charm)!r})

        def test_charm_type(charm_type):
            assert charm_type.__name__ == 'DemoCharm'

        def test_ctx_runs_the_charm_class(ctx, charm_type):
            assert isinstance(ctx, Context) and ctx.charm_type is charm_type
            out = ctx.run(ctx.on.install(), State(config={{'port': 8080}}))
            assert out.unit_status == ActiveStatus('port 8080')
    """)
    result.assert_outcomes(passed=3)


def test_the_test_can_import_the_same_charm_class(pytester: pytest.Pytester) -> None:
    charm = make_charm(pytester.path / 'demo')
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', f"""
        import sys
        sys.path.insert(0, {str(charm / 'src')!r})
        from charm import DemoCharm

        def test_same_class(charm_type):
            assert charm_type is DemoCharm
    """)
    result.assert_outcomes(passed=1)


def test_fixtures_of_a_reactive_charm_with_charmcraft_yaml(pytester: pytest.Pytester) -> None:
    charm = make_charm(pytester.path / 'demo', ops=False, unified=True)
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', """
        from reactops.testing import State

        def test_ctx_runs_the_handlers(ctx, charm_type):
            assert charm_type is None
            out = ctx.run(ctx.on.install(), State())
            assert out.flags == {'demo.installed': None}

        def test_harness_needs_a_class(harness):
            pass
    """, '-rs')
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(['*defines no CharmBase subclass*use the ctx fixture*'])


def test_tests_outside_a_charm_are_skipped(pytester: pytest.Pytester) -> None:
    result = run_tests(pytester, pytester.path / 'test_loose.py', """
        def test_it(ctx):
            pass
    """, '-rs')
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(['*no charmcraft.yaml or metadata.yaml*override the '
                                 'charm_dir fixture*'])


def test_a_test_module_can_override_ctx(pytester: pytest.Pytester) -> None:
    charm = make_charm(pytester.path / 'demo')
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', """
        import pytest
        from reactops.testing import Context

        @pytest.fixture
        def ctx(charm_type, charm_dir):
            return Context(charm_type, charm_root=charm_dir, app_name='web', unit_id=3)

        def test_it(ctx):
            assert (ctx.app_name, ctx.unit_id) == ('web', 3)
    """)
    result.assert_outcomes(passed=1)


def test_several_charm_classes_fail_with_advice(pytester: pytest.Pytester) -> None:
    charm = make_charm(pytester.path / 'demo')
    (charm / 'src' / 'charm.py').write_text(OPS_CHARM + '\n\nclass OtherCharm(reactops.CharmBase):'
                                            '\n    pass\n')
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', """
        def test_it(ctx):
            pass
    """)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(['*several charm classes (DemoCharm, OtherCharm)*'])


def test_find_charm_dir(tmp_path: Path) -> None:
    charm = make_charm(tmp_path / 'demo')
    assert find_charm_dir(charm / 'tests' / 'unit') == charm.resolve()
    assert find_charm_dir(charm) == charm.resolve()


# -- diffs ---------------------------------------------------------------------------------


def test_state_diff_in_a_failing_assert(pytester: pytest.Pytester) -> None:
    charm = make_charm(pytester.path / 'demo')
    source = """
        from reactops.model import ActiveStatus
        from reactops.testing import PeerRelation, State

        def test_it(ctx):
            peers = PeerRelation('cluster', id=5, local_unit_data={'a': '1', 'b': '2'})
            out = ctx.run(ctx.on.install(), State(relations=[peers], leader=True,
                                                  flags={'kept': 1, 'changed': 1, 'gone': 1}))
            expected = State(
                relations=[peers.replace(local_unit_data={'a': '1', 'b': '3', 'c': '4'})],
                leader=True, unit_status=ActiveStatus('port 81'), model=out.model,
                flags={'kept': 1, 'changed': 2, 'new': None})
            assert out == expected
    """
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', source, '-vv')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        '*State objects differ in relations, unit_status, flags (+ only on the left, '
        '- only on the right, ~ different):',
        '*relations:',
        "*~ PeerRelation(id=5, endpoint='cluster'):",
        '*local_unit_data:',
        "*- 'c' = '4'",
        "*~ 'b': '2' != '3'",
        "*unit_status: ActiveStatus('port 80') != ActiveStatus('port 81')",
        '*flags:',
        "*+ 'gone' = 1",
        "*- 'new' = None",
        "*~ 'changed': 1 != 2",
    ])
    explanation = '\n'.join(line for line in result.outlines if line.startswith('E '))
    assert "'kept'" not in explanation and "'a'" not in explanation  # equal parts are quiet
    assert 'config=' not in explanation  # not the dataclass repr
    # Without -vv pytest cuts the explanation short; the first line still names the fields.
    result = run_tests(pytester, charm / 'tests' / 'unit' / 'test_demo.py', source)
    result.stdout.fnmatch_lines(['*State objects differ in relations, unit_status, flags*'])


def test_assertrepr_compare_covers_state_objects_only() -> None:
    a, b = Relation('db', id=1), Relation('db', id=1, remote_app_data={'x': 'y'})
    lines = pytest_assertrepr_compare(None, '==', a, b)  # type: ignore[arg-type]
    assert lines == ['Relation objects differ in remote_app_data (+ only on the left, '
                     '- only on the right, ~ different):', '  remote_app_data:',
                     "    - 'x' = 'y'"]
    assert pytest_assertrepr_compare(None, '!=', a, b) is None  # type: ignore[arg-type]
    assert pytest_assertrepr_compare(None, '==', a, State()) is None  # type: ignore[arg-type]
    assert pytest_assertrepr_compare(None, '==', {1: 2}, {1: 3}) is None  # type: ignore[arg-type]


def test_collections_are_matched_by_identity() -> None:
    model = Model('m')  # a State without one gets a model of a random name
    left = State(relations=[Relation('db', id=1), Relation('db', id=2)], model=model)
    right = State(relations=[Relation('db', id=2), Relation('db', id=3)], model=model)
    lines = pytest_assertrepr_compare(None, '==', left, right)  # type: ignore[arg-type]
    assert lines is not None
    assert lines[1:] == ['  relations:', "    + Relation(id=1, endpoint='db')",
                         "    - Relation(id=3, endpoint='db')"]


# -- loading -------------------------------------------------------------------------------


def test_the_plugin_is_registered_by_its_entry_point(pytester: pytest.Pytester) -> None:
    if not _INSTALLED:
        pytest.skip('reactops is not installed here (pip install -e .), so the entry point '
                    'cannot load the plugin')
    result = pytester.runpytest('--fixtures', '-p', 'no:cacheprovider')
    result.stdout.fnmatch_lines(['*fixtures defined from reactops.testing.plugin*'])


def test_the_plugin_module_imports_only_the_standard_library_pytest_and_the_ops_alias(
        ) -> None:
    import ast

    import reactops.testing.plugin as plugin

    tree = ast.parse(Path(plugin.__file__).read_text())
    top = {alias.name for node in tree.body if isinstance(node, ast.Import)
           for alias in node.names}
    top |= {(node.module or '') for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.level == 0}
    assert {name.split('.')[0] for name in top if name != 'reactops._private'} <= {
        '__future__', 'dataclasses', 'importlib', 'inspect', 'sys', 'collections', 'pathlib',
        'typing', 'pytest'}
    assert 'opsalias' in Path(plugin.__file__).read_text()  # the one reactops import


def test_loading_the_plugin_does_not_import_the_model() -> None:
    # Every pytest run of anyone with reactops installed loads the plugin.
    heavy = ['reactops.model', 'reactops.testing._state', 'reactops.testing._context',
             'reactops.meta', 'yaml']
    code = ('import sys, reactops.testing.plugin; '
            f'sys.exit(int(any(name in sys.modules for name in {heavy!r})))')
    assert subprocess.run([sys.executable, '-c', code], check=False).returncode == 0
