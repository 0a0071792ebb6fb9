"""``reactops.legacy.main()``: run a built charms.reactive charm, unchanged, on reactops.

A built legacy charm's ``hooks/<hook>`` scripts (or its ``dispatch``) call this instead
of ``charms.reactive.main()``. One call is one dispatch of reactops (one transaction, the
reactive dispatch rules of ``docs/flags-and-handlers.md``) with what charms.reactive's
``main()`` added around it:

1. the import shim is installed and ``lib/`` put on ``sys.path`` (as layer-basic's hook
   template did), ``JUJU_HOOK_NAME`` set for external handlers; for an action under
   ``dispatch``, the charm's ``actions/<name>`` script runs instead, outside a dispatch
   (:mod:`._actions`);
2. the first dispatch after charms.reactive maps its memory keys (:mod:`._upgrade`);
3. handlers are discovered in ``reactive/``, ``hooks/reactive/`` and ``hooks/relations/``
   (Python modules, and executables speaking the ``--test``/``--invoke`` protocol);
4. ``hookenv.atstart`` callbacks run before the handlers, ``hookenv.atexit`` callbacks
   after them (reverse order) when they succeeded; then the dispatch commits.
5. ``SystemExit`` with status 0 (or none) from an ``atstart`` callback or a handler ends
   the handlers early and the hook still succeeds: the ``atexit`` callbacks run and the
   dispatch commits, as charms.reactive's ``main()`` did (layer-apt stops a hook so on a
   bad config, after setting a blocked status). Any other status fails the hook.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .._main import _REENTRY_VARIABLE, Dispatch, dispatch_context, run_dispatch_process
from ..jujucontext import JujuContext
from ..reactive._dispatch import ReactiveCharm, ReactiveExtension
from . import _session
from ._shim import install

__all__ = ['LegacyExtension', 'main']


class LegacyExtension(ReactiveExtension):
    """The reactive layer's part in a dispatch, with charms.reactive's ``main()`` around
    it: the session of the charmhelpers shim, ``atstart``/``atexit``, external handlers
    and the in-place upgrade."""

    def __init__(self) -> None:
        super().__init__(run_handlers=True)
        self.external: list[Any] = []

    def start(self, framework: Any, hook_name: str) -> None:
        _session.begin()
        super().start(framework, hook_name)
        os.environ.setdefault('JUJU_HOOK_NAME', hook_name)

    def before_dispatch(self, registry: Any, charm_dir: Path) -> None:
        from ._external import add_external_handlers
        from .hookenv import _run_atstart

        assert self.runtime is not None
        self.external = add_external_handlers(registry, charm_dir, self.runtime)
        _upgrade_in_place(self.runtime.storage, registry, charm_dir)
        _run_atstart()

    def after_event(self, charm: Any, restricted: bool) -> None:
        from .hookenv import _run_atexit

        try:
            super().after_event(charm, restricted)
        except SystemExit as stop:
            if stop.code not in (None, 0):
                raise
            self._stopped_early(charm)
        if not restricted:
            _run_atexit()

    def _stopped_early(self, charm: Any) -> None:
        # What the end of the dispatch would still have done: a departing unit leaves its
        # conversation (charms.reactive did that at exit too).
        from .hookenv import log

        log('reactops: the hook stopped early (SystemExit(0)); the remaining handlers do '
            'not run, the atexit callbacks do and the hook succeeds', level='INFO')
        if self.runtime is None:
            return
        from ..reactive.automatic import clear_hook_flags

        clear_hook_flags(self.runtime)  # stopped in an atstart callback: not done yet
        context = charm.model._backend._juju_context
        if context.hook_name.endswith('-relation-departed'):
            from ..reactive.relations import manage_departures

            manage_departures(self.runtime, context)


def _upgrade_in_place(storage: Any, registry: Any, charm_dir: Path) -> None:
    from ..reactive.helpers import _name
    from ..reactive.predicates import FileChanged
    from ._upgrade import MARKER_KEY, map_legacy_keys, needs_upgrade

    if storage.kv_get(MARKER_KEY) is not None:
        return
    if not needs_upgrade(storage):
        storage.kv_set(MARKER_KEY, True)  # a fresh unit: nothing to carry over
        return
    watchers = [(handler.id, [_name(f) for p in handler.predicates
                              if isinstance(p, FileChanged) for f in p.files])
                for handler in registry]
    done = map_legacy_keys(storage, charm_dir, [w for w in watchers if w[1]])
    from .hookenv import log

    log(f'reactops: carried on from charms.reactive\'s state ({len(done["invoked"])} '
        f'@only_once and {len(done["files"])} @when_file_changed records mapped)',
        level='INFO')


class _LegacyDispatch(Dispatch):
    """A dispatch whose ``hooks/<hook>`` files are this entry point itself (or
    layer-basic's template calling it), never separate legacy hooks to run first."""

    def _run_legacy_hook(self, charm_dir: Path) -> int:
        return 0


def _prepare_environment(context: JujuContext) -> None:
    charm_dir = context.charm_dir
    lib = str(charm_dir / 'lib')
    if lib not in sys.path:
        sys.path.append(lib)
    if not context.dispatch_path and Path(sys.argv[0]).parent.name == 'hooks':
        os.environ['JUJU_DISPATCH_PATH'] = f'hooks/{Path(sys.argv[0]).name}'


def _standalone_store_open() -> bool:
    """Whether this process opened the unit's state file outside a dispatch
    (``unitdata.kv()``, or flags read or set before ``main()``)."""
    unitdata = sys.modules.get(f'{__package__}.unitdata')
    stores: list[Any] = getattr(unitdata, '_KV', None) or []
    return bool(stores) and not stores[0]._shared  # not a finished dispatch's


def main() -> None:
    """Run this process's hook for a legacy reactive charm (see the module docstring);
    exit non-zero if it fails, so Juju retries it. Under ``dispatch``, an action runs the
    charm's ``actions/<name>`` script instead (see :mod:`._actions`)."""
    import logging

    from ._actions import action_script, in_action_script, run_action_script

    install()
    if os.environ.get(_REENTRY_VARIABLE):
        logging.getLogger('reactops').warning(
            'reactops.legacy.main() called during a dispatch; not dispatching again.')
        return
    _prepare_environment(dispatch_context())
    context = dispatch_context()  # again: the dispatch path may have just been set
    script = action_script(context.charm_dir, context.dispatch_path)
    if script is not None:
        run_action_script(script)
        return
    if in_action_script() or _standalone_store_open():
        # Code outside a dispatch (an action script, run by dispatch or by Juju itself)
        # calls main(): what it changed so far is committed, and its store closed, so the
        # dispatch can open the state file (handlers never run for an action).
        from .unitdata import kv

        kv().flush()
        _session.forget()
    run_dispatch_process(_LegacyDispatch(ReactiveCharm, context, [LegacyExtension()]))
