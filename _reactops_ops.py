"""The import names ``ops`` and ``scenario`` answered by reactops' own modules.

(A top-level module, so that ``reactops-ops.pth`` installs the finder at interpreter start
without importing the ``reactops`` package itself; reach it as ``reactops._private.opsalias``.
It holds no asserts, so pytest, which loads reactops' plugin after this module, need not
rewrite it: PYTEST_DONT_REWRITE.)

An ops charm and the charm libraries it vendors say ``import ops``; on reactops that name
must give reactops. :func:`install` puts one finder at the front of ``sys.meta_path``:

* ``ops`` is ``reactops`` and ``ops.<name>`` is ``reactops.<name>`` (the very same module
  objects, so a patch through either name is seen through both);
* ``scenario`` is ``reactops.testing`` and ``scenario.<name>`` is ``reactops.testing.<name>``.

A real ``ops`` (or ``ops-scenario``) that is importable always wins: the finder looks for
it first and then steps aside, so reactops never hides it. ``REACTOPS_OPS=reactops`` in
the environment makes reactops answer even then; ``REACTOPS_OPS=off`` turns the alias off.
Who installs the finder: the ``reactops-ops.pth`` file that the distribution puts in
site-packages (every interpreter of that environment, which includes the local model's hook
processes), ``reactops.main`` and the pytest plugin. It costs a process one string test per
import.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

__all__ = ['ALIASES', 'OpsAliasFinder', 'install', 'installed', 'real_ops_installed', 'uninstall']

#: alias top-level name -> the reactops module that answers it.
ALIASES: dict[str, str] = {'ops': 'reactops', 'scenario': 'reactops.testing'}

_ENV = 'REACTOPS_OPS'


class _AliasLoader:
    """Load an alias by importing its reactops module and putting that in its place.

    importlib re-reads ``sys.modules[name]`` after ``exec_module``, so the name ends up
    bound to the reactops module itself, whose own ``__spec__`` is left alone.
    """

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # a throwaway module; exec_module replaces it

    def exec_module(self, module: ModuleType) -> None:
        import importlib

        sys.modules[module.__name__] = importlib.import_module(self.target)


class OpsAliasFinder:
    """A meta-path finder that answers ``ops``/``scenario`` names with reactops modules."""

    def __init__(self) -> None:
        self._decided: dict[str, bool] = {}  # top-level alias -> reactops answers it

    def _answers(self, top: str) -> bool:
        decided = self._decided.get(top)
        if decided is None:
            mode = os.environ.get(_ENV, '').strip().lower()
            if mode == 'off':
                decided = False
            elif mode == 'reactops':
                decided = True
            else:
                decided = not _real_module_exists(top)
            self._decided[top] = decided
        return decided

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        top, dot, rest = fullname.partition('.')
        base = ALIASES.get(top)
        if base is None:
            return None
        if dot:
            # A submodule is ours only when the top-level name already is.
            parent = sys.modules.get(top)
            if parent is None or parent.__name__ != base:
                return None
        elif not self._answers(top):
            return None
        import importlib.util

        target_name = f'{base}.{rest}' if dot else base
        if dot and importlib.util.find_spec(target_name) is None:
            return None  # `ops.nothing` fails as ModuleNotFoundError, as it would on ops
        return importlib.util.spec_from_loader(
            fullname, _AliasLoader(target_name))  # type: ignore[arg-type]

    def invalidate_caches(self) -> None:
        self._decided.clear()


def _real_module_exists(name: str) -> bool:
    """Whether *name* is importable from ``sys.path`` by the ordinary path finder."""
    from importlib.machinery import PathFinder

    return PathFinder.find_spec(name) is not None


def installed() -> OpsAliasFinder | None:
    """The installed finder, or ``None``."""
    for finder in sys.meta_path:
        if isinstance(finder, OpsAliasFinder):
            return finder
    return None


def install() -> OpsAliasFinder:
    """Answer ``ops`` and ``scenario`` with reactops from now on (idempotent)."""
    finder = installed()
    if finder is None:
        finder = OpsAliasFinder()
        sys.meta_path.insert(0, finder)
    return finder


def uninstall() -> None:
    """Stop answering ``ops``/``scenario``; modules already imported stay imported."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, OpsAliasFinder)]


def real_ops_installed() -> bool:
    """Whether a real ``ops`` package (not reactops) is importable."""
    return _real_module_exists('ops')
