"""A legacy charm's action scripts, run by ``reactops.legacy.main()`` under ``dispatch``.

A reactive charm's action is an executable ``actions/<name>`` that imports
``charms.reactive`` and ``charmhelpers`` and runs outside any dispatch: charms.reactive
never dispatched handlers for it. Once the ported charm has a ``dispatch`` file, Juju runs
every action through it (``JUJU_DISPATCH_PATH=actions/<name>``), and
:func:`reactops.legacy.main` hands the action to :func:`run_action_script`, which runs the
script as Juju would have run it, with the shim installed and the charm's ``lib/`` on
``sys.path``:

* a Python script (its ``#!`` line names ``python``, or it ends in ``.py``) runs in this
  process, as ``__main__`` with ``sys.argv[0]`` its own path, so its ``charms.reactive``
  and ``charmhelpers`` imports are reactops' and its flags and kv are the unit's state
  file (see :mod:`._standalone`);
* any other executable runs as a child process with the ``charms.reactive`` command first
  on its ``PATH`` (working on the state file, as ``juju exec -- charms.reactive ...``).

Nothing is dispatched and nothing is committed for the action: the script makes its own
changes durable with ``unitdata.kv().flush()``, as under charms.reactive.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ['action_script', 'in_action_script', 'run_action_script']

# The action script running in this process (a main() it calls dispatches, never reruns it).
_RUNNING: list[Path] = []


def action_script(charm_dir: Path, dispatch_path: str) -> Path | None:
    """The executable ``actions/<name>`` to run for *dispatch_path*, or ``None`` (not an
    action, no such file, the file is this very entry point, or one already runs)."""
    if _RUNNING or not dispatch_path.startswith('actions/'):
        return None
    script = charm_dir / dispatch_path
    if not script.is_file() or not os.access(script, os.X_OK):
        return None
    if sys.argv and sys.argv[0] and script.resolve() == Path(sys.argv[0]).resolve():
        return None
    return script


def in_action_script() -> bool:
    """Whether an action script runs in this process (it may call ``main()`` itself)."""
    return bool(_RUNNING)


def run_action_script(script: Path) -> None:
    """Run the action *script* (see the module docstring); a failing child process ends
    this one with its exit status."""
    if _is_python(script):
        import runpy

        _RUNNING.append(script)
        sys.argv = [str(script), *sys.argv[1:]]
        runpy.run_path(str(script), run_name='__main__')
        return
    import subprocess
    import tempfile

    from ._external import _write_cli

    with tempfile.TemporaryDirectory(prefix='reactops-action-') as directory:
        _write_cli(Path(directory))
        env = dict(os.environ)
        env['PATH'] = f'{directory}{os.pathsep}{env.get("PATH", os.defpath)}'
        env.setdefault('CHARM_DIR', str(script.parent.parent))
        code = subprocess.run([str(script), *sys.argv[1:]], env=env, check=False).returncode
    if code:
        sys.exit(code)


def _is_python(script: Path) -> bool:
    if script.suffix == '.py':
        return True
    with open(script, 'rb') as f:
        first = f.readline(256)
    return first.startswith(b'#!') and b'python' in first
