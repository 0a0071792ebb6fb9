"""The name a reactops module goes by for the charm: ``ops.<x>`` when ``ops`` is reactops.

ops charms import ``ops`` (answered by reactops, see :mod:`reactops._private.opsalias`)
and expect ops' logger names (``ops.framework``) and reprs (``ops.framework.StoredDict``);
a charm that imports ``reactops`` itself sees reactops' own names.
"""

from __future__ import annotations

import sys

__all__ = ['public_module']


def public_module(module: str) -> str:
    """*module* (``reactops.x``) as the charm knows it: ``ops.x`` if ``ops`` is reactops."""
    ops = sys.modules.get('ops')
    if (ops is not None and getattr(ops, '__name__', None) == 'reactops'
            and (module == 'reactops' or module.startswith('reactops.'))):
        return 'ops' + module[len('reactops'):]
    return module
