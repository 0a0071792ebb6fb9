"""Juju secrets: content kept by the controller, shared with related applications."""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._private import jujurules

if TYPE_CHECKING:
    from .._private.backend import ModelBackend
    from ._relations import Relation
    from ._units import Unit

__all__ = ['Secret', 'SecretInfo', 'SecretRotate']

_KEY = jujurules.SECRET_KEY  # Juju's shape of a secret content key
_RFC3339 = re.compile(
    r'^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)?$')


class SecretRotate(enum.Enum):
    """How often Juju asks the owner to rotate a secret (with a secret-rotate event)."""

    NEVER = 'never'
    HOURLY = 'hourly'
    DAILY = 'daily'
    WEEKLY = 'weekly'
    MONTHLY = 'monthly'
    QUARTERLY = 'quarterly'
    YEARLY = 'yearly'


def _canonical_id(id: str, model_uuid: str | None) -> str:
    """``secret://<model-uuid>/<id>``, or ``secret:<id>`` when *model_uuid* is ``None``.

    An id that has the ``secret:`` prefix already is kept as it is. As in ops, only
    ``None`` leaves the model out: an empty model UUID still gives the long form.
    """
    id = id.strip()
    if id.startswith('secret:'):
        return id
    return f'secret:{id}' if model_uuid is None else f'secret://{model_uuid}/{id}'


def _parse_time(text: str | None) -> datetime.datetime | None:
    """A datetime from Juju's RFC 3339 text (nanoseconds are cut to microseconds)."""
    if not text:
        return None
    match = _RFC3339.match(text.strip())
    if match is None:
        raise ValueError(f'{text!r} is not an RFC 3339 time')
    date, time, fraction, offset = match.groups()
    micro = f'.{(fraction or "0")[:6]:0<6}'
    zone = '+00:00' if offset in (None, 'Z', 'z') else offset
    return datetime.datetime.fromisoformat(f'{date}T{time}{micro}{zone}')


def _expiry(expire: datetime.datetime | datetime.timedelta | None) -> datetime.datetime | None:
    if expire is None or isinstance(expire, datetime.datetime):
        return expire
    if isinstance(expire, datetime.timedelta):
        return datetime.datetime.now(tz=datetime.timezone.utc) + expire
    raise TypeError(f'a secret expiry must be a datetime or a timedelta from now, '
                    f'not {type(expire).__name__}')


def _validate_content(content: object) -> dict[str, str]:
    if not isinstance(content, dict):
        raise TypeError(f'secret content must be a dict, not {type(content).__name__}')
    if not content:
        raise ValueError('secret content must not be empty: give at least one key')
    not_str = [key for key in content if not isinstance(key, str)]
    if not_str:
        raise TypeError(f'secret keys must be str, not {not_str}')
    bad_keys = [key for key in content if not _KEY.match(key)]
    if bad_keys:
        raise ValueError(f'invalid secret keys {bad_keys}: a key has at least 3 lowercase '
                         f'letters or digits, starts with a letter, and may use single '
                         f'hyphens between them')
    bad_values = sorted(key for key, value in content.items() if not isinstance(value, str))
    if bad_values:
        raise TypeError(f'secret values must be str; not so for keys {bad_values} '
                        f'(encode them, e.g. with json.dumps)')
    return content


class SecretInfo:
    """A secret's metadata, as its owner sees it (:meth:`Secret.get_info`)."""

    def __init__(self, id: str, label: str | None, revision: int,
                 expires: datetime.datetime | None, rotation: SecretRotate | None,
                 rotates: datetime.datetime | None, description: str | None = None, *,
                 model_uuid: str | None = None):
        if model_uuid is None:
            import warnings

            warnings.warn('SecretInfo: `model_uuid` should always be provided (the secret id '
                          'is kept short without it); it will be required', DeprecationWarning,
                          stacklevel=2)
        self.id = _canonical_id(id, model_uuid)
        """The secret's canonical id."""
        self.label = label
        self.revision = revision
        """The latest revision."""
        self.expires = expires
        self.rotation = rotation
        self.rotates = rotates
        """When the next rotation is due."""
        self.description = description

    @classmethod
    def from_dict(cls, id: str, d: Mapping[str, Any],
                  model_uuid: str | None = None) -> SecretInfo:
        """Build from one entry of ``secret-info-get --format=json``."""
        try:
            rotation: SecretRotate | None = SecretRotate(d.get('rotation'))
        except ValueError:
            rotation = None
        return cls(id, label=d.get('label'), revision=d['revision'],
                   expires=_parse_time(d.get('expiry')), rotation=rotation,
                   rotates=_parse_time(d.get('rotates')),
                   description=d.get('description'), model_uuid=model_uuid)

    def __repr__(self) -> str:
        return (f'SecretInfo(id={self.id!r}, label={self.label!r}, '
                f'revision={self.revision}, expires={self.expires!r}, '
                f'rotation={self.rotation}, rotates={self.rotates!r}, '
                f'description={self.description!r})')


