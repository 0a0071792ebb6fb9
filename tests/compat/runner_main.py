"""Whole hooks for ``"mode": "main"`` scenarios: each framework's legacy entry point runs
one hook, with the fake hook tools on PATH (set up by the harness).

* charms.reactive: what a built charm's hook did — layer-basic's config flags registered
  at start and end (written here from reference §6.4; layer-basic itself is not
  installed), then ``charms.reactive.main()``;
* reactops: ``reactops.legacy.main()``.

What is compared is what Juju and the next hook would see: the handlers that ran, the
flags (and values) committed to the unit's state file, and whether the hook failed.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import traceback
from pathlib import Path
from typing import Any

FLAG_PREFIX = 'reactive.states.'


def _committed_flags(charm_dir: Path) -> tuple[list[str], dict[str, Any]]:
    path = charm_dir / '.unit-state.db'
    if not path.exists():
        return [], {}
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, data FROM kv WHERE key LIKE 'reactive.states.%'"
                          ).fetchall()
    values = {key[len(FLAG_PREFIX):]: json.loads(data) for key, data in rows}
    names = sorted(values)
    return names, {name: values[name] for name in names if values[name] is not None}


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


def run(side: str, request: dict[str, Any]) -> dict[str, Any]:
    """One whole hook under *side*; the result the harness compares."""
    charm_dir = Path(request['charm_dir'])
    _preset(charm_dir, request['flags'])
    sys.path.append(str(charm_dir / 'lib'))
    error = None
    try:
        if side == 'reactive':
            import charmhelpers.osplatform

            charmhelpers.osplatform.get_platform = lambda: 'ubuntu'
            _layer_basic_flags(charm_dir)
            from charms.reactive import main
        else:
            sys.path.insert(0, request['repo'])
            from reactops.legacy import main
        main()
    except SystemExit as exit:
        if exit.code not in (None, 0):
            error = {'type': 'HookFailed', 'message': f'exit {exit.code}'}
    except Exception as failure:
        traceback.print_exc()
        error = {'type': 'HookFailed', 'message': f'{type(failure).__name__}: {failure}'}
    import record

    names, values = _committed_flags(charm_dir)
    return {'ran': list(record.RAN), 'flags': names, 'values': values, 'error': error}

