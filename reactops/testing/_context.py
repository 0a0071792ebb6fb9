"""State-transition tests: :class:`Context` runs one event on a charm against a :class:`State`.

``ctx.run(ctx.on.install(), State(...))`` builds a fresh charm as Juju does for every
hook, runs the real dispatch (deferred events, the event, the reactive handlers,
collect-status, commit) over a :class:`~reactops.testing._backend.SimulatedBackend` and a
state file of its own, and returns a new :class:`State`. The inputs are never changed;
side effects are recorded on the context (``ctx.juju_log``, ``ctx.action_results``, ...).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._main import Dispatch, DispatchExtension, _Abort
from ..charm import CharmBase
from ..framework import EventBase, Framework
from ..jujucontext import JujuContext, JujuVersion
from ..log import JujuLogHandler
from ..meta import CharmMeta
from ._backend import SimulatedBackend
from ._charm_loading import (
    _check_args,
    _directory,
    _level,
    _load_spec,
    _meta_from_spec,
)
from ._consistency import check_consistency
from ._events import CharmEvents, Event, _Event
from ._harness_results import ActionFailed, ExecArgs
from ._run_bridge import _environ, _RunBridge
from ._spec import _CharmSpec
from ._state import State
from ._state_parts import JujuLogLine, _EntityStatus
from ._state_relations import PeerRelation
from .errors import UncaughtCharmError

if TYPE_CHECKING:
    from ._manager import Manager

__all__ = ['ActionFailed', 'Context', 'Event', 'UncaughtCharmError']

_DEFAULT_JUJU_VERSION = '3.6.14'



def _bare_charm_errors() -> bool:
    """Whether ``SCENARIO_BARE_CHARM_ERRORS`` asks for the charm's own exceptions
    (``true`` in any case, or a non-zero number) instead of :class:`UncaughtCharmError`."""
    value = os.environ.get('SCENARIO_BARE_CHARM_ERRORS', 'false')
    return value.lower() == 'true' or (value.isdigit() and int(value) != 0)


class _TestDispatch(Dispatch):
    """The real dispatch, minus legacy ``hooks/<name>`` executables (a test runs no
    subprocess: a legacy reactive charm's hook stubs would run the charm a second time),
    plus custom events and the pause a :class:`~reactops.testing.Manager` asks for."""

    def __init__(self, charm_class: type[CharmBase], context: JujuContext,
                 extensions: list[DispatchExtension], *, event: _Event, pause: Any):
        super().__init__(charm_class, context, extensions)
        self._event = event
        self._pause = pause

    def _run_legacy_hook(self, charm_dir: Path) -> int:
        return 0

    def _emit_charm_event(self, event_name: str, charm: CharmBase,
                          framework: Framework) -> None:
        if self._pause is not None:
            self._pause.charm_ready(charm)
        for extension in self.extensions:
            if isinstance(extension, _RunBridge):
                extension.recording = True  # what comes now is not a deferred event
                extension._main_started = True
        if self._event.custom_event is None:
            super()._emit_charm_event(event_name, charm, framework)
            return
        from ._custom import emit_custom

        emit_custom(charm, self._event)


class Context:
    """How to run a charm in tests: its class, metadata and unit (``ops.testing.Context``).

    *charm_type* is a :class:`~reactops.charm.CharmBase` subclass (reactops also takes
    the path of a reactive or legacy charm directory). The metadata comes from *meta*
    (``metadata.yaml`` content, or a whole ``charmcraft.yaml``), *actions* and *config*;
    given none of them, from the charm root of the class (``charmcraft.yaml``, else
    ``metadata.yaml``, ``actions.yaml``, ``config.yaml``). The unit is
    ``<app_name>/<unit_id>``; *charm_root* is the charm directory the charm sees.
    """

    def __init__(self, charm_type: type[CharmBase] | str | os.PathLike[str],
                 meta: Mapping[str, Any] | None = None, *,
                 actions: Mapping[str, Any] | None = None,
                 config: Mapping[str, Any] | None = None,
                 charm_root: str | os.PathLike[str] | None = None,
                 juju_version: str = _DEFAULT_JUJU_VERSION,
                 capture_deferred_events: bool = False,
                 capture_framework_events: bool = False, app_name: str | None = None,
                 unit_id: int | None = 0, machine_id: str | None = None,
                 availability_zone: str | None = None, principal_unit: str | None = None,
                 app_trusted: bool = False, log_level: str | int = 'DEBUG'):
        unit_id = 0 if unit_id is None else unit_id
        _check_args(unit_id, juju_version, app_name, meta, actions, config)
        self.juju_version = juju_version
        self.unit_id = unit_id
        self.app_trusted = bool(app_trusted)
        self.capture_deferred_events = capture_deferred_events
        self.capture_framework_events = capture_framework_events
        self._machine_id = machine_id
        self._availability_zone = availability_zone
        self._principal_unit = principal_unit
        self.log_level = _level(log_level)
        self._tmp: Path | None = None
        self._cleanup: weakref.finalize[Any, Any] | None = None
        self.charm_root = charm_root
        root = None if charm_root is None else _directory(charm_root, 'charm_root')
        is_dir = isinstance(charm_type, str | os.PathLike)
        self._charm_spec, source_root = _load_spec(charm_type, meta, actions, config)
        self.charm_type = self._charm_spec.charm_type
        self._meta: CharmMeta | None = None  # parsed on first use, as ops does at the run
        self.app_name = app_name or str(self._charm_spec.meta.get('name') or '')
        # Handlers are discovered in the real charm directory; a class given with its
        # metadata as dicts gets an empty temporary one.
        self._charm_dir = root or (source_root if is_dir or self._charm_spec.is_autoloaded
                                   else None)
        self.on = CharmEvents()
        self._reactive: bool | None = True if is_dir else None
        self._output_state: State | None = None
        self.juju_log: list[JujuLogLine] = []
        self.unit_status_history: list[_EntityStatus] = []
        self.app_status_history: list[_EntityStatus] = []
        self.workload_version_history: list[str] = []
        self.removed_secret_revisions: list[int] = []
        self.exec_history: dict[str, list[ExecArgs]] = {}
        self.requested_storages: dict[str, int] = {}
        self.emitted_events: list[EventBase] = []
        self.action_logs: list[str] = []
        self.action_results: dict[str, Any] | None = None
        self.reactive_trace: list[dict[str, Any]] = []
        self.handlers_run: list[str] = []
        self.metrics: list[tuple[dict[str, float], dict[str, str]]] = []
        self.reboot_requested = False

    # -- lifetime ------------------------------------------------------------------------

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary directories (storage mounts, a generated charm root)."""
        if self._cleanup is not None:
            self._cleanup()

    def _temp(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix='reactops-testing-'))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        return self._tmp

    @property
    def charm_dir(self) -> Path:
        """The charm directory the charm sees (``self.charm_dir``)."""
        if self._charm_dir is None:
            self._charm_dir = self._temp() / 'charm'
            self._charm_dir.mkdir(exist_ok=True)
        return self._charm_dir

    @property
    def meta(self) -> CharmMeta:
        """The charm's metadata, actions and config, parsed (on first use)."""
        if self._meta is None:
            self._meta = _meta_from_spec(self._charm_spec, self.juju_version)
        return self._meta

    @property
    def charm_spec(self) -> _CharmSpec[CharmBase]:
        """Deprecated: the charm class and its metadata (use ``State.from_context`` to
        build a State from the metadata)."""
        import warnings

        warnings.warn('Use State.from_context to generate a State from charm metadata.',
                      DeprecationWarning, stacklevel=2)
        return self._charm_spec

    def _get_storage_root(self, name: str, index: int) -> Path:
        """Where storage ``name/index`` is mounted in this context's runs."""
        root = self._temp() / 'storage' / name / str(index)
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _get_container_root(self, container_name: str) -> Path:
        """The directory that stands for a container's filesystem."""
        return self._temp() / 'containers' / container_name

    @property
    def _tmp_path(self) -> Path:
        """This context's temporary directory (container filesystems, storage)."""
        return self._temp()

    # -- running -------------------------------------------------------------------------

    def __call__(self, event: _Event, state: State) -> Manager:
        """A context manager that builds the charm on entry, so a test can reach it
        (``mgr.charm``) before and after ``mgr.run()`` emits the event."""
        from ._manager import Manager

        return Manager(self, event, state)

    def run_action(self, action: str, state: State) -> None:
        """Gone: use ``ctx.run(ctx.on.action(name), state)``."""
        raise AttributeError(f'call with `ctx.run`, like `ctx.run(ctx.on.action({action!r})` '
                             f'and find the results in `ctx.action_results`')

    def run(self, event: _Event, state: State) -> State:
        """Run *event* on a fresh charm against *state*; return the state after it.

        Raises :class:`~reactops.testing.errors.InconsistentScenarioError` for a state
        Juju could not produce, :class:`UncaughtCharmError` if the charm raises, and
        :class:`ActionFailed` (carrying the output state) if an action called ``fail``.
        """
        self._check_event(event)
        return self._run(event, state, None)

    def _check_event(self, event: object) -> None:
        if isinstance(event, str):
            name = event.replace('-', '_')
            hint = {'secret_changed': '(my_secret)', 'secret_rotate': '(my_secret)',
                    'secret_expired': '(my_secret, revision=1)',
                    'secret_remove': '(my_secret, revision=1)',
                    'storage_attached': '(my_storage)', 'storage_detaching': '(my_storage)',
                    'pebble_ready': '(my_container)',
                    'pebble_custom_notice': '(my_container, my_notice)'}.get(name)
            if hint is None and name.startswith('relation_'):
                hint = '(my_relation)'
            if hint is None and hasattr(CharmEvents, name):
                hint = '()'
            suggested = f'{name}{hint}' if hint else 'event()'
            raise TypeError(f'call with an event from `ctx.on`, like `ctx.on.{suggested}`')
        if callable(event):
            raise TypeError('You should call the event method. Did you forget to add '
                            'parentheses?')
        if not isinstance(event, _Event):
            raise TypeError(f'run() takes an event from ctx.on (e.g. ctx.on.install()), '
                            f'not {event!r}')

    def _run(self, event: _Event, state: State, pause: Any) -> State:
        """One run; *pause* (a manager) is told when the charm exists and waits there."""
        if not isinstance(state, State):
            raise TypeError(f'run() takes a reactops.testing.State, not {state!r}')
        if 'name' not in self._charm_spec.meta:
            # Juju cannot deploy a charm without a name (ops fails on it the same way).
            raise KeyError("the charm metadata has no 'name': add one to meta= or to "
                           "the charm's charmcraft.yaml/metadata.yaml")
        if event.action is not None:
            self.action_logs = []
            self.action_results = None
        check_consistency(state, event, self.meta, juju_version=self.juju_version,
                          app_name=self.app_name, unit_id=self.unit_id)
        context = self._juju_context(event, state)
        if pause is not None:
            pause._juju_context = context  # what ops.testing's manager shows
        workloads = None
        if self.meta.containers:
            from ._scenario_workload import Workloads

            workloads = Workloads(state, self._get_container_root, self.exec_history)
        backend = SimulatedBackend(state, self.meta, context,
                                   action_params=self._action_params(event),
                                   storage_root=self._temp() / 'storage'
                                   if self.meta.storages else None,
                                   trusted=self.app_trusted, workloads=workloads)
        bridge = _RunBridge(state, self.charm_type.handle_kind,
                            framework_events=self.capture_framework_events,
                            deferred_events=self.capture_deferred_events)
        env = dict(os.environ)
        os.environ.update(_environ(context))
        restore = self._write_metadata_files()
        try:
            self._dispatch(event, context, backend, bridge, pause)
        except Exception as error:
            # _Abort(0) ends the hook early but successfully: Juju does not retry it.
            if not (isinstance(error, _Abort) and error.exit_code == 0):
                self.juju_log.extend(backend.juju_log_lines)
                if isinstance(error, ActionFailed) or _bare_charm_errors():
                    raise
                raise UncaughtCharmError(
                    f'{self.charm_type.__name__} raised {type(error).__name__} while '
                    f'handling {event.name}: {error}') from error
        finally:
            os.environ.clear()
            os.environ.update(env)
            restore()
        if bridge.error is not None:
            raise bridge.error
        stored = dict(bridge.stored)
        trace = stored.pop('trace')
        output = backend.output_state(**stored)
        self._record(backend, bridge, trace, is_action=event.action is not None)
        self._output_state = output
        if backend.action_failure is not None:
            raise ActionFailed(backend.action_failure, state=output)
        return output

    def _write_metadata_files(self) -> Any:
        """In a given *charm_root*, the charm's files say what the Context was given (as
        ops.testing does) for the run; the returned function puts back what was there."""
        if self.charm_root is None or self._charm_spec.is_autoloaded:
            return lambda: None
        import yaml

        spec, root = self._charm_spec, Path(self.charm_root)
        files = {'metadata.yaml': dict(spec.meta)}
        if spec.actions is not None:
            files['actions.yaml'] = dict(spec.actions)
        if spec.config is not None:
            files['config.yaml'] = dict(spec.config)
        before = {name: (root / name).read_bytes() if (root / name).exists() else None
                  for name in files}
        for name, content in files.items():
            (root / name).write_text(yaml.safe_dump(content))

        def restore() -> None:
            for name, old in before.items():
                if old is None:
                    (root / name).unlink(missing_ok=True)
                else:
                    (root / name).write_bytes(old)

        return restore

    def _dispatch(self, event: _Event, context: JujuContext, backend: SimulatedBackend,
                  bridge: _RunBridge, pause: Any) -> None:
        extensions: list[DispatchExtension] = [bridge]
        if self._wants_reactive():
            from ..reactive._dispatch import ReactiveExtension

            extensions.append(ReactiveExtension())
        handler = JujuLogHandler(backend, self.log_level)
        root = logging.getLogger()
        old_level = root.level
        root.setLevel(self.log_level)
        root.addHandler(handler)
        try:
            if backend._workloads is not None:
                # Inside the juju-log handler: a warning about leftover files is recorded.
                backend._workloads.prepare(self.meta.containers)
            _TestDispatch(self.charm_type, context, extensions, event=event,
                          pause=pause).execute(backend, meta=self.meta,
                                               state_file=Path(':memory:'))
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)

    def _wants_reactive(self) -> bool:
        if self._reactive is None:
            from ..reactive._detect import wants_reactive

            self._reactive = wants_reactive(self.charm_type, self.charm_dir)
        return self._reactive

    def _record(self, backend: SimulatedBackend, recorder: _RunBridge,
                trace: list[dict[str, Any]], *, is_action: bool) -> None:
        self.juju_log.extend(backend.juju_log_lines)
        self.unit_status_history.extend(_EntityStatus.from_ops(s)
                                        for s in backend.unit_status_history)
        self.app_status_history.extend(_EntityStatus.from_ops(s)
                                       for s in backend.app_status_history)
        self.workload_version_history.extend(backend.workload_version_history)
        if is_action:
            self.action_logs.extend(backend.action_logs)
            if backend.action_results_set:
                self.action_results = dict(backend.action_results_set)
        for name, count in backend.requested_storages.items():
            self.requested_storages[name] = self.requested_storages.get(name, 0) + count
        self.removed_secret_revisions.extend(backend.removed_secret_revisions)
        self.emitted_events.extend(recorder.events)
        self.reactive_trace = trace
        self.handlers_run = [step['run'] for step in trace if 'run' in step]
        self.metrics.extend(backend.metrics)
        self.reboot_requested = backend.reboot_requested

    def _remote_unit(self, event: _Event) -> tuple[str | None, str | None, str | None]:
        """The remote app, remote unit and departing unit of a relation event."""
        relation = event.relation
        if relation is None or not event._is_relation_event:
            return None, None, None
        app = self.app_name if isinstance(relation, PeerRelation) else \
            str(getattr(relation, 'remote_app_name', 'remote'))
        unit_id = event.relation_remote_unit_id
        if unit_id is None and not event.name.endswith(('_relation_created',
                                                        '_relation_broken')):
            ids = relation._remote_unit_ids
            unit_id = ids[0] if ids else None
            log = logging.getLogger('reactops.testing')
            if len(ids) > 1:
                log.warning('remote unit ID unset, and multiple remote unit IDs are present; '
                            'using the first, %s/%s: pass remote_unit= to say which',
                            app, unit_id)
            elif not ids:
                log.warning('remote unit ID unset; no remote unit data present, so the event '
                            'has no remote unit: pass remote_unit= if Juju would name one')
            else:
                log.info('remote unit ID unset: using the only remote unit, %s/%s',
                         app, unit_id)
        if unit_id is None:
            return app, None, None
        unit = f'{app}/{unit_id}'
        departing = None
        if event.name.endswith('_relation_departed'):
            departed = event.relation_departed_unit_id
            departing = f'{app}/{departed}' if departed else unit
        return app, unit, departing

    def _juju_context(self, event: _Event, state: State) -> JujuContext:
        storage, secret, relation = event.storage, event.secret, event.relation
        remote_app, remote_unit, departing = self._remote_unit(event)
        action, notice = event.action, event.notice
        return JujuContext(
            dispatch_path=event.dispatch_path, hook_name=event.hook_name,
            unit_name=f'{self.app_name}/{self.unit_id}', model_name=state.model.name,
            model_uuid=state.model.uuid, version=JujuVersion(self.juju_version),
            charm_dir=self.charm_dir, machine_id=self._machine_id,
            availability_zone=self._availability_zone,
            principal_unit=self._principal_unit,
            action_name=action.name if action else None,
            action_uuid=action.id if action else None,
            relation_name=relation.endpoint if relation is not None else None,
            relation_id=relation.id if relation is not None else None,
            remote_app_name=remote_app, remote_unit_name=remote_unit,
            relation_departing_unit_name=departing,
            storage_name=storage.name if storage is not None else None,
            storage_index=storage.index if storage is not None else None,
            secret_id=secret.id if secret is not None else None,
            secret_label=secret.label if secret is not None else None,
            secret_revision=event.secret_revision,
            workload_name=event.container.name if event.container is not None else None,
            notice_id=notice.id if notice is not None else None,
            notice_key=notice.key if notice is not None else None,
            notice_type=str(getattr(notice.type, 'value', notice.type))
            if notice is not None else None,
            pebble_check_name=event.check_info.name if event.check_info is not None else None)

    def _action_params(self, event: _Event) -> dict[str, Any] | None:
        if event.action is None:
            return None
        import copy

        params = copy.deepcopy(dict(event.action.params or {}))
        action = self.meta.actions.get(event.action.name)
        for name, schema in (action.parameters.items() if action is not None else ()):
            if name not in params and isinstance(schema, Mapping) and 'default' in schema:
                params[name] = copy.deepcopy(schema['default'])
        return params
