"""The ``ops``/``scenario`` import alias; its code lives in the top-level ``_reactops_ops``.

It is top-level so that ``reactops-ops.pth`` can install the finder when an interpreter
starts without importing the ``reactops`` package (pytest could then no longer rewrite its
asserts, and a process that never says ``import ops`` would pay for it).
"""

from _reactops_ops import (
    ALIASES,
    OpsAliasFinder,
    install,
    installed,
    real_ops_installed,
    uninstall,
)

__all__ = ['ALIASES', 'OpsAliasFinder', 'install', 'installed', 'real_ops_installed', 'uninstall']
