"""Load the compat scenarios, run them under both frameworks and compare what they did.

A scenario is a directory under ``scenarios/``: a small charm (``reactive/*.py``, maybe
``metadata.yaml``) and ``scenario.json``::

    {
      "description": "...",
      "dispatches": [{"hook": "install", "flags": ["go"] or {"go": null},
                      "env": {"NAME": "value"}, "files": {"watched.txt": "content"}}],
      "expect": [{"ran": [...], "flags": [...]}],           # same for both frameworks
      "difference": {"documented": "where reactops says it differs",
                     "reactive": [{...}], "reactops": [{...}]}  # instead of "expect"
    }

Each dispatch runs in a fresh interpreter (``runner.py``) on the side's own copy of the
charm and its own state file, which persists across the scenario's dispatches. ``flags``
are put in the store before the dispatch (as an earlier hook would have left them) and
``files`` written into the charm directory, which is also the working directory.

An expectation checks only the keys it gives, except ``error`` (null unless given):
``ran`` (exact sequence), ``ran_counts`` (runs per handler), ``flags``, ``values`` (flags
with a non-null value), ``error`` (exception class name), ``error_handlers`` and
``error_flags`` (handler names, sorted, and flags a DispatchLoopError named), ``ran_total``
and ``flags_total`` (lengths, for long runs).

``"mode": "main"`` runs whole hooks instead: each framework's legacy entry point
(``charms.reactive.main()`` with layer-basic's config flags, ``reactops.legacy.main()``) on
the charm's ``hooks/``-less directory, with fake hook tools on PATH (``tests/fakejuju``)
answering from ``"model"`` (the fake model, e.g. ``config`` and ``relations``; a dispatch's
own ``"model"`` replaces top-level parts before it runs) for unit ``"unit"``. Its results
add ``relation_data`` (the unit's own bag on every relation, as the fake Juju holds it
after the hook), and ``flags``/``values`` are what the hook committed; ``error`` is
``HookFailed`` when the hook exits non-zero.

``"known_bug": "..."`` marks a scenario whose ``expect`` (charms.reactive's behaviour)
reactops does not meet yet, without documenting the difference: its test is an expected
failure until reactops is fixed (then it passes, and the strict xfail asks to drop the mark)
or the difference is documented (then it becomes a ``difference`` scenario).
"""

from __future__ import annotations

import collections
import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # tests/, where the fake hook tools live
from fakejuju import FakeJuju  # noqa: E402

SCENARIOS = HERE / 'scenarios'
RUNNER = HERE / 'runner.py'

#: Names the interpreter that has charms.reactive + charmhelpers (set by ``nox -s compat``).
REFERENCE_ENV = 'REACTOPS_COMPAT_PYTHON'
#: Tried when the variable is unset: a scratch venv used during development.
LOCAL_REFERENCE = '/tmp/ref/bin/python'

_PROBE = ('import charmhelpers.osplatform as p; p.get_platform = lambda: "ubuntu"; '
          'import charms.reactive.bus')
_RESULT_PREFIX = 'COMPAT-RESULT '
_TIMEOUT = 120


@functools.cache
def find_reference_python() -> tuple[str | None, str]:
    """The python that can import charms.reactive, or None and why there is none."""
    configured = os.environ.get(REFERENCE_ENV)
    candidates = [configured] if configured else [LOCAL_REFERENCE, sys.executable]
    why = ''
    for python in candidates:
        if not Path(python).exists():
            continue
        try:
            probe = subprocess.run([python, '-c', _PROBE], capture_output=True, text=True,
                                   timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            why = f' ({error})'
            continue
        if probe.returncode == 0:
            return python, ''
        why = f' ({probe.stderr.strip().splitlines()[-1:]})'
    where = f'${REFERENCE_ENV}={configured}' if configured else \
        f'{LOCAL_REFERENCE} or {sys.executable} (set ${REFERENCE_ENV})'
    return None, f'charms.reactive is not importable by {where}{why}; run `nox -s compat`'


@dataclass
class Dispatch:
    """One hook of a scenario."""

    hook: str
    flags: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    """A scenario directory and what it expects of each framework."""

    name: str
    path: Path
    description: str
    dispatches: list[Dispatch]
    reactive: list[dict[str, Any]]
    reactops: list[dict[str, Any]]
    documented_difference: str | None = None
    known_bug: str | None = None
    mode: str = 'dispatch'
    model: dict[str, Any] = field(default_factory=dict)
    unit: str = 'compat/0'

    @property
    def identical(self) -> bool:
        return self.documented_difference is None


def load_scenarios() -> list[Scenario]:
    """Every scenario under ``scenarios/``, sorted by name."""
    return [load_scenario(path) for path in sorted(SCENARIOS.iterdir())
            if (path / 'scenario.json').is_file()]


def load_scenario(path: Path) -> Scenario:
    data = json.loads((path / 'scenario.json').read_text())
    dispatches = []
    for raw in data['dispatches']:
        flags = raw.get('flags', {})
        if not isinstance(flags, Mapping):
            flags = dict.fromkeys(flags)
        dispatches.append(Dispatch(raw['hook'], dict(flags), raw.get('env', {}),
                                   raw.get('files', {}), raw.get('model', {})))
    if 'difference' in data:
        difference = data['difference']
        reactive, reactops = difference['reactive'], difference['reactops']
        documented = difference['documented']
    else:
        reactive = reactops = data['expect']
        documented = None
    for side, expected in (('reactive', reactive), ('reactops', reactops)):
        if len(expected) != len(dispatches):
            raise ValueError(f'{path.name}/scenario.json: {len(dispatches)} dispatches but '
                             f'{len(expected)} {side} expectations')
    return Scenario(path.name, path, data['description'], dispatches, reactive, reactops,
                    documented, data.get('known_bug'), data.get('mode', 'dispatch'),
                    data.get('model', {}), data.get('unit', 'compat/0'))


def _environment(charm: Path, dispatch: Dispatch) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('JUJU_') and name not in (
               'CHARM_DIR', 'UNIT_STATE_DB', 'PYTHONPATH', REFERENCE_ENV)}
    env.update(CHARM_DIR=str(charm), JUJU_HOOK_NAME=dispatch.hook,
               PYTHONDONTWRITEBYTECODE='1')
    env.update(dispatch.env)
    return env


