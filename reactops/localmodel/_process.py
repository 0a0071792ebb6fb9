"""Running one hook of one unit as a real process, the way a Juju unit agent does.

The hook tools (``_tool.py`` under every tool name) and a ``python3`` that is this very
interpreter go in ``<model-dir>/bin``, first on PATH; the charm's ``dispatch`` (or
``hooks/<name>``, ``actions/<name>``) runs in its charm directory with the ``JUJU_*``
environment Juju sets.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ['HookResult', 'StartedHook', 'command_name', 'copy_charm', 'install_tools',
           'reactops_path', 'run_hook']

JUJU_VERSION = '3.6.0'
_TOOL_SOURCE = Path(__file__).with_name('_tool.py')
_RULES_DIR = Path(__file__).parents[1] / '_private'
# Files of a charm's source that a unit's copy does not need (or must not share).
_NOT_COPIED = shutil.ignore_patterns('.unit-state.db', '__pycache__', '.git', '.tox',
                                     '.nox', '.venv', '*.charm', '.pytest_cache')


@dataclass(frozen=True)
class HookResult:
    """How a hook process ended: exit code, stdout and stderr together, wall time."""

    code: int
    output: str
    seconds: float


def install_tools(model_dir: Path) -> Path:
    """Put the hook tools and the ``python3`` wrapper in ``<model-dir>/bin``; return it."""
    bin_dir = model_dir / 'bin'
    bin_dir.mkdir(parents=True, exist_ok=True)
    from .._private.jujurules import FILES as RULES
    from .._private.toolwire import FILES as WIRE
    from .._private.toolwire import LAUNCHER
    from ._tool import FILES, TOOLS

    # The program, and the rule book it follows (stdlib only), imported from beside it.
    for name in FILES:
        _copy_if_changed(_TOOL_SOURCE.with_name(name), bin_dir / name)
    for name in (*RULES, *WIRE):
        _copy_if_changed(_RULES_DIR / name, bin_dir / name)
    # The client asks the model's tool server, or runs _tool itself when none listens.
    # Imported (not run as a script) so it is compiled once; -S: no site-packages needed.
    _write_exec(bin_dir / LAUNCHER,
                f'#!{sys.executable} -S\n'
                f'import sys\n'
                f'sys.dont_write_bytecode = False\n'
                f'sys.path.insert(0, {str(bin_dir)!r})\n'
                f'from _toolclient import main\n'
                f'sys.exit(main(sys.argv))\n')
    for name in TOOLS:
        link = bin_dir / name
        if not link.is_symlink():
            link.symlink_to(LAUNCHER)
    # A charm's "#!/usr/bin/env python3" must find the interpreter running reactops, with
    # its packages: a wrapper keeps the virtualenv (a symlink would lose it).
    extra = reactops_path()
    pythonpath = f'PYTHONPATH="${{PYTHONPATH:+$PYTHONPATH:}}{extra}" ' if extra else ''
    for name in ('python3', 'python'):
        _write_exec(bin_dir / name,
                    f'#!/bin/sh\n{pythonpath}exec {_sh_quote(sys.executable)} "$@"\n')
    return bin_dir


def reactops_path() -> str:
    """The directory to add to a charm's PYTHONPATH so it imports this reactops, or ''
    when the interpreter finds it anyway (installed into site-packages)."""
    root = str(Path(__file__).resolve().parents[2])
    installed = {str(Path(p).resolve()) for p in site.getsitepackages()}
    return '' if root in installed else root


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _copy_if_changed(source: Path, target: Path) -> None:
    # Unchanged files keep their times, so their compiled copies stay valid.
    data = source.read_bytes()
    if not target.exists() or target.read_bytes() != data:
        tmp = target.with_suffix('.tmp')
        tmp.write_bytes(data)
        tmp.replace(target)


def _write_exec(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix('.tmp')
        tmp.write_text(text)
        tmp.chmod(0o755)
        tmp.replace(path)


class StartedHook:
    """A hook ready to run: whose and which it is, its token, and what its process needs.
    :meth:`execute` touches no state file, so several hooks may run at once on threads."""

    def __init__(self, unit: str, hook: str, hook_id: int, token: str, charm_dir: Path,
                 bin_dir: Path, dispatch_path: str, env: Mapping[str, str], timeout: float):
        self.unit, self.hook, self.hook_id, self.token = unit, hook, hook_id, token
        self.charm_dir, self.bin_dir = charm_dir, bin_dir
        self.dispatch_path, self.env, self.timeout = dispatch_path, env, timeout

    def execute(self) -> HookResult:
        """Run the hook's process to its end."""
        return run_hook(self.charm_dir, self.bin_dir, self.dispatch_path, self.env,
                        self.timeout)


def copy_charm(source: Path, target: Path, exclude: Path | None = None) -> None:
    """Refresh a unit's copy of the charm from *source*, keeping the unit's state file.

    *exclude* (the model directory) is left out wherever it sits in *source*: a model kept
    inside the charm's own directory would otherwise be copied into itself, without end.
    """
    skip = exclude.resolve() if exclude is not None else None

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(_NOT_COPIED(directory, names))
        if skip is not None and skip.name in names and Path(directory).resolve() == skip.parent:
            ignored.add(skip.name)
        return ignored

    shutil.copytree(source, target, symlinks=True, ignore=ignore, dirs_exist_ok=True)


def command_name() -> str:
    """This process's command, for messages about who holds the model."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else 'python'
    return f'"{name}"' if name not in ('__main__.py', '-c', '') else '"python"'


def run_hook(charm_dir: Path, bin_dir: Path, dispatch_path: str, env: Mapping[str, str],
             timeout: float) -> HookResult:
    """Run *dispatch_path* (``hooks/install``, ``actions/x``) in *charm_dir*.

    The charm's ``dispatch`` runs when it has one, else the hook's own file; a hook the
    charm has no file for succeeds at once, as on Juju.
    """
    program = charm_dir / 'dispatch'
    if not os.access(program, os.X_OK):
        program = charm_dir / dispatch_path
        if not program.exists():
            return HookResult(0, '', 0.0)
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(('JUJU_', 'REACTOPS_')) and k != 'PYTHONPATH'}
    full_env.update(env)
    full_env['JUJU_DISPATCH_PATH'] = dispatch_path
    full_env['JUJU_CHARM_DIR'] = str(charm_dir)
    full_env['JUJU_VERSION'] = JUJU_VERSION
    full_env['PATH'] = f'{bin_dir}{os.pathsep}{os.environ.get("PATH", os.defpath)}'
    started = time.monotonic()
    try:
        proc = subprocess.run([str(program)], cwd=charm_dir, env=full_env, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b'').decode(errors='replace')
        return HookResult(124, f'{output}\nkilled after {timeout:g} s',
                          time.monotonic() - started)
    except OSError as e:
        return HookResult(126, f'cannot run {program}: {e}', time.monotonic() - started)
    return HookResult(proc.returncode, proc.stdout.decode(errors='replace'),
                      time.monotonic() - started)
