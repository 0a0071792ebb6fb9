"""The model's one way to Juju: :class:`ModelBackend`, a thin typed layer over the hook tools.

Every method runs one hook tool through :mod:`reactops._private.hooktools` and returns what Juju
printed, in Juju's own shapes (dicts, lists and strings); :mod:`reactops.model` turns those
into objects and caches them for the dispatch. The one cache kept here is leadership,
because Juju's leadership lease guarantees it for 30 seconds.

This class is also the seam a test harness replaces: a simulated backend implements the
same methods over an in-memory model, and everything above it runs unchanged.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Mapping

from ..errors import ModelError, RelationNotFoundError, SecretNotFoundError
from ..jujucontext import JujuContext, JujuVersion
from . import hooktools as hookcmds
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Iterator
    from typing import Any, Literal, TypeVar

    from .. import pebble

    _T = TypeVar('_T')

__all__ = ['LEADERSHIP_TTL', 'MAX_LOG_LINE_LEN', 'ModelBackend']

LEADERSHIP_TTL = 30.0
"""Seconds an ``is-leader`` answer is trusted: Juju guarantees a leader keeps its lease
at least this long after the tool said so."""

MAX_LOG_LINE_LEN = 131071
"""The longest message one ``juju-log`` call takes (a longer one is sent in parts)."""

MAX_LOG_RECORD_LEN = 4 * MAX_LOG_LINE_LEN
"""The most of one message sent to ``juju-log``: a longer one keeps its start and its end,
with a line saying how much was cut, so one huge message costs a few tool runs, not
hundreds (nobody reads megabytes in ``juju debug-log``)."""

# The tools that name a relation, whose failure may mean the relation is gone.
_RELATION_TOOLS = frozenset({'relation-ids', 'relation-list', 'relation-get', 'relation-set',
                             'relation-model-get', 'network-get'})

# Compiled on first use (re caches them): most hooks never check a key.
_METRIC_KEY = r'^[a-zA-Z](?:[a-zA-Z0-9_-]*[a-zA-Z0-9])?$'
_ACTION_KEY = r'^[a-z0-9](?:[a-z0-9-.]*[a-z0-9])?$'


class ModelBackend:
    """This unit's channel to Juju: one method per request, each one hook tool run.

    Built from the dispatch's :class:`~reactops.jujucontext.JujuContext` (read from the
    environment when not given). :attr:`_hook_is_running` holds the name of the event whose
    charm code is running (``''`` outside one); the framework sets it, and the model applies
    Juju's relation data access rules only while it is set.
    """

    def __init__(self, unit_name: str | JujuContext | None = None,
                 model_name: str | None = None, model_uuid: str | None = None,
                 juju_context: JujuContext | None = None):
        # ModelBackend(context) is reactops' older call form; the named arguments are ops'
        # (_ModelBackend(unit_name, model_name, model_uuid, juju_context)), which charm
        # libraries and tests use: a name given overrides the context's.
        if isinstance(unit_name, JujuContext):
            juju_context, unit_name = unit_name, None
        context = JujuContext._from_dict() if juju_context is None else juju_context
        self._juju_context = context
        self.unit_name: str = unit_name or context.unit_name or ''
        self.app_name: str = self.unit_name.partition('/')[0] or context.app_name or ''
        self.model_name: str = model_name or context.model_name or ''
        self.model_uuid: str = model_uuid or context.model_uuid or ''
        self.juju_version: JujuVersion = self._juju_context.version
        self._hook_is_running: str = ''
        # ops' names: some charm tests reset _leader_check_time to force a fresh question.
        self._is_leader: bool | None = None
        self._leader_check_time: float | None = None
        self._action_params: dict[str, Any] | None = None
        self._peer_endpoints: frozenset[str] = frozenset()
        """Our peer endpoints (the model sets them): their app bag is open to every unit."""

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.unit_name or "(no unit)"}>'

    def _call(self, tool: str, run: Callable[[], _T], *,
              app_bag_of: str | None = None) -> _T:
        """Run one hook tool through *run*, turning its failure into ops' errors.

        A relation tool that fails because the relation is gone raises
        :class:`RelationNotFoundError`; a secret tool that finds no secret,
        :class:`SecretNotFoundError`; any other failure, :class:`ModelError` with the
        tool's stderr. A refusal for lack of rights is also logged as a security event.
        *app_bag_of* names the endpoint when *tool* reads or writes our own app's bag.
        """
        try:
            return run()
        except _tool_errors() as error:
            stderr = getattr(error, 'stderr', None)
            if stderr is None:  # not a tool's refusal (no tool on PATH, bad output, ...)
                raise
            lowered = stderr.lower()
            if self._relation_is_gone(tool, lowered, app_bag_of):
                if isinstance(error, RelationNotFoundError):
                    raise
                raise RelationNotFoundError(stderr) from error
            from .security import check_hook_tool_failure

            returncode = int(getattr(error, 'returncode', None) or 1)
            check_hook_tool_failure(tool, returncode, stderr, self._cached_leadership())
            if isinstance(error, ModelError):
                raise  # the tool runner chose the precise class already
            not_found = tool.startswith('secret-') and 'not found' in lowered
            raise (SecretNotFoundError if not_found else ModelError)(stderr) from error

    def _relation_is_gone(self, tool: str, stderr: str, app_bag_of: str | None) -> bool:
        """Whether a relation tool failed because Juju no longer has the relation.

        Juju says so as "relation not found", or (from the controller, e.g. after a
        forced removal of a cross-model relation) as "permission denied", which is also
        how it refuses a follower our own app's bag; only that case is a real refusal.
        """
        if tool not in _RELATION_TOOLS:
            return False
        import re  # a failed relation tool only

        if re.search(r'relation (\d+ )?not found', stderr):
            return True
        if 'permission denied' not in stderr:
            return False
        if app_bag_of is not None:
            return app_bag_of in self._peer_endpoints or self.is_leader()
        return True

    def _cached_leadership(self) -> bool | None:
        """Leadership as last asked, if Juju's lease still vouches for it; else ``None``."""
        checked = self._leader_check_time
        if checked is None or time.monotonic() - checked > LEADERSHIP_TTL:
            return None
        return self._is_leader

    # -- configuration, leadership, the unit -------------------------------------------

    def config_get(self) -> dict[str, bool | int | float | str]:
        """The application's config: every option that is set or has a default."""
        return self._call('config-get', hookcmds.config_get)

    def is_leader(self) -> bool:
        """Whether this unit leads its application; asks Juju at most every 30 seconds."""
        leader = self._cached_leadership()
        if leader is None:
            now = time.monotonic()
            leader = self._is_leader = self._call('is-leader', hookcmds.is_leader)
            self._leader_check_time = now  # the lease counts from before the question
        return leader

    def application_version_set(self, version: str) -> None:
        """Show *version* as the workload version in ``juju status``."""
        self._call('application-version-set',
                   lambda: hookcmds.application_version_set(version))

    def goal_state(self) -> dict[str, Any]:
        """The units and relations the application will have once settled (``goal-state``)."""
        return self._call('goal-state', hookcmds.goal_state)

    def planned_units(self) -> int:
        """How many units Juju plans for our application: the goal state's, less the dying."""
        units = self.goal_state().get('units') or {}
        return sum(1 for goal in units.values() if (goal or {}).get('status') != 'dying')

    def get_pebble(self, socket_path: str) -> pebble.Client:
        """A Pebble client for the container whose socket Juju put at *socket_path*.

        ``REACTOPS_CONTAINERS_DIR`` moves the sockets, ``/charm/containers/<name>/...``
        becoming ``$REACTOPS_CONTAINERS_DIR/<name>/...``: the local model and tests serve
        Pebble where they can (ops has no such setting). A testing backend answers with a
        simulated Pebble instead.
        """
        import os

        from .. import pebble

        moved = os.environ.get('REACTOPS_CONTAINERS_DIR')
        prefix = '/charm/containers/'
        if moved and socket_path.startswith(prefix):
            socket_path = os.path.join(moved, socket_path[len(prefix):])
        return pebble.Client(socket_path=socket_path)

    def credential_get(self) -> dict[str, Any]:
        """The cloud spec with its credential (``credential-get``; needs ``juju trust``)."""
        return self._call('credential-get', hookcmds.credential_get)

    def pod_spec_set(self, spec: Mapping[str, Any],
                     k8s_resources: Mapping[str, Any] | None = None) -> None:
        """Give Juju the pod spec (and Kubernetes resources) of a podspec charm, as YAML files."""
        import tempfile

        import yaml

        from .hooktool_runner import run

        with tempfile.TemporaryDirectory(prefix='reactops-pod-spec-') as folder:
            args = ['--file', os.path.join(folder, 'spec.yaml')]
            with open(args[1], 'w', encoding='utf-8') as file:
                yaml.safe_dump(dict(spec), file)
            if k8s_resources:
                args += ['--k8s-resources', os.path.join(folder, 'k8s-resources.yaml')]
                with open(args[3], 'w', encoding='utf-8') as file:
                    yaml.safe_dump(dict(k8s_resources), file)
            self._call('pod-spec-set', lambda: run('pod-spec-set', args))

    def reboot(self, now: bool = False) -> None:
        """Reboot the machine after this hook, or with *now* at once.

        With *now* Juju kills the hook and runs it again after the reboot, so this exits
        the process at once: no code after the call may run. A simulated backend records
        the request instead. Either way it is logged as a security event first.
        """
        from .security import SYS_RESTART, WARN, log_security_event

        log_security_event(WARN, SYS_RESTART, str(os.getuid()),
                           description=f'Rebooting unit {self.unit_name!r} in model '
                                       f'{self.model_name!r}')
        self._call('juju-reboot', lambda: hookcmds.juju_reboot(now=now))
        if now:
            sys.exit(0)

    # -- relations -----------------------------------------------------------------------

    def relation_ids(self, endpoint: str) -> list[int]:
        """The ids of the live relations on *endpoint*."""
        return self._call('relation-ids', lambda: hookcmds.relation_ids(endpoint))

    def relation_list(self, relation_id: int, endpoint: str) -> list[str]:
        """The names of the remote units that joined the relation."""
        return self._call('relation-list', lambda: hookcmds.relation_list(relation_id, endpoint))

    def relation_remote_app_name(self, relation_id: int, endpoint: str) -> str | None:
        """The remote application of a relation, or ``None`` when the relation is gone.

        For the relation of the running event it is ``JUJU_REMOTE_APP`` (no tool run);
        otherwise ``relation-list --app``.
        """
        context = self._juju_context
        if context.relation_id == relation_id and context.remote_app_name:
            return context.remote_app_name
        try:
            return self._call('relation-list',
                              lambda: hookcmds.relation_list(relation_id, endpoint, app=True))
        except RelationNotFoundError:
            return None

    def relation_get(self, relation_id: int, endpoint: str, member: str,
                     is_app: bool) -> dict[str, str]:
        """The data bag of *member* (a unit, or with *is_app* an application)."""
        _check_bool('is_app', is_app)
        self._check_app_data(is_app)
        own_app_bag = endpoint if is_app and member == self.app_name else None
        return self._call('relation-get', lambda: hookcmds.relation_get(
            relation_id, endpoint, member, app=is_app), app_bag_of=own_app_bag)

    def relation_set(self, relation_id: int, endpoint: str, data: Mapping[str, str],
                     is_app: bool) -> None:
        """Update our unit's bag (with *is_app*, our application's); ``''`` deletes a key."""
        _check_bool('is_app', is_app)
        self._check_app_data(is_app)
        self._call('relation-set', lambda: hookcmds.relation_set(
            relation_id, endpoint, data, app=is_app), app_bag_of=endpoint if is_app else None)

    def relation_model_get(self, relation_id: int, endpoint: str) -> dict[str, str]:
        """The remote side's model of a relation: ``{'uuid': ...}`` (Juju 3.6.2+)."""
        return self._call('relation-model-get',
                          lambda: hookcmds.relation_model_get(relation_id, endpoint))

    def _check_app_data(self, is_app: bool) -> None:
        if is_app and not self.juju_version.has_app_data():
            raise RuntimeError(
                f'application data bags need Juju 2.7 or later, and this is Juju '
                f'{self.juju_version}: use unit data bags, or upgrade the controller')

    # -- status and logging ----------------------------------------------------------------

    def status_get(self, *, is_app: bool = False) -> dict[str, Any]:
        """Our unit's (with *is_app*, our application's) status: ``status``, ``message``."""
        _check_bool('is_app', is_app)
        return self._call('status-get', lambda: hookcmds.status_get(app=is_app))

    def status_set(self, status: str, message: str = '', *, is_app: bool = False) -> None:
        """Set our unit's (with *is_app*, our application's) workload status."""
        _check_bool('is_app', is_app)
        if not isinstance(message, str):
            raise TypeError(f'a status message must be a str, not {type(message).__name__}')
        self._call('status-set', lambda: hookcmds.status_set(status, message, app=is_app))

    @classmethod
    def log_split(cls, message: str,
                  max_len: int = MAX_LOG_LINE_LEN) -> Iterator[str]:
        """*message* in parts of at most *max_len* characters (after a notice, if split)."""
        if len(message) > max_len:
            yield f'Log string greater than {max_len}. Splitting into multiple chunks: '
        while message:
            yield message[:max_len]
            message = message[max_len:]

    def juju_log(self, level: str, message: str) -> None:
        """Write *message* to the unit's log at *level* (``DEBUG``, ``INFO``, ...).

        At most :data:`MAX_LOG_RECORD_LEN` characters of it: the middle of a longer one is
        cut, and the cut is said.
        """
        def send(part: str) -> None:
            hookcmds.juju_log(part, level=level)

        for part in self.log_split(_bounded_log_message(message)):
            self._call('juju-log', functools.partial(send, part))

    # -- ports, storage, resources, network ----------------------------------------------

    def open_port(self, protocol: str, port: int | None = None) -> None:
        """Open *port*/*protocol* (or ``icmp``) for this unit."""
        self._call('open-port', lambda: hookcmds.open_port(protocol, port))

    def close_port(self, protocol: str, port: int | None = None) -> None:
        """Close a port opened with :meth:`open_port`."""
        self._call('close-port', lambda: hookcmds.close_port(protocol, port))

    def opened_ports(self) -> list[str]:
        """The unit's opened ports as Juju prints them: ``80/tcp``, ``icmp``, ``8000-8010/udp``."""
        return self._call('opened-ports', hookcmds.opened_ports)

    def storage_list(self, name: str) -> list[int]:
        """The indexes of the attached instances of storage *name* (``data/3`` gives 3)."""
        indexes = []
        for storage_id in self._call('storage-list', lambda: hookcmds.storage_list(name)):
            _, _, index = str(storage_id).rpartition('/')
            indexes.append(int(index))
        return indexes

    def storage_get(self, storage_id: str, attribute: str) -> str:
        """One attribute (``location`` or ``kind``) of storage instance *storage_id*."""
        value = self._call('storage-get',
                           lambda: hookcmds.storage_get(storage_id)).get(attribute)
        if value is None:
            raise ModelError(
                f'storage-get printed no {attribute!r} for {storage_id}',
                command=['storage-get', '--format=json', '-s', storage_id])
        return str(value)

    def storage_add(self, name: str, count: int = 1) -> None:
        """Ask Juju for *count* more instances of storage *name*."""
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f'storage count must be an int, not {count!r}')
        self._call('storage-add', lambda: hookcmds.storage_add({name: count}))

    def resource_get(self, name: str) -> str:
        """The local path of charm resource *name* (Juju downloads it first if needed)."""
        return str(self._call('resource-get', lambda: hookcmds.resource_get(name)))

    def network_get(self, binding: str, relation_id: int | None = None) -> dict[str, Any]:
        """``network-get`` for an endpoint binding, optionally for one relation of it."""
        return self._call('network-get',
                          lambda: hookcmds.network_get(binding, relation_id=relation_id))

    # -- actions -------------------------------------------------------------------------

    def action_get(self) -> dict[str, Any]:
        """The running action's parameters (read once: they do not change while it runs)."""
        if self._action_params is None:
            self._action_params = self._call('action-get', hookcmds.action_get)
        return dict(self._action_params)

    def action_set(self, results: Mapping[str, Any]) -> None:
        """Add to the action's results; nested mappings become dotted keys (``a.b``)."""
        flat = _flatten_results(results)
        self._call('action-set', lambda: hookcmds.action_set(flat))

    def action_log(self, message: str) -> None:
        """Send a progress message to whoever runs the action."""
        self._call('action-log', lambda: hookcmds.action_log(message))

    def action_fail(self, message: str = '') -> None:
        """Mark the running action as failed."""
        self._call('action-fail', lambda: hookcmds.action_fail(message))

    # -- secrets -------------------------------------------------------------------------

    def secret_get(self, *, id: str | None = None, label: str | None = None,
                   refresh: bool = False, peek: bool = False) -> dict[str, str]:
        """A secret's content (the tracked revision; latest with *refresh* or *peek*)."""
        return self._call('secret-get', lambda: hookcmds.secret_get(
            id, label=label, refresh=refresh, peek=peek))

    def secret_info_get(self, *, id: str | None = None,
                        label: str | None = None) -> dict[str, Any]:
        """A secret's metadata as Juju prints it, plus ``id`` (by id if given, else label)."""
        if id is not None:
            return self._call('secret-info-get', lambda: hookcmds.secret_info_get(id))
        return self._call('secret-info-get', lambda: hookcmds.secret_info_get(label=label))

    def secret_add(self, content: Mapping[str, str], *, label: str | None = None,
                   description: str | None = None, expire: datetime.datetime | None = None,
                   rotate: str | None = None,
                   owner: Literal['application', 'unit'] | None = None) -> str:
        """Create a secret; return its id. The content goes to Juju in files, never argv."""
        return self._call('secret-add', lambda: hookcmds.secret_add(
            content, label=label, description=description, expire=expire, rotate=rotate,
            owner=owner))

    def secret_set(self, id: str, *, content: Mapping[str, str] | None = None,
                   label: str | None = None, description: str | None = None,
                   expire: datetime.datetime | None = None, rotate: str | None = None) -> None:
        """Update a secret we own: new content makes a new revision."""
        self._call('secret-set', lambda: hookcmds.secret_set(
            id, content=content, label=label, description=description, expire=expire,
            rotate=rotate))

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        """Let the remote app of a relation (or one of its units) read a secret."""
        self._call('secret-grant', lambda: hookcmds.secret_grant(id, relation_id, unit=unit))

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        """Withdraw a grant made with :meth:`secret_grant`."""
        self._call('secret-revoke',
                   lambda: hookcmds.secret_revoke(id, relation_id=relation_id, unit=unit))

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        """Remove one revision of a secret we own, or (without *revision*) all of it."""
        self._call('secret-remove', lambda: hookcmds.secret_remove(id, revision=revision))

    # -- metrics -------------------------------------------------------------------------

    def add_metrics(self, metrics: Mapping[str, int | float],
                    labels: Mapping[str, str] | None = None) -> None:
        """Record metrics (collect-metrics hook only), with optional labels.

        Keys and label names start with a letter and use letters, digits, ``_`` and
        ``-``; values are finite numbers of at least 0; label values are non-empty, without
        ``,`` or ``=``. Anything else raises :class:`ModelError` before Juju is asked.
        """
        values = _check_metrics(metrics, labels)
        self._call('add-metric', lambda: hookcmds.add_metric(values, labels))


