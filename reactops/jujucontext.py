"""What Juju tells a charm process through its environment: the ``JUJU_*`` variables.

:meth:`JujuContext.from_environ` reads them as ops does: a variable Juju always sets for the
running hook (``JUJU_DISPATCH_PATH``, ``JUJU_UNIT_NAME``, ``JUJU_RELATION_ID`` in a relation
hook, ...) must be there, else :class:`ValueError`. ``JujuContext._from_dict`` reads
whatever is there (the dispatch itself uses it, as ops' ``main`` does).

:meth:`JujuContext._for_dispatch` is what ``main()`` dispatches with: it also refuses a
unit name that is empty, lacks ``/<number>`` or has path parts, a malformed relation id or
version, and a missing ``JUJU_VERSION`` (Juju sets it for every hook but the restricted
metrics ones), each as one :class:`JujuEnvironmentError` naming the variable. The formats
are those of :mod:`reactops._private.jujunames`.

This module is at the bottom of the house: it imports nothing from reactops but the
version class, the root error, the name formats and the small record helper its dataclass
uses at run time.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Callable, Mapping

from ._private import jujunames
from ._private.lazypath import PathOnRead
from ._private.typing import cast
from .errors import ReactopsError
from .jujuversion import JujuVersion

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from pathlib import Path
    from typing import TypeVar

    _T = TypeVar('_T')
else:  # the same classes, without dataclasses' start-up cost in every hook
    from ._private.record import dataclass, field

__all__ = ['JujuContext', 'JujuEnvironmentError', 'JujuVersion',
           'event_name_from_dispatch_path']

# Hooks Juju runs with a restricted environment, which may lack JUJU_VERSION.
_RESTRICTED_HOOKS = frozenset({'collect-metrics', 'meter-status-changed'})


class JujuEnvironmentError(ReactopsError, ValueError):
    """A ``JUJU_*`` variable a hook cannot run with (missing or malformed); the message
    names it, and :attr:`variable` holds its name."""

    def __init__(self, variable: str, problem: str):
        super().__init__(f'{variable} {problem}')
        self.variable = variable


def event_name_from_dispatch_path(path: str) -> str:
    """The event name for a dispatch path: ``hooks/db-relation-changed`` gives
    ``db_relation_changed``, ``actions/do-backup`` gives ``do_backup_action``, ``''`` gives
    ``''``."""
    if not path:
        return ''
    head, name = posixpath.split(path.rstrip('/'))
    name = name.replace('-', '_')
    return f'{name}_action' if posixpath.basename(head.rstrip('/')) == 'actions' else name


def _default_charm_dir() -> str:
    # A packed charm holds reactops in <charm>/venv/reactops/, so the charm is two up from here.
    here = os.path.realpath(__file__)
    return os.path.dirname(os.path.dirname(os.path.dirname(here)))


def _charm_dir(env: Mapping[str, str]) -> str:
    """``JUJU_CHARM_DIR`` resolved, else the default; reads no other variable. Text, so
    the dispatch imports no :mod:`pathlib`; :attr:`JujuContext.charm_dir` is a ``Path``."""
    charm_dir = env.get('JUJU_CHARM_DIR')
    return os.path.realpath(charm_dir) if charm_dir else _default_charm_dir()




@dataclass(frozen=True)
class JujuContext:
    """The ``JUJU_*`` environment of one dispatch: which unit, which model, which event.

    Build it with :meth:`from_environ`. A per-event field is ``None`` when Juju did not set
    it for this event (an empty value counts as not set). Charms normally read the same
    facts through the model (``self.model.name``, ``event.id``, ...).
    """

    dispatch_path: str = ''
    """``JUJU_DISPATCH_PATH``, e.g. ``hooks/install`` or ``actions/do-backup``."""
    hook_name: str = ''
    """``JUJU_HOOK_NAME``, e.g. ``db-relation-changed``; empty for actions."""
    model_name: str = ''
    """``JUJU_MODEL_NAME``."""
    model_uuid: str = ''
    """``JUJU_MODEL_UUID``."""
    unit_name: str = ''
    """``JUJU_UNIT_NAME``, e.g. ``demo/0``."""
    version: JujuVersion = field(default_factory=lambda: JujuVersion('0.0.0'))
    """``JUJU_VERSION``; ``0.0.0`` when not set."""
    availability_zone: str | None = None
    """``JUJU_AVAILABILITY_ZONE``."""
    charm_dir: Path = field(default_factory=lambda: cast('Path', _default_charm_dir()))
    """``JUJU_CHARM_DIR``, resolved; defaults to the directory that holds reactops' venv."""
    debug: bool = False
    """Whether ``JUJU_DEBUG`` is set at all (its value does not matter)."""
    debug_at: frozenset[str] = frozenset()
    """The names in ``JUJU_DEBUG_AT`` (comma-separated, e.g. ``all`` or ``hook,install``)."""
    machine_id: str | None = None
    """``JUJU_MACHINE_ID``."""
    principal_unit: str | None = None
    """``JUJU_PRINCIPAL_UNIT``: the principal of a subordinate unit."""
    action_name: str | None = None
    """``JUJU_ACTION_NAME``."""
    action_uuid: str | None = None
    """``JUJU_ACTION_UUID``: the id of the running action."""
    notice_id: str | None = None
    """``JUJU_NOTICE_ID``."""
    notice_key: str | None = None
    """``JUJU_NOTICE_KEY``."""
    notice_type: str | None = None
    """``JUJU_NOTICE_TYPE``."""
    pebble_check_name: str | None = None
    """``JUJU_PEBBLE_CHECK_NAME``."""
    relation_departing_unit_name: str | None = None
    """``JUJU_DEPARTING_UNIT`` (relation-departed only)."""
    relation_name: str | None = None
    """``JUJU_RELATION``: the endpoint of a relation event."""
    relation_id: int | None = None
    """The number in ``JUJU_RELATION_ID`` (``db:7`` gives ``7``)."""
    remote_app_name: str | None = None
    """``JUJU_REMOTE_APP``."""
    remote_unit_name: str | None = None
    """``JUJU_REMOTE_UNIT``."""
    secret_id: str | None = None
    """``JUJU_SECRET_ID``."""
    secret_label: str | None = None
    """``JUJU_SECRET_LABEL``."""
    secret_revision: int | None = None
    """``JUJU_SECRET_REVISION``."""
    storage_index: int | None = None
    """The index in ``JUJU_STORAGE_ID`` (``data/3`` gives ``3``)."""
    storage_name: str | None = None
    """The name in ``JUJU_STORAGE_ID`` (``data/3`` gives ``data``)."""
    workload_name: str | None = None
    """``JUJU_WORKLOAD_NAME``: the container of a Pebble event."""

    @property
    def app_name(self) -> str | None:
        """Our application: the part of the unit name before ``/``."""
        return self.unit_name.split('/')[0] if self.unit_name else None

    @property
    def event_name(self) -> str:
        """The event this dispatch is for, from :attr:`dispatch_path` (``''`` when unknown)."""
        return event_name_from_dispatch_path(self.dispatch_path)

    # reactops' earlier names of three fields, kept for code written against them
    @property
    def remote_app(self) -> str | None:
        """Same as :attr:`remote_app_name`."""
        return self.remote_app_name

    @property
    def remote_unit(self) -> str | None:
        """Same as :attr:`remote_unit_name`."""
        return self.remote_unit_name

    @property
    def departing_unit(self) -> str | None:
        """Same as :attr:`relation_departing_unit_name`."""
        return self.relation_departing_unit_name

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> JujuContext:
        """Read the context of the running hook from *environ* (``os.environ`` by default).

        Raises :class:`ValueError` naming the first variable that Juju always sets for this
        kind of hook but that is missing, or a value that is malformed
        (``JUJU_RELATION_ID=abc``: a :class:`JujuEnvironmentError`); a malformed
        ``JUJU_VERSION`` raises :class:`RuntimeError`, as :class:`JujuVersion` does.
        """
        env = os.environ if environ is None else environ
        for name in _required_variables(env):
            if name not in env:
                raise ValueError(f'Missing required environment variable: {name}')
        return cls._from_dict(env)

    @classmethod
    def _from_dict(cls, env: Mapping[str, str] | None = None) -> JujuContext:
        """Read whatever *env* holds (``os.environ`` by default): a missing variable gives
        the field's default; a malformed value still raises."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return env.get(name) or None

        storage = _parse(env, 'JUJU_STORAGE_ID', _split_storage_id, 'a name/index, e.g. data/3')
        debug_at = env.get('JUJU_DEBUG_AT')
        return cls(
            dispatch_path=env.get('JUJU_DISPATCH_PATH', ''),
            hook_name=env.get('JUJU_HOOK_NAME', ''),
            model_name=env.get('JUJU_MODEL_NAME', ''),
            model_uuid=env.get('JUJU_MODEL_UUID', ''),
            unit_name=env.get('JUJU_UNIT_NAME', ''),
            version=JujuVersion(env.get('JUJU_VERSION', '0.0.0')),
            availability_zone=get('JUJU_AVAILABILITY_ZONE'),
            charm_dir=cast('Path', _charm_dir(env)),  # text, read back as a Path
            debug='JUJU_DEBUG' in env,
            debug_at=frozenset(name.strip() for name in debug_at.split(','))
            if debug_at else frozenset(),
            machine_id=get('JUJU_MACHINE_ID'),
            principal_unit=get('JUJU_PRINCIPAL_UNIT'),
            action_name=get('JUJU_ACTION_NAME'),
            action_uuid=get('JUJU_ACTION_UUID'),
            notice_id=get('JUJU_NOTICE_ID'),
            notice_key=get('JUJU_NOTICE_KEY'),
            notice_type=get('JUJU_NOTICE_TYPE'),
            pebble_check_name=get('JUJU_PEBBLE_CHECK_NAME'),
            relation_departing_unit_name=get('JUJU_DEPARTING_UNIT'),
            relation_name=get('JUJU_RELATION'),
            relation_id=_parse(env, 'JUJU_RELATION_ID', jujunames.parse_relation_id,
                               'an endpoint and a number, e.g. db:7'),
            remote_app_name=get('JUJU_REMOTE_APP'),
            remote_unit_name=get('JUJU_REMOTE_UNIT'),
            secret_id=get('JUJU_SECRET_ID'),
            secret_label=get('JUJU_SECRET_LABEL'),
            secret_revision=_parse(env, 'JUJU_SECRET_REVISION', int, 'a whole number'),
            storage_index=storage[1] if storage else None,
            storage_name=storage[0] if storage else None,
            workload_name=get('JUJU_WORKLOAD_NAME'),
        )

    @classmethod
    def _for_dispatch(cls, env: Mapping[str, str] | None = None) -> JujuContext:
        """The context ``main()`` runs a hook with: :meth:`_from_dict`, after refusing what
        no hook can run with (see the module's description).

        Raises :class:`JujuEnvironmentError` naming the variable.
        """
        env = os.environ if env is None else env
        problem = jujunames.unit_name_problem(env.get('JUJU_UNIT_NAME', ''))
        if problem:
            raise JujuEnvironmentError('JUJU_UNIT_NAME', problem)
        version = env.get('JUJU_VERSION', '')
        if not version:
            hook = env.get('JUJU_DISPATCH_PATH') or env.get('JUJU_HOOK_NAME') or sys.argv[0]
            if posixpath.basename(hook.rstrip('/')) not in _RESTRICTED_HOOKS:
                raise JujuEnvironmentError(
                    'JUJU_VERSION', 'is not set, so the Juju version is unknown; Juju sets it '
                    'for every hook: run the charm from Juju, or set it (e.g. 3.6.1)')
            env = {k: v for k, v in env.items() if k != 'JUJU_VERSION'}
        elif problem := jujunames.version_problem(version):
            raise JujuEnvironmentError('JUJU_VERSION', problem)
        relation_id = env.get('JUJU_RELATION_ID', '')
        if relation_id and (problem := jujunames.relation_id_problem(relation_id)):
            raise JujuEnvironmentError('JUJU_RELATION_ID', problem)
        return cls._from_dict(env)  # a malformed storage id or revision: its own error


if not TYPE_CHECKING:
    # A Path when read, kept as the text it was given until then: a hook that never reads
    # it imports no pathlib. The dispatch reads the text with lazypath.path_text.
    JujuContext.charm_dir = PathOnRead('charm_dir')


# Set for every hook and action.
_ALWAYS = ('JUJU_DISPATCH_PATH', 'JUJU_HOOK_NAME', 'JUJU_MODEL_NAME', 'JUJU_MODEL_UUID',
           'JUJU_UNIT_NAME', 'JUJU_VERSION')
# Hook name suffix -> the variables Juju sets for such a hook (checked in this order).
_BY_SUFFIX = (
    (('-pebble-custom-notice',),
     ('JUJU_WORKLOAD_NAME', 'JUJU_NOTICE_ID', 'JUJU_NOTICE_KEY', 'JUJU_NOTICE_TYPE')),
    (('-pebble-check-failed', '-pebble-check-recovered'),
     ('JUJU_WORKLOAD_NAME', 'JUJU_PEBBLE_CHECK_NAME')),
    (('-pebble-ready',), ('JUJU_WORKLOAD_NAME',)),
    (('-storage-attached', '-storage-detaching'), ('JUJU_STORAGE_ID',)),
    (('-relation-created', '-relation-joined', '-relation-changed', '-relation-departed',
      '-relation-broken'), ('JUJU_RELATION', 'JUJU_RELATION_ID', 'JUJU_REMOTE_APP')),
    (('-relation-joined', '-relation-changed', '-relation-departed'), ('JUJU_REMOTE_UNIT',)),
    (('-relation-departed',), ('JUJU_DEPARTING_UNIT',)),
)


def _required_variables(env: Mapping[str, str]) -> list[str]:
    """The variables Juju always sets for the hook *env* is for, in the order checked."""
    required: list[str] = list(_ALWAYS)
    if any(name not in env for name in _ALWAYS):
        return required
    hook = env['JUJU_HOOK_NAME']
    if hook in ('secret-changed', 'secret-rotate', 'secret-remove', 'secret-expired'):
        required.append('JUJU_SECRET_ID')
    if hook in ('secret-remove', 'secret-expired'):
        required.append('JUJU_SECRET_REVISION')
    if not hook and env['JUJU_DISPATCH_PATH'].startswith('actions/'):
        required += ['JUJU_ACTION_NAME', 'JUJU_ACTION_UUID']
    for suffixes, names in _BY_SUFFIX:
        if hook.endswith(suffixes):
            required += names
    return required


def _split_storage_id(value: str) -> tuple[str, int]:
    name, sep, index = value.rpartition('/')
    if not (name and sep):
        raise ValueError(value)
    return name, int(index)


def _parse(env: Mapping[str, str], name: str, parse: Callable[[str], _T],
           expected: str) -> _T | None:
    value = env.get(name)
    if not value:
        return None
    try:
        return parse(value)
    except ValueError:
        shown = repr(value) if len(value) <= 40 else repr(value[:40]) + '...'
        raise JujuEnvironmentError(name, f'is malformed ({shown}): expected {expected}'
                                   ) from None
