"""Load the compat scenarios, run them under both frameworks and compare what they did.

A scenario is a directory under ``scenarios/``: a small charm (``reactive/*.py``, maybe
``metadata.yaml``) and ``scenario.json``::

    {
      "description": "...",
      "dispatches": [{"hook": "install", "flags": ["go"] or {"go": null},
                      "env": {"NAME": "value"}, "files": {"watched.txt": "content"}}],
      "expect": [{"ran": [...], "flags": [...]}],           # same for both frameworks
      "difference": {"id": "loop", "documented": "where reactops says it differs",
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
and ``flags_total`` (lengths, for long runs), ``kv`` (the charm's own keys in the state
file once the step's process has ended: see :func:`state_file.is_charm_key`).

``"mode": "main"`` runs whole hooks instead: each framework's legacy entry point
(``charms.reactive.main()`` with layer-basic's config flags, ``reactops.legacy.main()``) on
the charm's ``hooks/``-less directory, with fake hook tools on PATH (``tests/fakejuju``)
answering from ``"model"`` (the fake model, e.g. ``config`` and ``relations``; a dispatch's
own ``"model"`` replaces top-level parts before it runs) for unit ``"unit"``. Its results
add ``relation_data`` (the unit's own bag on every relation, as the fake Juju holds it
after the hook), and ``flags``/``values`` are what the hook committed; ``error`` is
``HookFailed`` when the hook exits non-zero.

In ``"main"`` mode a dispatch may also be ``{"action": "<name>", "params": {...}}``: the
charm's executable ``actions/<name>`` script runs as Juju runs an action (no hook, the
params in the fake model, ``JUJU_ACTION_*``; under reactops through ``dispatch``, i.e.
``reactops.legacy.main()``, unless ``"via": "direct"``: see :mod:`runner_main`), its
result adding ``action`` (what ``action-set``/``action-fail`` left: ``results``,
``failed``, ``message``); or
``{"script": "<path>"}``: a script in the charm run as ``juju exec`` runs one (hook tools
and the unit's environment, no hook, no action). The harness runs the file itself with no
dispatch around it: legacy code outside a dispatch (unless it calls ``main()``), whose
committed flags and kv the next hook sees. Every
``"main"`` result also gives ``relation_writes`` (what the ``relation-set`` calls
changed, merged per relation bag in call order: ``{"db:1": {...}, "db:1 app": {...}}``,
an empty value a deletion; values re-sent unchanged left out), recorded by
:mod:`relation_set_recorder`.

A difference's ``id`` is the row of the table of behaviour differences in
``docs/porting.md`` (the id ``reactops port-check`` prints) that documents it. With
``"keys": ["flags", ...]`` the difference is confined to those result keys: the two
frameworks' results must still agree on every other key, as in an ``expect`` scenario.

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
import re
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
import state_file  # noqa: E402
from fakejuju import FakeJuju  # noqa: E402

SCENARIOS = HERE / 'scenarios'
RUNNER = HERE / 'runner.py'
FAKEJUJU_DIR = HERE.parent / 'fakejuju'
#: The variable naming the file :mod:`relation_set_recorder` appends the writes to.
WRITES_ENV = 'COMPAT_RELATION_WRITES'
ACTION_UUID = '4a1c5d2e-0000-4000-8000-00000000c0de'

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
    """One step of a scenario: a hook, or (``"main"`` mode) an action or a plain script."""

    hook: str
    flags: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    kind: str = 'hook'
    params: dict[str, Any] = field(default_factory=dict)
    via: str = 'dispatch'

    @property
    def label(self) -> str:
        """How a report names the step: the hook, ``action <name>`` or ``script <path>``."""
        return self.hook if self.kind == 'hook' else f'{self.kind} {self.hook}'


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
    difference_id: str | None = None
    known_bug: str | None = None
    mode: str = 'dispatch'
    model: dict[str, Any] = field(default_factory=dict)
    unit: str = 'compat/0'
    difference_keys: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        return self.documented_difference is None

    def compared(self, result: dict[str, Any]) -> dict[str, Any]:
        """The part of a result both frameworks must agree on: all of it, none of it for a
        difference, everything but the difference's ``keys`` when it names them."""
        if self.identical:
            return result
        if not self.difference_keys:
            return {}
        return {key: value for key, value in result.items()
                if key not in self.difference_keys}


