"""The embedded local model: Juju's side of the contract, on this machine.

A model (applications, units, leadership, config, relations and their data, statuses,
ports, actions, the hook queue, each unit's hook log) lives in one SQLite file under a
model directory (default ``.reactops/``). Each hook runs as a real process of the charm's
own ``dispatch``, with the ``JUJU_*`` environment and real hook tools on PATH that answer
from that file. This package never imports the framework, the model or the reactive
layer: it only starts processes and answers hook tools.

Layout of a model directory: ``model.db``; ``bin/`` (the hook tools and a ``python3``
that is the interpreter running reactops); ``units/<app>-<n>/charm`` (each unit's copy
of its charm, where its ``.unit-state.db`` lives; see :func:`unit_charm_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ._bundle import AppSpec, Bundle, bundle_from_charm_dirs, load_bundle
from ._model import LocalModel, unit_charm_dir
from ._state import App, HookRun, LocalModelError, Relation, Unit

__all__ = ['DEFAULT_MODEL_DIR', 'App', 'AppSpec', 'Bundle', 'HookRun', 'LocalModel',
           'LocalModelError', 'Relation', 'Unit', 'bundle_from_charm_dirs', 'load_bundle',
           'model_dir', 'unit_charm_dir']

#: Where the model lives unless ``--model-dir`` or ``$REACTOPS_MODEL_DIR`` says otherwise.
DEFAULT_MODEL_DIR = '.reactops'


def model_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """The model directory: *given*, else ``$REACTOPS_MODEL_DIR``, else ``.reactops``."""
    return Path(given or os.environ.get('REACTOPS_MODEL_DIR') or DEFAULT_MODEL_DIR)