class Secret:
    """A secret this unit owns or was granted, found by :attr:`id` or :attr:`label`.

    Get one from :meth:`Model.get_secret`, :meth:`Application.add_secret`,
    :meth:`Unit.add_secret` or a secret event. Its content is read once and kept on this
    object until :meth:`get_content` is asked to ``refresh``. The content never goes on a
    command line: it travels to Juju in private temporary files.
    """

    def __init__(self, backend: ModelBackend, id: str | None = None,
                 label: str | None = None, content: dict[str, str] | None = None):
        if not (id or label):
            raise TypeError('a Secret needs an id or a label (or both)')
        self._backend = backend
        self._id = _canonical_id(id, backend.model_uuid) if id else None
        self._label = label
        self._content = dict(content) if content is not None else None

    def __repr__(self) -> str:
        parts = [f'{name}={value!r}' for name, value in (('id', self._id),
                                                          ('label', self._label)) if value]
        return f'<Secret {" ".join(parts)}>'

    @property
    def id(self) -> str | None:
        """The secret's locator (``secret:...``): share it in relation data.

        ``None`` when the secret was found by label only and not yet looked up.
        """
        return self._id

    @property
    def unique_identifier(self) -> str | None:
        """The secret's globally unique part of :attr:`id` (no model, no prefix)."""
        if self._id is None:
            return None
        return self._id.rsplit('/', 1)[-1].removeprefix('secret:')

    @property
    def label(self) -> str | None:
        """This charm's own name for the secret (set with ``add_secret``/``get_secret``)."""
        return self._label

    def get_content(self, *, refresh: bool = False) -> dict[str, str]:
        """A copy of the content of the revision this unit tracks.

        Read once per :class:`Secret`; *refresh* reads the latest revision and tracks it.
        """
        if refresh or self._content is None:
            self._content = self._backend.secret_get(id=self._id, label=self._label,
                                                     refresh=refresh)
        return dict(self._content)

    def peek_content(self) -> dict[str, str]:
        """The latest revision's content, without tracking it (read every time)."""
        return self._backend.secret_get(id=self._id, label=self._label, peek=True)

    def get_info(self) -> SecretInfo:
        """The secret's metadata (owners only); read every time."""
        raw = self._backend.secret_info_get(id=self._id, label=None if self._id else
                                            self._label)
        found = str(raw.get('id', self._id))
        if found.startswith('secret:') and '/' not in found:
            # A short id names a secret of this model: give it the model, as ops does.
            found = found.removeprefix('secret:')
        return SecretInfo.from_dict(found, raw, model_uuid=self._backend.model_uuid)

    def _ensure_id(self) -> str:
        if self._id is None:
            self._id = self.get_info().id
        return self._id

    def set_content(self, content: dict[str, str]) -> None:
        """Store *content* as a new revision (owners only); observers get secret-changed.

        This object keeps the content it read: that is still the tracked revision.
        """
        _validate_content(content)
        self._set(content=content)

    def set_info(self, *, label: str | None = None, description: str | None = None,
                 expire: datetime.datetime | datetime.timedelta | None = None,
                 rotate: SecretRotate | None = None) -> None:
        """Change the secret's metadata (owners only); no new revision."""
        if label is None and description is None and expire is None and rotate is None:
            raise TypeError('set_info needs a label, description, expire or rotate')
        self._set(label=label, description=description, expire=_expiry(expire),
                  rotate=rotate)
        if label is not None:
            self._label = label

    def _set(self, *, content: dict[str, str] | None = None, label: str | None = None,
             description: str | None = None, expire: datetime.datetime | None = None,
             rotate: SecretRotate | None = None) -> None:
        secret_id = self._ensure_id()
        if self._backend.juju_version < '3.6':
            # Before 3.6, Juju applied only the last secret-set of a hook and forgot the
            # fields it did not name, so every call restates all of them.
            if content is None:
                content = self._backend.secret_get(id=secret_id, peek=True)
            if None in (label, description, expire, rotate):
                info = self.get_info()
                label = label or info.label
                description = description or info.description
                expire = expire or info.expires
                rotate = rotate or info.rotation
        self._backend.secret_set(secret_id, content=content, label=label,
                                 description=description, expire=expire,
                                 rotate=rotate.value if rotate else None)

    def grant(self, relation: Relation, *, unit: Unit | None = None) -> None:
        """Let the remote application of *relation* (or just *unit*) read the secret."""
        self._backend.secret_grant(self._ensure_id(), relation.id,
                                   unit=unit.name if unit is not None else None)

    def revoke(self, relation: Relation, *, unit: Unit | None = None) -> None:
        """Withdraw a grant made with :meth:`grant`."""
        self._backend.secret_revoke(self._ensure_id(), relation.id,
                                    unit=unit.name if unit is not None else None)

    def remove_revision(self, revision: int) -> None:
        """Remove one revision (usually in secret-remove or secret-expired)."""
        self._backend.secret_remove(self._ensure_id(), revision=revision)

    def remove_all_revisions(self) -> None:
        """Remove the secret altogether."""
        self._backend.secret_remove(self._ensure_id())


def _add_secret(backend: ModelBackend, owner: str, content: dict[str, str], *,
                label: str | None, description: str | None,
                expire: datetime.datetime | datetime.timedelta | None,
                rotate: SecretRotate | None) -> Secret:
    """Create a secret owned by our ``application`` or ``unit`` (the add_secret methods)."""
    _validate_content(content)
    secret_id = backend.secret_add(
        content, label=label, description=description, expire=_expiry(expire),
        rotate=rotate.value if rotate is not None else None,
        owner='unit' if owner == 'unit' else 'application')
    return Secret(backend, id=secret_id, label=label, content=content)
