"""Development sessions; `nox` alone is the check before a commit, as CI runs it.

`nox` runs the tests on the Python that runs nox, then lint, typecheck and docs.
`nox -s tests` runs the tests on every Python from 3.10 to 3.13 found on the machine (a
missing one is skipped, or an error where CI is set); `nox -s tests-3.12` on one. They
leave the slow tests out, as pytest does here, unless REACTOPS_ALL_TESTS=1 or CI is set.
`nox -s lowest` runs them with the lowest dependency versions setup.py allows, `nox -s sdist`
from the unpacked sdist, `nox -s bench` compares with ops and charms.reactive.

Every session installs from the package index only (no other network), and reuses its
virtualenv under `.nox/` when it exists, so a second run needs no index at all for the
dependencies it already has.
"""

import ast
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nox

#: The Pythons reactops supports (setup.py's python_requires and classifiers).
PYTHONS = ['3.10', '3.11', '3.12', '3.13']
_RUNNING = f'{sys.version_info[0]}.{sys.version_info[1]}'

# `tests` includes reliability; on the Python running nox when it is a supported one.
nox.options.sessions = [f'tests-{_RUNNING}' if _RUNNING in PYTHONS else 'tests',
                        'lint', 'typecheck', 'docs']
nox.options.reuse_venv = 'yes'
# Use the Pythons on the machine; never fetch a standalone Python from the internet.
nox.options.download_python = 'never'


def _select_every_pyenv_python() -> None:
    """Let pyenv's shims (python3.10, ...) answer for every Python pyenv has installed.

    The shims run only the versions pyenv selects (`pyenv global`, usually one), and fail
    for the others, so nox would skip Pythons that are on the machine. Selecting them all,
    the selected ones first, changes nothing else: `python3` stays what it was.
    """
    if 'PYENV_VERSION' in os.environ or shutil.which('pyenv') is None:
        return

    def pyenv(*args: str) -> list[str]:
        done = subprocess.run(['pyenv', *args], capture_output=True, text=True, check=False)
        return done.stdout.replace(':', '\n').split() if done.returncode == 0 else []

    selected = pyenv('version-name')
    installed = [name for name in pyenv('versions', '--bare', '--skip-aliases')
                 if '/' not in name]  # not pyenv-virtualenv's environments
    if selected and installed:
        os.environ['PYENV_VERSION'] = ':'.join(dict.fromkeys([*selected, *installed]))


_select_every_pyenv_python()

HERE = Path(__file__).resolve().parent
LINT_PATHS = ['reactops', '_reactops_ops.py', 'tests', 'bench', 'noxfile.py', 'setup.py']


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite; extra arguments go to pytest (`nox -s tests -- -k storage`)."""
    # The example interface package is installed as a charm would have it (entry points).
    session.install('-e', '.[test]')
    session.install('./examples/interface-redis')
    session.run('pytest', *session.posargs)


def lowest_requirements() -> list[str]:
    """setup.py's INSTALL_REQUIRES with each lower bound made exact (`PyYAML>=5.1` gives
    `PyYAML==5.1`), markers kept; read from the source so the two never disagree."""
    tree = ast.parse((HERE / 'setup.py').read_text(encoding='utf-8'))
    found = [node.value for node in tree.body if isinstance(node, ast.Assign)
             and any(getattr(t, 'id', None) == 'INSTALL_REQUIRES' for t in node.targets)]
    if len(found) != 1:
        raise ValueError('setup.py must assign INSTALL_REQUIRES a literal list once')
    pins = []
    for requirement in ast.literal_eval(found[0]):
        spec, _, marker = requirement.partition(';')
        name, bound, rest = spec.partition('>=')
        if not bound or ',' in rest or not rest.strip():
            raise ValueError(f'{requirement!r} in setup.py: give one lower bound (name>=X)')
        pins.append(f'{name.strip()}=={rest.strip()}' + (f';{marker}' if marker else ''))
    return pins


@nox.session(python=['3.10', '3.13'])
def lowest(session: nox.Session) -> None:
    """Run the test suite with the lowest dependency versions setup.py allows.

    The whole suite, slow tests included, not a part: PyYAML reads every charm's metadata
    and the hook tools' answers, so almost every test goes through it. On the oldest and the
    newest Python, where an old release is likeliest to break.
    """
    pins = lowest_requirements()
    session.install('-e', '.[test]', *pins)
    session.install('./examples/interface-redis')
    session.run('python', '-c', 'import sys, importlib.metadata as m; print("lowest:", *('
                'f"{n}=={m.version(n)}" for n in sys.argv[1:]))',
                *dict.fromkeys(pin.split('==')[0] for pin in pins))
    session.run('pytest', *session.posargs, env={'REACTOPS_ALL_TESTS': '1'})


#: A quick part of the suite run from the unpacked sdist: the core, flags, a generated
#: charm and the examples' own tests (conftest, helper modules and test charms included).
SDIST_TESTS = ['tests/test_framework.py', 'tests/test_reactive_flags.py',
               'tests/test_cli_init.py', 'examples']


@nox.session
def sdist(session: nox.Session) -> None:
    """Build the sdist, install reactops from it, and run tests from its unpacked tree."""
    session.install('build')
    # Beside the virtualenv, not in session.create_tmp(): that makes the tests' temporary
    # directories so deep that a Unix socket's path there is too long.
    work = Path(session.virtualenv.location).resolve() / 'sdist'
    shutil.rmtree(work, ignore_errors=True)
    session.run('python', '-m', 'build', '--sdist', '--outdir', str(work), str(HERE))
    archive, = work.glob('reactops-*.tar.gz')
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, 'data_filter'):  # Python 3.12+ (and security releases)
            tar.extractall(work, filter='data')
        else:
            tar.extractall(work)  # the sdist just built, from this tree
    tree = work / archive.name.removesuffix('.tar.gz')
    session.install(f'reactops[test] @ {archive.as_uri()}')
    session.install(str(tree / 'examples' / 'interface-redis'))
    session.chdir(tree)
    # Their slow tests too: a generated charm's own tests run from the sdist's tree.
    session.run('pytest', '-p', 'no:cacheprovider', *(session.posargs or SDIST_TESTS),
                env={'REACTOPS_ALL_TESTS': '1'})


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common bugs with ruff (settings in pyproject.toml)."""
    session.install('ruff')
    session.run('ruff', 'check', *LINT_PATHS)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package and the sample charms; any error fails the session.

    The package: mypy strict, and pyright in standard mode with strict on the modules
    pyproject.toml lists. The sample charms in tests/typecheck: mypy and pyright, both strict,
    with each sample's own settings (tests/typecheck/gate.py, which
    tests/test_typecheck_gate.py proves fails on a type error).
    """
    # pyright comes from PyPI, not npm, so that this session installs everything with pip:
    # the PyPI package of a version runs that same version of pyright, fetching it from npm
    # (and Node, where there is none) on first use. The range is narrow because a new
    # pyright often reports new errors; widen it on purpose, after running it.
    session.install('-e', '.[test]', 'mypy', 'types-PyYAML',  # the pytest plugin needs pytest
                    'pyright>=1.1.414,<1.1.420')
    session.run('mypy')
    session.run('pyright')
    session.run('python', 'tests/typecheck/gate.py')


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML documentation (furo theme); any Sphinx warning fails the build."""
    # autodoc imports the pytest plugin, hence .[test]; .[docs] is sphinx, MyST and furo.
    session.install('-e', '.[test,docs]')
    session.run('sphinx-build', '-W', '--keep-going', '-b', 'html', 'docs', 'docs/_build/html')


