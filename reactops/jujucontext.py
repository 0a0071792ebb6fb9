"""What Juju tells a charm process through its environment: the ``JUJU_*`` variables.

:class:`JujuContext` reads them once, leniently: a variable Juju did not set gives ``None``
(or a default), and only a value that is present but malformed is an error.
:class:`JujuVersion` parses the agent version and answers feature questions.

This module is at the bottom of the house: it imports nothing from reactops but the
small record helper its dataclass uses at run time.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from typing import TypeVar

    _T = TypeVar('_T')
else:  # the same classes, without dataclasses' start-up cost in every hook
    from ._private.record import dataclass, field

__all__ = ['JujuContext', 'JujuVersion', 'event_name_from_dispatch_path']


@functools.total_ordering
class JujuVersion:
    """A Juju agent version such as ``3.6.1``, ``3.1-beta1`` or ``2.9.1.1`` (with a build).

    Versions compare with ``<``, ``==`` and friends against another :class:`JujuVersion` or a
    version string. A pre-release (``3.1-beta1``) sorts before the release it leads to
    (``3.1.0``). A string that is not a Juju version raises :class:`ValueError`.
    """

    __slots__ = ('major', 'minor', 'tag', 'patch', 'build')

    _PATTERN = re.compile(
        r'^(?P<major>\d{1,9})\.(?P<minor>\d{1,9})'
        r'(?:(?:\.|-(?P<tag>[a-z]+))(?P<patch>\d{1,9}))?'
        r'(?:\.(?P<build>\d{1,9}))?$'
    )

    major: int
    minor: int
    tag: str
    patch: int
    build: int

    def __init__(self, version: str):
        match = self._PATTERN.match(version)
        if match is None:
            raise ValueError(
                f'{version!r} is not a Juju version: expected major.minor.patch[.build] '
                f'or major.minor-tagN (e.g. 3.6.1, 3.1-beta1)')
        self.major = int(match['major'])
        self.minor = int(match['minor'])
        self.tag = match['tag'] or ''
        self.patch = int(match['patch'] or 0)
        self.build = int(match['build'] or 0)

    @classmethod
    def from_environ(cls, env: Mapping[str, str] | None = None) -> JujuVersion:
        """The version in ``JUJU_VERSION``, or ``0.0.0`` when it is not set."""
        env = os.environ if env is None else env
        return cls(env.get('JUJU_VERSION') or '0.0.0')

    def __str__(self) -> str:
        text = (f'{self.major}.{self.minor}-{self.tag}{self.patch}' if self.tag
                else f'{self.major}.{self.minor}.{self.patch}')
        return f'{text}.{self.build}' if self.build else text

    def __repr__(self) -> str:
        return f'JujuVersion({str(self)!r})'

    def _key(self) -> tuple[int, int, bool, str, int, int]:
        # A release (no tag) sorts after every pre-release of the same major.minor.
        return (self.major, self.minor, not self.tag, self.tag, self.patch, self.build)

    @staticmethod
    def _coerce(other: object) -> JujuVersion | None:
        if isinstance(other, JujuVersion):
            return other
        if isinstance(other, str):
            return JujuVersion(other)
        return None

    def __eq__(self, other: object) -> bool:
        version = self._coerce(other)
        if version is None:
            return NotImplemented
        return self._key() == version._key()

    def __lt__(self, other: JujuVersion | str) -> bool:
        version = self._coerce(other)
        if version is None:
            return NotImplemented
        return self._key() < version._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def has_app_data(self) -> bool:
        """Whether relations have application data bags (Juju 2.7 and later)."""
        return self >= '2.7.0'

    def is_dispatch_aware(self) -> bool:
        """Whether Juju runs the charm's ``dispatch`` file (Juju 2.8 and later)."""
        return self >= '2.8.0'

    def has_controller_storage(self) -> bool:
        """Whether the ``state-get``/``state-set`` hook tools exist (Juju 2.8 and later)."""
        return self >= '2.8.0'

    @property
    def has_secrets(self) -> bool:
        """Whether the ``secret-*`` hook tools exist (Juju 3.0.3 and later)."""
        return self >= '3.0.3'

    @property
    def supports_open_port_on_k8s(self) -> bool:
        """Whether ``open-port`` works for Kubernetes charms (Juju 3.0.3 and later)."""
        return self >= '3.0.3'

    @property
    def supports_exec_service_context(self) -> bool:
        """Whether Pebble exec accepts a service context: Juju 3.1.6 and later, except 3.2.0,
        which shipped an older Pebble."""
        return self >= '3.1.6' and not (self.major, self.minor, self.patch) == (3, 2, 0)


