"""Whole hooks, actions and plain scripts for ``"main"`` scenarios, with the fake hook
tools on PATH (set up by the harness).

A hook runs through each framework's legacy entry point:

* charms.reactive: what a built charm's hook did — layer-basic's config flags registered
  at start and end (written here from reference §6.4; layer-basic itself is not
  installed), then ``charms.reactive.main()``;
* reactops: ``reactops.legacy.main()``.

An action or a plain script is the charm's own file, run unchanged as the ``__main__``
module of this process (``runpy``) after what each side's environment provides: for
charms.reactive the real packages (charmhelpers told it runs on Ubuntu), for reactops the
import shim (``reactops.legacy.install()``), so ``charms.reactive`` and
``charmhelpers.core`` are reactops'. An action on the reactops side goes, by default, the
way the porting guide's ported charm runs it: Juju runs ``dispatch``, which is
``reactops.legacy.main()``, and that runs ``actions/<name>`` in-process (``"via":
"direct"`` runs the file itself, as Juju does for a charm without ``dispatch``). No
dispatch of handlers runs for either, unless the script calls ``main()`` itself.

This process reports the handlers (or script steps) :mod:`record` saw and whether the step
failed; the harness reads the flags and kv committed to the state file once the process
has ended (:mod:`state_file`), so whatever runs at exit counts too.
"""

from __future__ import annotations

import json
import runpy
import sqlite3
import sys
import traceback
from pathlib import Path
from typing import Any

FLAG_PREFIX = 'reactive.states.'


def _preset(charm_dir: Path, flags: dict[str, Any]) -> None:
    """Flags left by an earlier hook, written straight into the state file's kv table."""
    if not flags:
        return
    with sqlite3.connect(charm_dir / '.unit-state.db') as db:
        db.execute('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, data TEXT)')
        for flag, value in flags.items():
            db.execute('REPLACE INTO kv VALUES (?, ?)', (FLAG_PREFIX + flag, json.dumps(value)))


def _config_options(charm_dir: Path) -> dict[str, Any]:
    import yaml

    path = charm_dir / 'config.yaml'
    if not path.exists():
        return {}
    options = (yaml.safe_load(path.read_text()) or {}).get('options') or {}
    return {name: (option or {}).get('default') for name, option in options.items()}


def _layer_basic_flags(charm_dir: Path) -> None:
    """layer-basic's config flags: set at hook start, all removed at hook end."""
    from charmhelpers.core import hookenv, unitdata
    from charms.reactive import clear_flag, set_flag, toggle_flag

    defaults = _config_options(charm_dir)

    def at_start() -> None:
        config = hookenv.config()
        for name, default in defaults.items():
            if config.changed(name):
                set_flag('config.changed')
                set_flag(f'config.changed.{name}')
            toggle_flag(f'config.set.{name}', bool(config.get(name)))
            toggle_flag(f'config.default.{name}', config.get(name) == default)

    def at_exit() -> None:
        for name in defaults:
            for kind in ('changed', 'set', 'default'):
                clear_flag(f'config.{kind}.{name}')
        clear_flag('config.changed')
        unitdata.kv().flush()

    hookenv.atstart(at_start)
    hookenv.atexit(at_exit)


def _prepare(side: str, request: dict[str, Any]) -> None:
    if side == 'reactive':
        import charmhelpers.osplatform

        charmhelpers.osplatform.get_platform = lambda: 'ubuntu'
    else:
        sys.path.insert(0, request['repo'])
        import reactops.legacy

        reactops.legacy.install()


def _run_hook(side: str, charm_dir: Path) -> None:
    sys.path.append(str(charm_dir / 'lib'))
    if side == 'reactive':
        _layer_basic_flags(charm_dir)
        from charms.reactive import main
    else:
        from reactops.legacy import main
    main()


def _run_script(side: str, charm_dir: Path, kind: str, name: str, via: str) -> None:
    if side == 'reactops' and kind == 'action' and via == 'dispatch':
        # The porting guide's route: Juju runs the charm's dispatch, which is
        # reactops.legacy.main(); for actions/<name> it runs that script.
        from reactops.legacy import main

        sys.argv = [str(charm_dir / 'dispatch')]
        main()
        return
    script = charm_dir / ('actions' if kind == 'action' else '.') / name
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name='__main__')


def run(side: str, request: dict[str, Any]) -> dict[str, Any]:
    """One step (hook, action or script) under *side*: what :mod:`record` saw, and the
    failure if it failed (``HookFailed``, or ``ScriptFailed`` for an action or script)."""
    charm_dir = Path(request['charm_dir'])
    kind = request.get('kind', 'hook')
    _preset(charm_dir, request['flags'])
    failed = 'HookFailed' if kind == 'hook' else 'ScriptFailed'
    error = None
    try:
        _prepare(side, request)
        if kind == 'hook':
            _run_hook(side, charm_dir)
        else:
            _run_script(side, charm_dir, kind, request['hook'], request.get('via', 'dispatch'))
    except SystemExit as exit:
        if exit.code not in (None, 0):
            error = {'type': failed, 'message': f'exit {exit.code}'}
    except Exception as failure:
        traceback.print_exc()
        error = {'type': failed, 'message': f'{type(failure).__name__}: {failure}'}
    import record

    return {'ran': list(record.RAN), 'error': error}