@nox.session
def bench(session: nox.Session) -> None:
    """Run every bench/bench_*.py, side by side with ops and charms.reactive."""
    # charms.reactive 1.5.3 imports pkg_resources, which setuptools 81 dropped.
    # reactops as a charm ships it (not editable: an editable install's import hook alone
    # costs a hook about 10 ms), beside the references, which are regular installs too;
    # reinstalled every time, since a reused virtualenv would keep an older build.
    session.install('.', 'ops[testing]', 'charms.reactive', 'charmhelpers', 'setuptools<81')
    session.install('--force-reinstall', '--no-deps', '.')
    scripts = sorted((HERE / 'bench').glob('bench_*.py'))
    if not scripts:
        session.error('no bench/bench_*.py scripts found')
    # One runner for them all: a FAIL in one script no longer stops the session before
    # the others ran; it ends with every target's verdict and fails if any FAILed.
    session.run('python', 'bench/run_all.py', *(str(s.relative_to(HERE)) for s in scripts))


@nox.session
def reliability(session: nox.Session) -> None:
    """Fault injection, kills, bad input and security sweeps; prints what was injected.

    The same tests run in CI; the default `tests` run has only their quick samples. This
    session runs the whole sweeps (slow tests included).
    """
    session.install('-e', '.[test]')
    tests = HERE / 'tests'
    paths = ['tests/reliability', *sorted(str(p.relative_to(HERE)) for pattern in (
        'test_bad_input_*.py', 'test_security_*.py') for p in tests.glob(pattern))]
    session.run('pytest', '-p', 'no:cacheprovider', *paths, *session.posargs,
                env={'REACTOPS_ALL_TESTS': '1'})


@nox.session
def compat(session: nox.Session) -> None:
    """Run tests/compat: the same charms under charms.reactive or ops, and under reactops."""
    # charms.reactive 1.5.3 imports pkg_resources, which setuptools 81 dropped.
    session.install('-e', '.[test]', 'charms.reactive', 'charmhelpers', 'setuptools<81')
    reference = str(Path(session.bin) / 'python')
    # The real ops gets a virtualenv of its own: where reactops runs, the name `ops` must be
    # reactops' (a real ops that is importable wins), as in a charm that lists reactops.
    ops_venv = Path(session.virtualenv.location).parent / 'compat-ops'
    ops_python = str(ops_venv / 'bin' / 'python')
    if not Path(ops_python).exists():
        session.run('python', '-m', 'venv', str(ops_venv))
    # pytest and websocket-client: test_compat_pebble runs the Pebble client's wire tests
    # (tests/test_pebble_client.py) there against ops.pebble, exec included.
    session.run(ops_python, '-m', 'pip', 'install', '-q', 'ops==3.9.*', 'pytest',
                'websocket-client', external=True)
    session.run('pytest', '-m', 'compat', 'tests/compat', *session.posargs,
                env={'REACTOPS_COMPAT_PYTHON': reference,
                     'REACTOPS_COMPAT_OPS_PYTHON': ops_python})


@nox.session
def conformance(session: nox.Session) -> None:
    """Run ops' own test suite (../shared/conformance/ops) against reactops; print the table.

    `nox -s conformance -- --markdown docs/_conformance.md` also writes the table; other
    arguments after `--` go to pytest. The main suite and CI never need ../shared.
    """
    # websocket-client: ops' Pebble client tests exercise exec over websockets; they also
    # import the OpenTelemetry SDK (one test checks the client's spans).
    session.install('-e', '.[test]', 'websocket-client', 'opentelemetry-sdk')
    session.run('python', 'tests/conformance/run.py', *session.posargs)