def event_name_from_dispatch_path(path: str) -> str:
    """The event name for a dispatch path: ``hooks/db-relation-changed`` gives
    ``db_relation_changed``, ``actions/do-backup`` gives ``do_backup_action``, ``''`` gives
    ``''``."""
    if not path:
        return ''
    pure = PurePosixPath(path)
    name = pure.name.replace('-', '_')
    return f'{name}_action' if pure.parent.name == 'actions' else name


def _default_charm_dir() -> Path:
    # A packed charm holds reactops in <charm>/venv/reactops/, so the charm is two up from here.
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class JujuContext:
    """The ``JUJU_*`` environment of one dispatch: which unit, which model, which event.

    Build it with :meth:`from_environ`. Every per-event field is ``None`` when Juju did not
    set it for this event (an empty value counts as not set).
    """

    dispatch_path: str = ''
    """``JUJU_DISPATCH_PATH``, e.g. ``hooks/install`` or ``actions/do-backup``."""
    hook_name: str = ''
    """``JUJU_HOOK_NAME``; empty for actions."""
    unit_name: str | None = None
    """``JUJU_UNIT_NAME``, e.g. ``demo/0``."""
    model_name: str | None = None
    """``JUJU_MODEL_NAME``."""
    model_uuid: str | None = None
    """``JUJU_MODEL_UUID``."""
    version: JujuVersion = field(default_factory=lambda: JujuVersion('0.0.0'))
    """``JUJU_VERSION``; ``0.0.0`` when not set."""
    charm_dir: Path = field(default_factory=_default_charm_dir)
    """``JUJU_CHARM_DIR``, resolved; defaults to the directory that holds reactops' venv."""
    debug: bool = False
    """Whether ``JUJU_DEBUG`` is set at all (its value does not matter)."""
    debug_at: frozenset[str] = frozenset()
    """The names in ``JUJU_DEBUG_AT`` (comma-separated, e.g. ``all`` or ``hook,install``)."""
    availability_zone: str | None = None
    """``JUJU_AVAILABILITY_ZONE``."""
    machine_id: str | None = None
    """``JUJU_MACHINE_ID``."""
    principal_unit: str | None = None
    """``JUJU_PRINCIPAL_UNIT``: the principal of a subordinate unit."""
    action_name: str | None = None
    """``JUJU_ACTION_NAME``."""
    action_uuid: str | None = None
    """``JUJU_ACTION_UUID``: the id of the running action."""
    relation_name: str | None = None
    """``JUJU_RELATION``: the endpoint of a relation event."""
    relation_id: int | None = None
    """The number in ``JUJU_RELATION_ID`` (``db:7`` gives ``7``)."""
    remote_app: str | None = None
    """``JUJU_REMOTE_APP``."""
    remote_unit: str | None = None
    """``JUJU_REMOTE_UNIT``."""
    departing_unit: str | None = None
    """``JUJU_DEPARTING_UNIT`` (relation-departed only)."""
    storage_name: str | None = None
    """The name in ``JUJU_STORAGE_ID`` (``data/3`` gives ``data``)."""
    storage_index: int | None = None
    """The index in ``JUJU_STORAGE_ID`` (``data/3`` gives ``3``)."""
    workload_name: str | None = None
    """``JUJU_WORKLOAD_NAME``: the container of a Pebble event."""
    notice_id: str | None = None
    """``JUJU_NOTICE_ID``."""
    notice_type: str | None = None
    """``JUJU_NOTICE_TYPE``."""
    notice_key: str | None = None
    """``JUJU_NOTICE_KEY``."""
    pebble_check_name: str | None = None
    """``JUJU_PEBBLE_CHECK_NAME``."""
    secret_id: str | None = None
    """``JUJU_SECRET_ID``."""
    secret_label: str | None = None
    """``JUJU_SECRET_LABEL``."""
    secret_revision: int | None = None
    """``JUJU_SECRET_REVISION``."""

    @property
    def app_name(self) -> str | None:
        """Our application: the part of the unit name before ``/``."""
        return self.unit_name.split('/')[0] if self.unit_name else None

    @property
    def event_name(self) -> str:
        """The event this dispatch is for, from :attr:`dispatch_path` (``''`` when unknown)."""
        return event_name_from_dispatch_path(self.dispatch_path)

    @classmethod
    def from_environ(cls, env: Mapping[str, str] | None = None) -> JujuContext:
        """Read the context from *env* (``os.environ`` by default).

        Missing variables give ``None`` or the field's default. A value that is set but
        malformed (``JUJU_RELATION_ID=abc``, ``JUJU_VERSION=three``) raises
        :class:`ValueError` naming the variable and its value.
        """
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return env.get(name) or None

        relation_id = _parse(env, 'JUJU_RELATION_ID', lambda v: int(v.rsplit(':', 1)[-1]),
                             'an endpoint and a number, e.g. db:7')
        storage = _parse(env, 'JUJU_STORAGE_ID', _split_storage_id, 'a name/index, e.g. data/3')
        version = _parse(env, 'JUJU_VERSION', JujuVersion, 'a Juju version, e.g. 3.6.1')
        charm_dir = get('JUJU_CHARM_DIR')
        return cls(
            dispatch_path=env.get('JUJU_DISPATCH_PATH', ''),
            hook_name=env.get('JUJU_HOOK_NAME', ''),
            unit_name=get('JUJU_UNIT_NAME'),
            model_name=get('JUJU_MODEL_NAME'),
            model_uuid=get('JUJU_MODEL_UUID'),
            version=version or JujuVersion('0.0.0'),
            charm_dir=Path(charm_dir).resolve() if charm_dir else _default_charm_dir(),
            debug='JUJU_DEBUG' in env,
            debug_at=frozenset(
                name.strip() for name in env.get('JUJU_DEBUG_AT', '').split(',')
                if name.strip()),
            availability_zone=get('JUJU_AVAILABILITY_ZONE'),
            machine_id=get('JUJU_MACHINE_ID'),
            principal_unit=get('JUJU_PRINCIPAL_UNIT'),
            action_name=get('JUJU_ACTION_NAME'),
            action_uuid=get('JUJU_ACTION_UUID'),
            relation_name=get('JUJU_RELATION'),
            relation_id=relation_id,
            remote_app=get('JUJU_REMOTE_APP'),
            remote_unit=get('JUJU_REMOTE_UNIT'),
            departing_unit=get('JUJU_DEPARTING_UNIT'),
            storage_name=storage[0] if storage else None,
            storage_index=storage[1] if storage else None,
            workload_name=get('JUJU_WORKLOAD_NAME'),
            notice_id=get('JUJU_NOTICE_ID'),
            notice_type=get('JUJU_NOTICE_TYPE'),
            notice_key=get('JUJU_NOTICE_KEY'),
            pebble_check_name=get('JUJU_PEBBLE_CHECK_NAME'),
            secret_id=get('JUJU_SECRET_ID'),
            secret_label=get('JUJU_SECRET_LABEL'),
            secret_revision=_parse(env, 'JUJU_SECRET_REVISION', int, 'a whole number'),
        )


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
        raise ValueError(f'{name}={value!r} is malformed: expected {expected}') from None
