"""``main()``: turn one process that Juju started into one dispatch of the charm.

The order of a dispatch: read the ``JUJU_*`` context; run a legacy ``hooks/<event>``
executable if the charm still has one; open the state store; build the model and the
charm; re-deliver deferred events; emit the Juju event; collect statuses; commit. Any
exception is logged through ``juju-log`` with its traceback, nothing is committed, and
the process exits 1 so that Juju retries the hook.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from ._private.lazylog import configure_root, get_logger, root_level
from ._private.lazypath import path_text
from ._private.typing import TYPE_CHECKING, Protocol
from .charm import (
    ActionEvent,
    CharmBase,
    RelationDepartedEvent,
    RelationEvent,
    SecretEvent,
    StorageEvent,
    _SecretRevisionEvent,
    evaluate_status,
)
from .errors import ActionParamsError, ReactopsError
from .framework import BoundEvent, Framework
from .jujucontext import JujuContext, JujuEnvironmentError, event_name_from_dispatch_path
from .meta import CharmMeta
from .storage import SQLiteStorage

if TYPE_CHECKING:
    from typing import Any

__all__ = ['CHARM_STATE_FILE', 'STATE_FILE', 'DispatchError', 'DispatchExtension', 'hook_name_of',
           'main']

logger = get_logger('reactops')

# Set while a dispatch runs, so a charm that runs its own dispatch again is noticed.
_REENTRY_VARIABLE = 'REACTOPS_DISPATCHING'
# Hooks in which Juju allows only a few hook tools: no deferred events, no collect-status.
_RESTRICTED_EVENTS = frozenset({'collect_metrics', 'meter_status_changed'})
STATE_FILE = '.unit-state.db'
CHARM_STATE_FILE = STATE_FILE  # ops' name
# Parsed metadata between hooks, so that most hooks never import PyYAML (see CharmMeta).
META_CACHE_FILE = '.reactops-meta.json'


class DispatchError(ReactopsError):
    """Juju asked for something this charm cannot be dispatched for (a bad dispatch path)."""


class DispatchExtension(Protocol):
    """A layer above the charm that takes part in the dispatch (the reactive layer does).

    ``start`` runs once the framework exists, before the charm is built; ``after_event``
    after the Juju event was emitted (before collect-status); ``stop`` always, last.
    """

    def start(self, framework: Framework, hook_name: str) -> None: ...

    def after_event(self, charm: CharmBase, restricted: bool) -> None: ...

    def stop(self) -> None: ...


def main(charm_class: type[CharmBase], use_juju_for_storage: bool | None = None, *,
         extensions: Sequence[DispatchExtension] = ()) -> None:
    """Run the Juju event of this process on *charm_class*, then return or exit non-zero.

    Call it from the charm's entry point: ``if __name__ == '__main__': main(MyCharm)``.
    State is always kept in ``<charm dir>/.unit-state.db``; controller-side storage
    (``use_juju_for_storage=True``) is not supported.
    """
    if use_juju_for_storage:
        raise ValueError('reactops keeps unit state in .unit-state.db; controller-side '
                         'storage (use_juju_for_storage=True) is not supported')
    dispatch = Dispatch(charm_class, dispatch_context(), extensions)
    if os.environ.get(_REENTRY_VARIABLE):
        # A legacy hook that is a copy of (or calls) the charm: the outer process dispatches.
        from ._private.backend import ModelBackend

        dispatch._setup_root_logging(ModelBackend(dispatch.context))
        logger.debug('Charm called itself via %s.',
                     os.environ.get('JUJU_DISPATCH_PATH', sys.argv[0]))
        return
    run_dispatch_process(dispatch)


def dispatch_context() -> JujuContext:
    """The ``JUJU_*`` context of this hook process. A variable no hook can run with (a unit
    name with path parts, a malformed version, ...) ends the process: one line naming it
    on stderr, exit status 1, nothing run or written."""
    try:
        return JujuContext._for_dispatch()
    except JujuEnvironmentError as error:
        print(f'reactops: {error}', file=sys.stderr)
        sys.exit(1)


def run_dispatch_process(dispatch: Dispatch) -> None:
    """Run *dispatch* as this process's one dispatch; exit with its code if non-zero.

    An exception from the charm propagates, as from ops' ``main``: the process's
    ``sys.excepthook`` (set here) logs it to Juju, and Python exits with status 1.
    """
    os.environ[_REENTRY_VARIABLE] = '1'
    # Everything imported so far (modules, classes, functions: most of the process's
    # objects) lives until the process ends, so the cycle collector need not walk it again,
    # neither during the dispatch nor at exit, where that walk alone costs a hook about
    # 4 ms. Objects the dispatch makes (the charm, its files) are still collected.
    gc.freeze()
    sys.excepthook = dispatch.report_uncaught
    try:
        code = dispatch.run(propagate=True)
    finally:
        os.environ.pop(_REENTRY_VARIABLE, None)
    if code:
        sys.exit(code)


class Dispatch:
    """One dispatch: built from the charm class and the Juju context, run once."""

    def __init__(self, charm_class: type[CharmBase], context: JujuContext,
                 extensions: Sequence[DispatchExtension] = ()):
        self.charm_class = charm_class
        self.context = context
        self.extensions = list(extensions)

    def run(self, *, propagate: bool = False) -> int:
        """Dispatch and return the exit code (0 success, 1 failure, or a legacy hook's).

        With *propagate*, an exception from the charm is raised rather than reported and
        turned into 1.
        """
        from ._private.backend import ModelBackend

        backend = ModelBackend(self.context)
        self._setup_root_logging(backend)
        try:
            return self.execute(backend)
        except _Abort as abort:
            return abort.exit_code
        except Exception as error:
            if propagate:
                raise
            self.report_uncaught(type(error), error, error.__traceback__)
            return 1

    def report_uncaught(self, kind: type[BaseException], error: BaseException,
                        tb: Any) -> None:
        """Log an exception that ended the dispatch (a ``sys.excepthook``): its traceback
        to Juju's log, a ``sys_crash`` security event, and one line on stderr."""
        logger.error('Uncaught exception while in charm code:', exc_info=(kind, error, tb))
        from ._private.security import WARN, log_security_event

        log_security_event(WARN, 'sys_crash', kind.__name__,
                           description=f'Uncaught exception in charm code: {error!r}.')
        where = self.context.dispatch_path or 'the charm'
        print(f'{where} failed: {kind.__name__}: {error}', file=sys.stderr)
        if self.context.action_name is not None:
            print('Use `juju debug-log` to see the full traceback.', file=sys.stderr)

    def _setup_root_logging(self, backend: Any) -> None:
        """Route Python logging to juju-log, once something imports ``logging`` (a quiet
        hook never pays for it)."""
        debug = self.context.debug
        # Each record is a juju-log process, so a charm written for reactops sends INFO and
        # above unless asked (REACTOPS_LOG_LEVEL, JUJU_DEBUG). A charm written for ops
        # (it imported `ops`) gets ops' DEBUG, so its debug records reach `juju debug-log`
        # wherever the model's logging-config lets them through, as they would on ops.
        speaks_ops = _speaks_ops()
        level = root_level(debug=debug or speaks_ops)

        def route_logging_to_juju() -> None:
            import logging  # already imported: this runs once something imported it

            previous = sys.excepthook
            setup_root_logging(backend, debug=debug,
                               exc_stderr=self.context.action_name is not None)
            if getattr(previous, '__self__', None) is self:
                sys.excepthook = previous  # this dispatch's report, with its stderr line
            logging.getLogger().setLevel(level)

        configure_root(route_logging_to_juju, level)
        from . import __version__

        logger.debug('%s %s up and running.', 'ops' if speaks_ops else 'reactops', __version__)

    def event_name(self) -> str:
        """The event to emit, from JUJU_DISPATCH_PATH or a legacy ``hooks/<name>`` argv[0]."""
        path = self.context.dispatch_path
        if path:
            if not (path.startswith('hooks/') or path.startswith('actions/')):
                raise DispatchError(
                    f'JUJU_DISPATCH_PATH={path!r} is not a Juju hook or action path '
                    "(expected 'hooks/<hook>' or 'actions/<action>')")
            return event_name_from_dispatch_path(path)
        # Without a dispatch path (Juju before 2.8 ran hooks/<name> itself), the program's
        # file name is the hook's, as ops takes it; an unknown event is skipped with a warning.
        return event_name_from_dispatch_path(f'hooks/{os.path.basename(sys.argv[0])}')

    def execute(self, backend: Any, *, meta: CharmMeta | None = None,
                state_file: str | os.PathLike[str] | None = None) -> int:
        """Dispatch through *backend*, raising whatever the charm raises.

        :func:`main` runs it over the hook tools; a test harness passes a simulated
        backend, the metadata it was given and a state file of its own.
        """
        from .model import Model

        context = self.context
        event_name = self.event_name()
        charm_dir = path_text(context, 'charm_dir')  # text: no pathlib unless the charm asks
        assert charm_dir is not None
        if meta is None:
            meta = CharmMeta.from_charm_root(
                charm_dir, cache_file=os.path.join(charm_dir, META_CACHE_FILE))
        if event_name.endswith('_action'):
            action = event_name[:-len('_action')].replace('_', '-')
            if action not in meta.actions and action.replace('-', '_') not in meta.actions:
                raise DispatchError(f'Juju ran action {action!r}, which actions.yaml does '
                                    f'not define (known: {", ".join(sorted(meta.actions))})')
            _check_action_params(meta, action, backend)
        legacy_code = self._run_legacy_hook(charm_dir)
        if legacy_code:
            return legacy_code
        restricted = event_name in _RESTRICTED_EVENTS
        model = Model(meta, backend,
                      broken_relation_id=(context.relation_id
                                          if event_name.endswith('_relation_broken') else None),
                      remote_unit_name=context.remote_unit_name)
        state_path = os.fspath(state_file or os.path.join(charm_dir, STATE_FILE))
        # Asked for its log lines only: controller-side storage is not supported (see main).
        _should_use_controller_storage(state_path, meta, context)
        storage = SQLiteStorage(state_path)
        framework = Framework(storage, charm_dir, meta, model, event_name=event_name,
                              juju_debug_at=set(context.debug_at))
        old_breakpointhook = framework.set_breakpointhook()
        started: list[DispatchExtension] = []
        try:
            for extension in self.extensions:
                extension.start(framework, hook_name_of(context.dispatch_path, event_name))
                started.append(extension)
            with framework._event_context('__init__'):
                charm = self.charm_class(framework)
            if not restricted:
                framework.reemit()
            self._emit_charm_event(event_name, charm, framework)
            for extension in self.extensions:
                extension.after_event(charm, restricted)
            if not restricted:
                evaluate_status(charm)
            framework.commit()
        finally:
            for extension in reversed(started):
                extension.stop()
            framework.close()
            if old_breakpointhook is not None:  # None: the framework did not replace it
                sys.breakpointhook = old_breakpointhook
        return 0

    def _emit_charm_event(self, event_name: str, charm: CharmBase,
                          framework: Framework) -> None:
        """Emit the Juju event *event_name* on *charm* (ops' name and first argument)."""
        bound: BoundEvent | None = getattr(charm.on, event_name, None)
        if bound is None:
            if event_name != 'meter_status_changed':
                logger.warning('Juju sent %s, which %s does not define (not in its metadata?); '
                               'nothing to do.', event_name, type(charm).__name__)
            return
        logger.debug('Emitting Juju event %s.', event_name)
        bound.emit(*self._event_args(framework, bound))

    def _event_args(self, framework: Framework, bound: BoundEvent) -> list[Any]:
        context, model = self.context, framework.model
        event_type = bound.event_type
        if issubclass(event_type, RelationEvent):
            relation = model.get_relation(context.relation_name, context.relation_id)
            remote_unit = context.remote_unit_name
            unit = model.get_unit(remote_unit) if remote_unit else None
            app = (model.get_app(context.remote_app_name) if context.remote_app_name
                   else unit.app if unit is not None else None)
            args: list[Any] = [relation, app, unit]
            if issubclass(event_type, RelationDepartedEvent):
                args.append(context.relation_departing_unit_name)
            return args
        if issubclass(event_type, StorageEvent):
            assert context.storage_name is not None and context.storage_index is not None
            found = [s for s in model.storages[context.storage_name]
                     if s.index == context.storage_index]
            storage = (found[0] if found else
                       model.storages._storage_for(context.storage_name, context.storage_index))
            _ = storage.location  # read now, so the event's snapshot carries it
            return [storage]
        if issubclass(event_type, ActionEvent):
            return [context.action_uuid]
        if issubclass(event_type, SecretEvent):
            args = [context.secret_id, context.secret_label]
            if issubclass(event_type, _SecretRevisionEvent):
                args.append(context.secret_revision)
            return args
        # The workload events are loaded only for charms with containers.
        workload = sys.modules.get('reactops._private.workload_events')
        if workload is not None and issubclass(event_type, workload.WorkloadEvent):
            PebbleNoticeEvent, PebbleCheckEvent = (  # noqa: N806
                workload.PebbleNoticeEvent, workload.PebbleCheckEvent)
            assert context.workload_name is not None
            args = [model.unit.get_container(context.workload_name)]
            if issubclass(event_type, PebbleNoticeEvent):
                args += [context.notice_id, context.notice_type, context.notice_key]
            elif issubclass(event_type, PebbleCheckEvent):
                args.append(context.pebble_check_name)
            return args
        return []

    def _run_legacy_hook(self, charm_dir: Any) -> int:
        """Run ``<charm dir>/<dispatch path>`` if it is another executable; return its code.

        *charm_dir* is text (typed ``Any`` only while overrides still declare ``Path``)."""
        path = self.context.dispatch_path
        if not path:
            return 0
        hook = os.path.join(charm_dir, path)
        if not os.path.exists(hook):
            return 0
        if not os.access(hook, os.X_OK):
            logger.warning('Legacy %s exists but is not executable.', path)
            return 0
        if os.path.realpath(hook) == os.path.realpath(sys.argv[0]):
            logger.debug('Legacy %s is just a link to ourselves.', path)
            return 0
        # Legacy hooks are deprecated: their logic belongs in the charm's handlers.
        logger.info('Running legacy %s.', path)
        import subprocess

        try:
            code = subprocess.run([str(hook), *sys.argv[1:]], check=False).returncode
        except OSError as error:
            logger.warning('Unable to run legacy %s: %s', path, error)
            return 1
        if code:
            logger.warning('Legacy %s exited with status %d.', path, code)
        else:
            logger.debug('Legacy %s exited with status 0.', path)
        return code


_Manager = Dispatch  # ops' name for the class that runs one dispatch


def _speaks_ops() -> bool:
    """Whether the charm was written for ops: it imported reactops by that name."""
    ops = sys.modules.get('ops')
    return ops is not None and ops is sys.modules.get('reactops')


class _Abort(Exception):  # noqa: N818 - ops' name
    """Stop the dispatch now and exit with *exit_code*, committing nothing (ops' name).

    Raised where the charm has already told Juju what is wrong, e.g. it set a blocked
    status because its config is invalid; exit code 0 means Juju will not retry the hook.
    """

    def __init__(self, exit_code: int):
        super().__init__()
        self.exit_code = exit_code


def setup_root_logging(backend: Any, debug: bool = False, exc_stderr: bool = False) -> Any:
    """:func:`reactops.log.setup_root_logging`, imported only when logging is set up."""
    from .log import setup_root_logging as setup

    return setup(backend, debug=debug, exc_stderr=exc_stderr)


def _should_use_controller_storage(db_path: str, meta: CharmMeta,
                                   juju_context: JujuContext) -> bool:
    """Whether ops would keep this unit's state in Juju (``state-set``), not in *db_path*.

    Only a Kubernetes podspec charm (``series: [kubernetes]``) on a Juju with controller
    storage, that has no local state file yet, would. reactops itself always keeps a
    local file; this answers the question as ops does, for code that asks it.
    """
    if os.path.exists(db_path):
        return False
    if 'kubernetes' not in (getattr(meta, 'series', None) or ()):
        logger.debug('Using local storage: not a Kubernetes podspec charm')
        return False
    if juju_context.version.has_controller_storage():
        logger.debug('Using controller storage: JUJU_VERSION=%s', juju_context.version)
        return True
    logger.debug('Using local storage: JUJU_VERSION=%s', juju_context.version)
    return False


def _check_action_params(meta: CharmMeta, action: str, backend: Any) -> None:
    """Refuse parameters that break the action's schema, before any handler sees them."""
    from ._private.meta_validate import action_param_problems

    spec = meta.actions.get(action) or meta.actions[action.replace('-', '_')]
    problems = action_param_problems(backend.action_get(), spec.parameters, spec.required,
                                     spec.additional_properties)
    if problems:
        raise ActionParamsError(
            f'action {action!r} was run with parameters that break its schema in '
            f'actions.yaml: {"; ".join(problems)}. Juju checks them against the deployed '
            "charm's actions.yaml, so the two differ: refresh the charm, or fix the schema")


def hook_name_of(dispatch_path: str, event_name: str) -> str:
    """Juju's name for the running hook or action (``db-relation-changed``, ``do-backup``)."""
    if dispatch_path:
        return dispatch_path.rsplit('/', 1)[-1]
    name = event_name[:-len('_action')] if event_name.endswith('_action') else event_name
    return name.replace('_', '-')