def run_side(scenario: Scenario, side: str, python: str, workdir: Path) -> list[dict[str, Any]]:
    """Run every dispatch of *scenario* under one framework; one result per dispatch."""
    charm = workdir / side / 'charm'
    juju = None
    if scenario.mode == 'main':
        # Whole hooks need Juju: fake hook tools on PATH, one model per side.
        juju = FakeJuju(workdir / side, unit=scenario.unit, state=scenario.model)
    shutil.copytree(scenario.path, charm, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns('scenario.json', '__pycache__'))
    state = workdir / side / 'state.db'
    results = []
    for dispatch in scenario.dispatches:
        for name, content in dispatch.files.items():
            (charm / name).write_text(content)
        request = {'charm_dir': str(charm), 'state': str(state), 'hook': dispatch.hook,
                   'flags': dispatch.flags, 'mode': scenario.mode, 'repo': str(REPO)}
        env = _environment(charm, dispatch)
        if juju is not None:
            if dispatch.model:
                juju.update(**dispatch.model)
            juju.clear_calls()
            env.update(juju.env(JUJU_DISPATCH_PATH=f'hooks/{dispatch.hook}',
                                JUJU_HOOK_NAME=dispatch.hook, **dispatch.env))
        proc = subprocess.run([python, str(RUNNER), side, json.dumps(request)], cwd=charm,
                              env=env, capture_output=True, text=True, timeout=_TIMEOUT)
        lines = [line for line in proc.stdout.splitlines()
                 if line.startswith(_RESULT_PREFIX)]
        if proc.returncode != 0 or not lines:
            raise AssertionError(
                f'{scenario.name}: the {side} runner failed in hook {dispatch.hook} (exit '
                f'{proc.returncode})\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}')
        result = _normalise(json.loads(lines[-1][len(_RESULT_PREFIX):]))
        if juju is not None:
            result['relation_data'] = _published(juju, scenario.unit)
        results.append(result)
    return results


def _published(juju: FakeJuju, unit: str) -> dict[str, dict[str, str]]:
    """What this unit has published on each relation (its own bag), as Juju holds it."""
    relations = juju.state()['relations']
    return {key: relation['data'].get(unit, {}) for key, relation in sorted(relations.items())}


def run_both(scenario: Scenario, reference: str, workdir: Path
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The results of charms.reactive (under *reference*) and of reactops, side by side."""
    with ThreadPoolExecutor(2) as pool:
        reactive = pool.submit(run_side, scenario, 'reactive', reference, workdir)
        reactops = pool.submit(run_side, scenario, 'reactops', sys.executable, workdir)
        return reactive.result(), reactops.result()


def _normalise(result: dict[str, Any]) -> dict[str, Any]:
    """What both frameworks must agree on: handler ids reduced to function names."""
    error = result.get('error')
    out = {'ran': result['ran'], 'flags': result['flags'], 'values': result['values'],
           'error': error['type'] if error else None}
    if error and 'handlers' in error:
        out['error_handlers'] = sorted(h.rsplit(':', 1)[-1] for h in error['handlers'])
    if error and 'flags' in error:
        out['error_flags'] = error['flags']
    return out


def mismatches(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """How *actual* differs from the keys *expected* gives (empty when it matches)."""
    problems = []
    wanted = dict(expected)
    wanted.setdefault('error', None)
    for key, value in wanted.items():
        if key == 'ran_counts':
            got: Any = dict(collections.Counter(actual['ran']))
        elif key in ('ran_total', 'flags_total'):
            got = len(actual[key.split('_')[0]])
        else:
            got = actual.get(key)
        if got != value:
            problems.append(f'{key}: expected {value!r}, got {got!r}')
    return problems