_ModelBackend = ModelBackend
"""ops' name for the backend class (``ops.model._ModelBackend``), which charm libraries reach."""


def _check_metrics(metrics: Mapping[str, int | float],
                   labels: Mapping[str, str] | None) -> dict[str, float | str]:
    """*metrics* if they and *labels* are what ``add-metric`` takes; else :class:`ModelError`."""
    import math
    import re

    values: dict[str, float | str] = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not re.match(_METRIC_KEY, key):
            raise ModelError(f'invalid metric key {key!r}: use letters, digits, "_" '
                             f'and "-", starting with a letter')
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or value < 0):
            raise ModelError(f'invalid value for metric {key!r}: {value!r}; it must be '
                             f'a finite number, 0 or more')
        values[key] = value
    for name, label in (labels or {}).items():
        if not isinstance(name, str) or not re.match(_METRIC_KEY, name):
            raise ModelError(f'invalid metric label name {name!r}: use letters, digits, '
                             f'"_" and "-", starting with a letter')
        if not isinstance(label, str) or not label or ',' in label or '=' in label:
            raise ModelError(f'invalid value for metric label {name}: {label!r}; it must '
                             f'be a non-empty string without "," or "="')
    return values


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be True or False, not {value!r}')


def _tool_errors() -> tuple[type[Exception], ...]:
    """What a failing hook tool raises: ModelError, and ops-style ``hookcmds.Error``."""
    ops_style = getattr(hookcmds, 'Error', None)
    if (isinstance(ops_style, type) and issubclass(ops_style, Exception)
            and not issubclass(ops_style, ModelError)):
        return (ModelError, ops_style)
    return (ModelError,)


def _flatten_results(results: Mapping[str, Any], prefix: str = '',
                     into: dict[str, str] | None = None) -> dict[str, str]:
    import re  # actions with results only

    flat: dict[str, str] = {} if into is None else into
    for key, value in results.items():
        if not isinstance(key, str) or not re.match(_ACTION_KEY, key):
            raise ValueError(
                f'invalid action result key {key!r}: use lowercase letters, digits and "-", '
                f'e.g. "result" or "some-key"; "." nests')
        full = f'{prefix}.{key}' if prefix else key
        if isinstance(value, Mapping):
            _flatten_results(value, full, flat)
        elif full in flat:
            raise ValueError(f'action result key {full!r} is given twice (once nested, '
                             f'once dotted): keep one of them')
        else:
            flat[full] = str(value)
    return flat


def _bounded_log_message(message: str, limit: int = MAX_LOG_RECORD_LEN) -> str:
    """*message*, or its start and end with a note of how many characters were cut."""
    if len(message) <= limit:
        return message
    half = (limit - 200) // 2
    cut = len(message) - 2 * half
    return (f'{message[:half]}\n[... {cut} characters cut: reactops sends at most {limit} '
            f'characters of one message to juju-log ...]\n{message[-half:]}')
