"""External handlers: executables under the handler directories (``--test``/``--invoke``).

An executable file without extension or ending in ``.sh`` that starts with ``#!`` (or is
a binary) under ``reactive/``, ``hooks/reactive/`` or ``hooks/relations/`` is a handler,
as in charms.reactive. The dispatch runs ``<file> --test``: exit 0 means it wants to
run, and its output is passed back as ``<file> --invoke <output>``; a non-zero exit of
``--invoke`` fails the hook. The handler calls the ``charms.reactive`` command (first on
its ``PATH``), which works on the dispatch's flags through a bridge file
(:mod:`._bridge`), so the dispatch stays one transaction.

Unlike charms.reactive, which re-tested external handlers in every iteration (101 times
if one always said yes), reactops tests one in the hooks phase and in the first
iteration, then again only when a flag its last ``--test`` read changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..reactive._detect import DISCOVERY_ROOTS
from ..reactive._runtime import ReactiveRuntime
from ..reactive.decorators import HandlerSpec
from ..reactive.predicates import HOOKS, Predicate
from ..reactive.registry import Handler
from ._bridge import BRIDGE_ENV, Bridge
from ._errors import LegacyError

__all__ = ['ExternalHandlerError', 'add_external_handlers', 'find_external_handlers']

_TIMEOUT = 3600.0


class ExternalHandlerError(LegacyError):
    """An external handler could not run, or its ``--invoke`` failed."""


def find_external_handlers(charm_dir: Path) -> list[Path]:
    """The executable handlers of the charm, in sorted path order."""
    found = []
    for root_name in DISCOVERY_ROOTS:
        root = charm_dir / root_name
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != '__pycache__')
            for filename in sorted(filenames):
                path = Path(dirpath, filename)
                if _is_external(path):
                    found.append(path)
    return found


def _is_external(path: Path) -> bool:
    if path.suffix not in ('', '.sh') or not os.access(path, os.X_OK) or not path.is_file():
        return False
    with open(path, 'rb') as f:
        head = f.read(1024)
    try:
        head.decode('utf-8')
    except UnicodeDecodeError:
        return True  # a binary
    return head.startswith(b'#!')


class _Runner:
    """Runs the executables of one dispatch with the bridge and the CLI on PATH."""

    def __init__(self, runtime: ReactiveRuntime, charm_dir: Path):
        self.runtime = runtime
        self.charm_dir = charm_dir
        self._tmp = tempfile.TemporaryDirectory(prefix='reactops-legacy-')
        self.directory = Path(self._tmp.name)
        os.chmod(self.directory, 0o700)
        _write_cli(self.directory)

    def run(self, path: Path, args: list[str], phase: str,
            learn: ExternalPredicate | None) -> subprocess.CompletedProcess[bytes]:
        runtime = self.runtime
        flags = {name: runtime.value(name) for name in runtime.names()}
        invoked = [key[len('reactive.invoked.'):]
                   for key, _ in runtime.storage.kv_items('reactive.invoked.')]
        bridge = Bridge.create(self.directory, flags=flags, phase=phase,
                               hook=runtime.hook_name, invoked=invoked)
        assert bridge.path is not None
        env = dict(os.environ)
        env.update({BRIDGE_ENV: str(bridge.path), 'CHARM_DIR': str(self.charm_dir),
                    'PATH': f'{self.directory}{os.pathsep}{env.get("PATH", os.defpath)}'})
        try:
            result = subprocess.run([str(path), *args], env=env, cwd=self.charm_dir,
                                    stdout=subprocess.PIPE, check=False, timeout=_TIMEOUT)
        except OSError as error:
            raise ExternalHandlerError(
                f'external handler {path} could not run ({error}); make it an executable '
                'with a #! line, or remove its executable bit') from error
        self._apply(Bridge.load(bridge.path), learn)
        bridge.path.unlink()
        return result

    def _apply(self, bridge: Bridge, learn: ExternalPredicate | None) -> None:
        from ..reactive.helpers import mark_invoked

        for op in bridge.data['ops']:
            if op[0] == 'set':
                self.runtime.set(op[1], op[2])
            elif op[0] == 'clear':
                self.runtime.clear(op[1])
            elif op[0] == 'invoked':
                mark_invoked(op[1])
        if learn is not None:
            learn.learn(bridge.data['tested'])


def _write_cli(directory: Path) -> None:
    import reactops

    package_root = Path(reactops.__file__).resolve().parents[1]
    script = directory / 'charms.reactive'
    script.write_text(f'#!{sys.executable}\n'
                      'import sys\n'
                      f'sys.path.insert(0, {str(package_root)!r})\n'
                      'from reactops.legacy.cli import main\n'
                      'sys.exit(main())\n')
    script.chmod(0o700)


class ExternalPredicate(Predicate):
    """``<file> --test`` exits 0. Its flags are those its last test read."""

    kind = 'external'

    def __init__(self, path: Path, runner: _Runner, registry: Any):
        self.path = path
        self.runner = runner
        self.registry = registry
        self.flags: tuple[str, ...] = ()
        self.output = b''
        # The phase of the queue being built (set by _ExternalHandler.runs_in): the
        # charms.reactive command's when*/hook tests depend on it.
        self.queue_phase = HOOKS

    def test(self, runtime: ReactiveRuntime, handler: Any) -> bool:
        result = self.runner.run(self.path, ['--test'], self.queue_phase, self)
        self.output = result.stdout
        return result.returncode == 0

    def learn(self, flags: list[str]) -> None:
        if tuple(flags) != self.flags:
            self.flags = tuple(flags)
            self.registry._index = None  # the flag -> readers index is rebuilt

    def invoke(self) -> None:
        text = self.output.decode('utf-8', errors='replace').strip()
        result = self.runner.run(self.path, ['--invoke', text], self.queue_phase, None)
        if result.returncode != 0:
            raise ExternalHandlerError(
                f'external handler {self.path} --invoke {text!r} exited with status '
                f'{result.returncode}')

    def describe(self) -> str:
        return f'external {self.path.name} --test'


class _ExternalHandler(Handler):
    """An executable's handler: tells its predicate which phase's queue it is tested
    for (the dispatcher asks :meth:`runs_in` just before testing)."""

    def runs_in(self, phase: str) -> bool:
        for predicate in self.predicates:
            if isinstance(predicate, ExternalPredicate):
                predicate.queue_phase = phase
        return super().runs_in(phase)


def add_external_handlers(registry: Any, charm_dir: Path,
                          runtime: ReactiveRuntime) -> list[Any]:
    """Register the charm's executable handlers (after its Python ones); return them."""
    paths = find_external_handlers(charm_dir)
    if not paths:
        return []
    runner = _Runner(runtime, charm_dir)
    handlers: list[Handler] = []
    for path in paths:
        predicate = ExternalPredicate(path, runner, registry)
        spec = HandlerSpec(order=10**9 + len(handlers), predicates=[predicate])
        handler = _ExternalHandler(str(path.relative_to(charm_dir)), _invoker(predicate),
                                   [predicate], spec)
        registry.add(handler)
        handlers.append(handler)
    return handlers


def _invoker(predicate: ExternalPredicate) -> Any:
    def invoke() -> None:
        predicate.invoke()
    invoke.__qualname__ = invoke.__name__ = predicate.path.name
    return invoke
