"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists ``name -> submodule`` once; the submodule is imported the first time the
name is used, so ``import reactops`` stays cheap in a hook that needs little of it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

__all__ = ['lazy_exports']


def lazy_exports(package: str, namespace: dict[str, Any],
                 exports: Mapping[str, str]) -> tuple[Callable[[str], Any],
                                                      Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of *package* for its *exports*."""

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f'module {package!r} has no attribute {name!r}')
        value = getattr(importlib.import_module(f'.{module_name}', package), name)
        namespace[name] = value  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
