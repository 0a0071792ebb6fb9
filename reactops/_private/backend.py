"""The model's one way to Juju: :class:`ModelBackend`, a thin typed layer over the hook tools.

Every method runs one hook tool through :mod:`reactops.hookcmds` and returns what Juju
printed, in Juju's own shapes (dicts, lists and strings); :mod:`reactops.model` turns those
into objects and caches them for the dispatch. The one cache kept here is leadership,
because Juju's leadership lease guarantees it for 30 seconds.

This class is also the seam a test harness replaces: a simulated backend implements the
same methods over an in-memory model, and everything above it runs unchanged.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping

from .. import hookcmds
from ..errors import ModelError, RelationNotFoundError
from ..jujucontext import JujuContext, JujuVersion
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime
    from typing import Any, Literal

__all__ = ['LEADERSHIP_TTL', 'ModelBackend']

LEADERSHIP_TTL = 30.0
"""Seconds an ``is-leader`` answer is trusted: Juju guarantees a leader keeps its lease
at least this long after the tool said so."""

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

    def __init__(self, context: JujuContext | None = None):
        self._juju_context = JujuContext._from_dict() if context is None else context
        self.unit_name: str = self._juju_context.unit_name or ''
        self.app_name: str = self._juju_context.app_name or ''
        self.model_name: str = self._juju_context.model_name or ''
        self.model_uuid: str = self._juju_context.model_uuid or ''
        self.juju_version: JujuVersion = self._juju_context.version
        self._hook_is_running: str = ''
        self._leader: bool | None = None
        self._leader_checked_at = 0.0
        self._action_params: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.unit_name or "(no unit)"}>'

    # -- configuration, leadership, the unit -------------------------------------------

    def config_get(self) -> dict[str, bool | int | float | str]:
        """The application's config: every option that is set or has a default."""
        return hookcmds.config_get()

    def is_leader(self) -> bool:
        """Whether this unit leads its application; asks Juju at most every 30 seconds."""
        now = time.monotonic()
        if self._leader is None or now - self._leader_checked_at >= LEADERSHIP_TTL:
            self._leader = hookcmds.is_leader()
            self._leader_checked_at = now
        return self._leader

    def application_version_set(self, version: str) -> None:
        """Show *version* as the workload version in ``juju status``."""
        hookcmds.application_version_set(version)

    def goal_state(self) -> dict[str, Any]:
        """The units and relations the application will have once settled (``goal-state``)."""
        return hookcmds.goal_state()

    def credential_get(self) -> dict[str, Any]:
        """The cloud spec with its credential (``credential-get``; needs ``juju trust``)."""
        return hookcmds.credential_get()

    def reboot(self, now: bool = False) -> None:
        """Reboot the machine after this hook, or with *now* at once.

        With *now* Juju kills the hook and runs it again after the reboot, so this exits
        the process at once: no code after the call may run. A simulated backend records
        the request instead.
        """
        hookcmds.juju_reboot(now=now)
        if now:
            sys.exit(0)

    # -- relations -----------------------------------------------------------------------

    def relation_ids(self, endpoint: str) -> list[int]:
        """The ids of the live relations on *endpoint*."""
        return hookcmds.relation_ids(endpoint)

    def relation_list(self, relation_id: int, endpoint: str) -> list[str]:
        """The names of the remote units that joined the relation."""
        return hookcmds.relation_list(relation_id, endpoint)

    def relation_remote_app_name(self, relation_id: int, endpoint: str) -> str | None:
        """The remote application of a relation, or ``None`` when the relation is gone.

        For the relation of the running event it is ``JUJU_REMOTE_APP`` (no tool run);
        otherwise ``relation-list --app``.
        """
        context = self._juju_context
        if context.relation_id == relation_id and context.remote_app:
            return context.remote_app
        try:
            return hookcmds.relation_list(relation_id, endpoint, app=True)
        except RelationNotFoundError:
            return None

    def relation_get(self, relation_id: int, endpoint: str, member: str,
                     is_app: bool) -> dict[str, str]:
        """The data bag of *member* (a unit, or with *is_app* an application)."""
        self._check_app_data(is_app)
        return hookcmds.relation_get(relation_id, endpoint, member, app=is_app)

    def relation_set(self, relation_id: int, endpoint: str, data: Mapping[str, str],
                     is_app: bool) -> None:
        """Update our unit's bag (with *is_app*, our application's); ``''`` deletes a key."""
        self._check_app_data(is_app)
        hookcmds.relation_set(relation_id, endpoint, data, app=is_app)

    def relation_model_get(self, relation_id: int, endpoint: str) -> dict[str, str]:
        """The remote side's model of a relation: ``{'uuid': ...}`` (Juju 3.6.2+)."""
        return hookcmds.relation_model_get(relation_id, endpoint)

    def _check_app_data(self, is_app: bool) -> None:
        if is_app and not self.juju_version.has_app_data():
            raise RuntimeError(
                f'application data bags need Juju 2.7 or later, and this is Juju '
                f'{self.juju_version}: use unit data bags, or upgrade the controller')

    # -- status and logging ----------------------------------------------------------------

    def status_get(self, is_app: bool = False) -> dict[str, Any]:
        """Our unit's (with *is_app*, our application's) status: ``status``, ``message``."""
        return hookcmds.status_get(app=is_app)

    def status_set(self, status: str, message: str = '', is_app: bool = False) -> None:
        """Set our unit's (with *is_app*, our application's) workload status."""
        hookcmds.status_set(status, message, app=is_app)

    def juju_log(self, level: str, message: str) -> None:
        """Write *message* to the unit's log at *level* (``DEBUG``, ``INFO``, ...)."""
        hookcmds.juju_log(message, level=level)

    # -- ports, storage, resources, network ----------------------------------------------

    def open_port(self, protocol: str, port: int | None = None) -> None:
        """Open *port*/*protocol* (or ``icmp``) for this unit."""
        hookcmds.open_port(protocol, port)

    def close_port(self, protocol: str, port: int | None = None) -> None:
        """Close a port opened with :meth:`open_port`."""
        hookcmds.close_port(protocol, port)

    def opened_ports(self) -> list[str]:
        """The unit's opened ports as Juju prints them: ``80/tcp``, ``icmp``, ``8000-8010/udp``."""
        return hookcmds.opened_ports()

    def storage_list(self, name: str) -> list[int]:
        """The indexes of the attached instances of storage *name* (``data/3`` gives 3)."""
        indexes = []
        for storage_id in hookcmds.storage_list(name):
            _, _, index = str(storage_id).rpartition('/')
            indexes.append(int(index))
        return indexes

    def storage_get(self, storage_id: str, attribute: str) -> str:
        """One attribute (``location`` or ``kind``) of storage instance *storage_id*."""
        value = hookcmds.storage_get(storage_id).get(attribute)
        if value is None:
            raise ModelError(
                f'storage-get printed no {attribute!r} for {storage_id}',
                command=['storage-get', '--format=json', '-s', storage_id])
        return str(value)

    def storage_add(self, name: str, count: int = 1) -> None:
        """Ask Juju for *count* more instances of storage *name*."""
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f'storage count must be an int, not {count!r}')
        hookcmds.storage_add({name: count})

    def resource_get(self, name: str) -> str:
        """The local path of charm resource *name* (Juju downloads it first if needed)."""
        return str(hookcmds.resource_get(name))

    def network_get(self, binding: str, relation_id: int | None = None) -> dict[str, Any]:
        """``network-get`` for an endpoint binding, optionally for one relation of it."""
        return hookcmds.network_get(binding, relation_id=relation_id)

    # -- actions -------------------------------------------------------------------------

    def action_get(self) -> dict[str, Any]:
        """The running action's parameters (read once: they do not change while it runs)."""
        if self._action_params is None:
            self._action_params = hookcmds.action_get()
        return dict(self._action_params)

    def action_set(self, results: Mapping[str, Any]) -> None:
        """Add to the action's results; nested mappings become dotted keys (``a.b``)."""
        hookcmds.action_set(_flatten_results(results))

    def action_log(self, message: str) -> None:
        """Send a progress message to whoever runs the action."""
        hookcmds.action_log(message)

    def action_fail(self, message: str = '') -> None:
        """Mark the running action as failed."""
        hookcmds.action_fail(message)

    # -- secrets -------------------------------------------------------------------------

    def secret_get(self, *, id: str | None = None, label: str | None = None,
                   refresh: bool = False, peek: bool = False) -> dict[str, str]:
        """A secret's content (the tracked revision; latest with *refresh* or *peek*)."""
        return hookcmds.secret_get(id, label=label, refresh=refresh, peek=peek)

    def secret_info_get(self, *, id: str | None = None,
                        label: str | None = None) -> dict[str, Any]:
        """A secret's metadata as Juju prints it, plus ``id`` (by id if given, else label)."""
        if id is not None:
            return hookcmds.secret_info_get(id)
        return hookcmds.secret_info_get(label=label)

    def secret_add(self, content: Mapping[str, str], *, label: str | None = None,
                   description: str | None = None, expire: datetime.datetime | None = None,
                   rotate: str | None = None,
                   owner: Literal['application', 'unit'] | None = None) -> str:
        """Create a secret; return its id. The content goes to Juju in files, never argv."""
        return hookcmds.secret_add(content, label=label, description=description,
                                   expire=expire, rotate=rotate, owner=owner)

    def secret_set(self, id: str, *, content: Mapping[str, str] | None = None,
                   label: str | None = None, description: str | None = None,
                   expire: datetime.datetime | None = None, rotate: str | None = None) -> None:
        """Update a secret we own: new content makes a new revision."""
        hookcmds.secret_set(id, content=content, label=label, description=description,
                            expire=expire, rotate=rotate)

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        """Let the remote app of a relation (or one of its units) read a secret."""
        hookcmds.secret_grant(id, relation_id, unit=unit)

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        """Withdraw a grant made with :meth:`secret_grant`."""
        hookcmds.secret_revoke(id, relation_id=relation_id, unit=unit)

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        """Remove one revision of a secret we own, or (without *revision*) all of it."""
        hookcmds.secret_remove(id, revision=revision)

    # -- metrics -------------------------------------------------------------------------

    def add_metrics(self, metrics: Mapping[str, int | float],
                    labels: Mapping[str, str] | None = None) -> None:
        """Record metrics (collect-metrics hook only), with optional labels."""
        values: dict[str, float | str] = {}
        for key, value in metrics.items():
            if not isinstance(key, str) or not re.match(_METRIC_KEY, key):
                raise ValueError(f'invalid metric key {key!r}: use letters, digits, "_" '
                                 f'and "-", starting with a letter')
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f'metric {key!r} must be an int or a float, not {value!r}')
            values[key] = value
        for name, label in (labels or {}).items():
            if not re.match(_METRIC_KEY, name) or not isinstance(label, str) or (
                    ',' in label or '=' in label or not label):
                raise ValueError(f'invalid metric label {name}={label!r}: names as metric '
                                 f'keys, values non-empty without "," or "="')
        hookcmds.add_metric(values, labels)


def _flatten_results(results: Mapping[str, Any], prefix: str = '',
                     into: dict[str, str] | None = None) -> dict[str, str]:
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
