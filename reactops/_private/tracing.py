"""What ``ops.tracing`` is: the ``ops_tracing`` package when it is installed, else ``None``.

Charms test ``if ops.tracing:`` before they use it, so without the package the name must
exist and be false. It is looked up only when something reads ``reactops.tracing``.
"""

from __future__ import annotations

from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ['tracing']


def _optional_package() -> ModuleType | None:
    try:
        import ops_tracing  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return ops_tracing  # type: ignore[no-any-return,unused-ignore]


tracing = _optional_package()
