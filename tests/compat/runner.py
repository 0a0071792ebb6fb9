"""Run one dispatch of a compat scenario's handler modules under one framework.

Usage: ``python runner.py reactive|reactops '<request JSON>'``, in a fresh interpreter per
dispatch (charms.reactive keeps its handlers and flags in module-level registries). The
request gives ``charm_dir`` (holding ``reactive/*.py`` and maybe ``metadata.yaml``),
``state`` (the unit's state file, kept across the dispatches of a scenario), ``hook`` and
``flags`` (set in the store before the dispatch, as a previous hook would have left them).
The caller sets ``CHARM_DIR``, ``JUJU_HOOK_NAME`` and the working directory.

The last line of output is ``COMPAT-RESULT <json>``: ``ran`` (what :mod:`record` saw),
``flags`` (sorted names), ``values`` (flags whose value is not null) and ``error``. As in
a hook, the state is saved only when the dispatch succeeded.

Only this file knows how to drive each framework: ``reactive`` uses charms.reactive's
``bus.discover()``/``bus.dispatch()`` over a charmhelpers ``unitdata.Storage``;
``reactops`` uses the reactops work tree, with ``reactops.legacy.install()`` making
``charms.reactive`` resolve to reactops. A request with ``"mode": "main"`` runs a whole
hook through each framework's legacy entry point instead (:mod:`runner_main`).
"""

from __future__ import annotations

import json
import sys
import traceback
import types
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RESTRICTED_HOOKS = ('collect-metrics', 'meter-status-changed')
FLAG_PREFIX = 'reactive.states.'

def _error(error: BaseException) -> dict[str, Any]:
    detail: dict[str, Any] = {'type': type(error).__name__, 'message': str(error)}
    for attribute in ('handlers', 'flags'):
        if hasattr(error, attribute):
            detail[attribute] = list(getattr(error, attribute))
    traceback.print_exc()
    return detail


def run_reactive(request: dict[str, Any]) -> dict[str, Any]:
    """One dispatch with charms.reactive 1.5.3."""
    import charmhelpers.osplatform

    # charmhelpers refuses to import on anything but Ubuntu/CentOS (reference §0).
    charmhelpers.osplatform.get_platform = lambda: 'ubuntu'
    from charmhelpers.core import hookenv, unitdata

    # Every handler run logs through juju-log; there is none here, and stderr noise helps
    # nobody.
    hookenv.log = lambda message, level=None: None
    unitdata._KV = unitdata.Storage(request['state'])
    kv = unitdata.kv()
    for flag, value in request['flags'].items():
        kv.set(FLAG_PREFIX + flag, value)
    kv.flush()  # left by an earlier hook

    import record
    from charms.reactive import bus, flags

    result: dict[str, Any] = {'error': None}
    try:
        bus.discover()
        bus.dispatch(restricted=request['hook'] in RESTRICTED_HOOKS)
    except Exception as error:
        result['error'] = _error(error)
    names = flags.get_flags()
    result.update(ran=list(record.RAN), flags=names, values={
        name: flags._get_flag_value(name) for name in names
        if flags._get_flag_value(name) is not None})
    if result['error'] is None:
        # As charms.reactive.main(): atexit callbacks (they forget the hook's triggers)
        # and a commit, only for a successful hook.
        if request['hook'] not in RESTRICTED_HOOKS:
            hookenv._run_atexit()
        kv.flush()
    return result


def _install_shim() -> None:
    """Make ``from charms.reactive import when, ...`` give reactops' functions: the real
    shim of :mod:`reactops.legacy`, so these scenarios test it too."""
    import reactops.legacy

    reactops.legacy.install()


def run_reactops(request: dict[str, Any]) -> dict[str, Any]:
    """One dispatch with the reactops work tree."""
    sys.path.insert(0, str(REPO))
    _install_shim()
    import record

    from reactops.meta import CharmMeta
    from reactops.reactive import Dispatcher, HandlerRegistry, ReactiveRuntime, activate
    from reactops.reactive.registry import discover_modules
    from reactops.storage import SQLiteStorage

    charm_dir = Path(request['charm_dir'])
    storage = SQLiteStorage(request['state'])
    for flag, value in request['flags'].items():
        storage.kv_set(FLAG_PREFIX + flag, value)
    storage.commit()  # left by an earlier hook

    result: dict[str, Any] = {'error': None}
    modules = discover_modules(charm_dir)
    registry = HandlerRegistry.collect(modules, charm_dir=charm_dir)
    runtime = ReactiveRuntime(storage, hook_name=request['hook'])
    metadata = charm_dir / 'metadata.yaml'
    if metadata.exists():
        # {role:interface} hook patterns read the endpoints from the charm's metadata.
        meta = CharmMeta.from_yaml(metadata.read_text())
        runtime.charm = types.SimpleNamespace(framework=types.SimpleNamespace(meta=meta))
    with activate(runtime):
        dispatcher = Dispatcher(registry, runtime)
        try:
            dispatcher.dispatch(restricted=request['hook'] in RESTRICTED_HOOKS)
        except Exception as error:
            result['error'] = _error(error)
        names = runtime.names()
        result.update(ran=list(record.RAN), flags=names, values={
            name: runtime.value(name) for name in names if runtime.value(name) is not None})
    result['handler_tests'] = dispatcher.handler_tests
    if result['error'] is None:
        storage.commit()
    storage.close()
    return result


def main(argv: list[str]) -> int:
    side, request = argv[1], json.loads(argv[2])
    if request.get('mode') == 'main':
        import runner_main

        result = runner_main.run(side, request)
    else:
        runner = {'reactive': run_reactive, 'reactops': run_reactops}[side]
        result = runner(request)
    print('COMPAT-RESULT ' + json.dumps(result, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
