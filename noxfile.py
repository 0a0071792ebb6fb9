"""Development sessions: `nox` runs tests, lint, typecheck and docs; `nox -s bench` compares.

Every session installs from the package index only (no other network), and reuses its
virtualenv under `.nox/` when it exists, so a second run needs no index at all for the
dependencies it already has.
"""

from pathlib import Path

import nox

nox.options.sessions = ['tests', 'lint', 'typecheck', 'docs']  # `tests` includes reliability
nox.options.reuse_venv = 'yes'
# Use the interpreter that runs nox; never fetch a standalone Python from the internet.
nox.options.download_python = 'never'

HERE = Path(__file__).resolve().parent
LINT_PATHS = ['reactops', '_reactops_ops.py', 'tests', 'bench', 'noxfile.py', 'setup.py']


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite; extra arguments go to pytest (`nox -s tests -- -k storage`)."""
    # The example interface package is installed as a charm would have it (entry points).
    session.install('-e', '.[test]')
    session.install('./examples/interface-redis')
    session.run('pytest', *session.posargs)


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
    # autodoc imports the pytest plugin, hence .[test]; furo is the theme (docs/conf.py).
    session.install('-e', '.[test]', 'sphinx', 'myst-parser', 'furo')
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
    for script in scripts:
        session.run('python', str(script.relative_to(HERE)))


@nox.session
def reliability(session: nox.Session) -> None:
    """Fault injection, kills, bad input and security sweeps; prints what was injected.

    The same tests run in `tests` (and in CI); this session runs only them.
    """
    session.install('-e', '.[test]')
    tests = HERE / 'tests'
    paths = ['tests/reliability', *sorted(str(p.relative_to(HERE)) for pattern in (
        'test_bad_input_*.py', 'test_security_*.py') for p in tests.glob(pattern))]
    session.run('pytest', '-p', 'no:cacheprovider', *paths, *session.posargs)


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