def load_scenarios() -> list[Scenario]:
    """Every scenario under ``scenarios/``, sorted by name."""
    return [load_scenario(path) for path in sorted(SCENARIOS.iterdir())
            if (path / 'scenario.json').is_file()]


def load_scenario(path: Path) -> Scenario:
    data = json.loads((path / 'scenario.json').read_text())
    mode = data.get('mode', 'dispatch')
    dispatches = []
    for raw in data['dispatches']:
        flags = raw.get('flags', {})
        if not isinstance(flags, Mapping):
            flags = dict.fromkeys(flags)
        kinds = [kind for kind in ('hook', 'action', 'script') if kind in raw]
        if len(kinds) != 1 or (kinds[0] != 'hook' and mode != 'main'):
            raise ValueError(f'{path.name}/scenario.json: each dispatch names one "hook", '
                             f'"action" or "script" (the last two in "main" mode): {raw}')
        dispatches.append(Dispatch(raw[kinds[0]], dict(flags), raw.get('env', {}),
                                   raw.get('files', {}), raw.get('model', {}), kinds[0],
                                   raw.get('params', {}), raw.get('via', 'dispatch')))
    if 'difference' in data:
        difference = data['difference']
        reactive, reactops = difference['reactive'], difference['reactops']
        documented, difference_id = difference['documented'], difference.get('id')
        keys = tuple(difference.get('keys', ()))
    else:
        reactive = reactops = data['expect']
        documented = difference_id = None
        keys = ()
    for side, expected in (('reactive', reactive), ('reactops', reactops)):
        if len(expected) != len(dispatches):
            raise ValueError(f'{path.name}/scenario.json: {len(dispatches)} dispatches but '
                             f'{len(expected)} {side} expectations')
    return Scenario(path.name, path, data['description'], dispatches, reactive, reactops,
                    documented, difference_id, data.get('known_bug'), mode,
                    data.get('model', {}), data.get('unit', 'compat/0'), keys)


def _environment(charm: Path, dispatch: Dispatch) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('JUJU_') and name not in (
               'CHARM_DIR', 'UNIT_STATE_DB', 'PYTHONPATH', REFERENCE_ENV)}
    env.update(CHARM_DIR=str(charm), PYTHONDONTWRITEBYTECODE='1')
    if dispatch.kind == 'hook':
        env.update(JUJU_HOOK_NAME=dispatch.hook)
    env.update(dispatch.env)
    return env


def _juju_environment(juju: FakeJuju, dispatch: Dispatch, writes: Path) -> dict[str, str]:
    """The fake tools (``relation-set`` recorded) and what Juju sets for this step.

    As Juju's ``HookVars``, ``JUJU_HOOK_NAME`` is empty for an action and for
    ``juju exec``; ``JUJU_DISPATCH_PATH`` is ``actions/<name>`` for an action, empty for
    ``juju exec``.
    """
    if dispatch.kind == 'hook':
        juju_vars = {'JUJU_DISPATCH_PATH': f'hooks/{dispatch.hook}',
                     'JUJU_HOOK_NAME': dispatch.hook}
    elif dispatch.kind == 'action':
        juju_vars = {'JUJU_DISPATCH_PATH': f'actions/{dispatch.hook}',
                     'JUJU_ACTION_NAME': dispatch.hook, 'JUJU_ACTION_UUID': ACTION_UUID}
    else:
        juju_vars = {}
    env = juju.env(**{**juju_vars, **dispatch.env})
    recorder_bin = writes.parent / 'compat-bin'
    env.update(PATH=f'{recorder_bin}{os.pathsep}{env["PATH"]}', **{WRITES_ENV: str(writes)})
    return env


def _install_recorder(juju: FakeJuju) -> Path:
    """``relation-set`` in front of the fake tools: the fake itself, recording what each
    call wrote (:mod:`relation_set_recorder`); returns the file it records into."""
    directory = juju.root / 'compat-bin'
    directory.mkdir(exist_ok=True)
    launcher = directory / 'relation-set'
    launcher.write_text(
        f'#!{sys.executable} -S\n'
        f'import sys\n'
        f'sys.path[:0] = [{str(HERE)!r}, {str(FAKEJUJU_DIR)!r}, {str(juju.bin_dir)!r}]\n'
        f'from relation_set_recorder import main\n'
        f'sys.exit(main(sys.argv))\n')
    launcher.chmod(0o755)
    return juju.root / 'relation-writes.jsonl'


