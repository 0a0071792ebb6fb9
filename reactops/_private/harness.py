"""Where ``ops._private.harness`` names are found on reactops.

ops keeps its Harness and the action and exec result types in ``ops._private.harness``;
charm tests and ops' own suite import them from there. reactops builds them in
:mod:`reactops.testing` (``_harness*`` modules); this module only gathers them under the
ops path. It is never imported by a hook.
"""

from __future__ import annotations

from ..testing._harness import Harness
from ..testing._harness_base import AppUnitOrName, CharmType
from ..testing._harness_pebble import _TestingExecProcess, _TestingPebbleClient
from ..testing._harness_results import (
    ActionFailed,
    ActionOutput,
    ExecArgs,
    ExecHandler,
    ExecResult,
    ReadableBuffer,
    YAMLStringOrFile,
)

__all__ = ['ActionFailed', 'ActionOutput', 'AppUnitOrName', 'CharmType', 'ExecArgs',
           'ExecHandler', 'ExecResult', 'Harness', 'ReadableBuffer', 'YAMLStringOrFile',
           '_TestingExecProcess', '_TestingPebbleClient']