def run_side(scenario: Scenario, side: str, python: str, workdir: Path) -> list[dict[str, Any]]:
    """Run every dispatch of *scenario* under one framework; one result per dispatch."""
    charm = workdir / side / 'charm'
    juju = writes = None
    if scenario.mode == 'main':
        # Whole hooks need Juju: fake hook tools on PATH, one model per side.
        juju = FakeJuju(workdir / side, unit=scenario.unit, state=scenario.model)
        writes = _install_recorder(juju)
    shutil.copytree(scenario.path, charm, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns('scenario.json', '__pycache__'))
    state = workdir / side / 'state.db'
    results = []
    for dispatch in scenario.dispatches:
        for name, content in dispatch.files.items():
            (charm / name).write_text(content)
        request = {'charm_dir': str(charm), 'state': str(state), 'hook': dispatch.hook,
                   'kind': dispatch.kind, 'via': dispatch.via, 'flags': dispatch.flags,
                   'mode': scenario.mode, 'repo': str(REPO)}
        env = _environment(charm, dispatch)
        if juju is not None and writes is not None:
            action = None if dispatch.kind != 'action' else {
                'params': dispatch.params, 'results': {}, 'logs': [], 'failed': False,
                'message': ''}
            juju.update(**{**dispatch.model, 'action': action})
            juju.clear_calls()
            writes.write_text('')
            env.update(_juju_environment(juju, dispatch, writes))
        proc = subprocess.run([python, str(RUNNER), side, json.dumps(request)], cwd=charm,
                              env=env, capture_output=True, text=True, timeout=_TIMEOUT)
        lines = [line for line in proc.stdout.splitlines()
                 if line.startswith(_RESULT_PREFIX)]
        if proc.returncode != 0 or not lines:
            raise AssertionError(
                f'{scenario.name}: the {side} runner failed in {dispatch.label} (exit '
                f'{proc.returncode})\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}')
        raw = json.loads(lines[-1][len(_RESULT_PREFIX):])
        if juju is not None:
            # What the next step would see: the state file once the process has ended.
            raw.update(state_file.committed(charm / '.unit-state.db'))
        else:
            raw['kv'] = state_file.committed(state)['kv']
        result = _normalise(raw)
        if juju is not None and writes is not None:
            result['relation_data'] = _published(juju, scenario.unit)
            result['relation_writes'] = _relation_writes(writes)
            if dispatch.kind == 'action':
                outcome = juju.state()['action'] or {}
                result['action'] = {key: outcome.get(key) for key in
                                    ('results', 'failed', 'message')}
        results.append(result)
    return results


def _published(juju: FakeJuju, unit: str) -> dict[str, dict[str, str]]:
    """What this unit has published on each relation (its own bag), as Juju holds it."""
    relations = juju.state()['relations']
    return {key: relation['data'].get(unit, {}) for key, relation in sorted(relations.items())}


def _relation_writes(log: Path) -> dict[str, dict[str, str]]:
    """What the ``relation-set`` calls of one step changed, merged per bag in call order:
    the same whether a framework sent it in one call or in several, and whether it re-sent
    values the bag already held (charms.reactive's Endpoint re-sends its whole
    ``to_publish`` after any assignment; reactops sends changed keys only)."""
    merged: dict[str, dict[str, str]] = {}
    for line in log.read_text().splitlines():
        call = json.loads(line)
        if call['changed']:
            bag = call['relation'] + (' app' if call['app'] else '')
            merged.setdefault(bag, {}).update(call['changed'])
    return dict(sorted(merged.items()))


def porting_table_ids() -> set[str]:
    """The ids in the first column of ``docs/porting.md``'s table of behaviour differences."""
    text = (REPO / 'docs' / 'porting.md').read_text()
    table = text[text.index('## Behaviour differences'):]
    return set(re.findall(r'^\| `([a-z0-9-]+)` \|', table, flags=re.MULTILINE))


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
    if 'kv' in result:
        out['kv'] = result['kv']
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
