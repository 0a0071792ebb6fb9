"""Pebble's configuration: layers of services, health checks and log targets, and the plan.

A layer is what a charm adds (:meth:`Client.add_layer`); the plan is what Pebble makes of all
its layers. Each item reads the layer's YAML/dict shape (kebab-case keys) into attributes
(snake_case), and ``to_dict`` gives back only the fields that are set, so an item read from
a layer dumps to the same layer. Items compare equal to each other and to their dict form.
Re-exported by :mod:`reactops.pebble`.
"""

from __future__ import annotations

from .typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from typing import Any

    from .pebble_dicts import (
        CheckDict,
        ExecDict,
        HttpDict,
        LayerDict,
        LogTargetDict,
        PlanDict,
        ServiceDict,
        TcpDict,
    )
    from .pebble_enums import CheckLevel, CheckStartup

__all__ = ['Check', 'Layer', 'LogTarget', 'Plan', 'Service']
# The dict shapes (TypedDicts, which need typing) are in pebble_dicts, loaded when named.

def _deepcopy(value: Any) -> Any:
    """A deep copy of *value*, as ``copy.deepcopy`` makes it; the dicts, lists and scalars
    a layer holds are copied here, so that adding a layer does not load :mod:`copy`."""
    kind = value.__class__  # exactly: a subclass of dict or list is left to copy.deepcopy
    if kind is dict:
        return {key: _deepcopy(item) for key, item in value.items()}
    if kind is list:
        return [_deepcopy(item) for item in value]
    if value is None or kind in (str, int, float, bool):
        return value
    import copy

    return copy.deepcopy(value)


def _set_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The pairs whose value is set: Pebble reads a missing field and an empty one alike."""
    return {key: value for key, value in pairs if value}


class _Item:
    """What services, checks and log targets share: a name, ``to_dict``, equality, repr."""

    name: str

    def to_dict(self) -> Any:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return bool(self.to_dict() == other)
        if isinstance(other, type(self)):
            return bool(self.to_dict() == other.to_dict())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.to_dict()!r})'


#: ``ServiceDict``'s keys in its order (the order ``to_dict`` and the YAML dump follow), kept
#: here so that a layer is dumped without loading the TypedDicts (and typing).
SERVICE_KEYS = (
    'summary', 'description', 'startup', 'override', 'command', 'after', 'before', 'requires',
    'environment', 'user', 'user-id', 'group', 'group-id', 'working-dir', 'on-success',
    'on-failure', 'on-check-failure', 'backoff-delay', 'backoff-factor', 'backoff-limit',
    'kill-delay',
)


class Service(_Item):
    """A service in a layer: the command Pebble runs and how it starts, stops and restarts."""

    def __init__(self, name: str, raw: ServiceDict | None = None):
        self.name = name
        d: ServiceDict = raw or {}
        self.summary = d.get('summary', '')
        self.description = d.get('description', '')
        self.startup = d.get('startup', '')
        self.override = d.get('override', '')
        self.command = d.get('command', '')
        self.after = list(d.get('after', []))
        self.before = list(d.get('before', []))
        self.requires = list(d.get('requires', []))
        self.environment = dict(d.get('environment', {}))
        self.user = d.get('user', '')
        self.user_id = d.get('user-id')
        self.group = d.get('group', '')
        self.group_id = d.get('group-id')
        self.working_dir = d.get('working-dir', '')
        self.on_success = d.get('on-success', '')
        self.on_failure = d.get('on-failure', '')
        self.on_check_failure = dict(d.get('on-check-failure', {}))
        self.backoff_delay = d.get('backoff-delay', '')
        self.backoff_factor = d.get('backoff-factor')
        self.backoff_limit = d.get('backoff-limit', '')
        self.kill_delay = d.get('kill-delay', '')

    def to_dict(self) -> ServiceDict:
        """The layer form: only the fields that are set."""
        return cast('ServiceDict', _set_fields([
            (key, getattr(self, key.replace('-', '_'))) for key in SERVICE_KEYS
        ]))

    def _merge(self, other: Service) -> None:
        """Lay *other* over this service (``override: merge``): its set fields win;
        dependency lists are extended and mappings updated."""
        for attr, value in vars(other).items():
            if attr == 'name' or not value:
                continue
            if attr in ('after', 'before', 'requires'):
                getattr(self, attr).extend(value)
            elif attr in ('environment', 'on_check_failure'):
                getattr(self, attr).update(value)
            else:
                setattr(self, attr, value)


def _merge_probe(mine: dict[str, Any] | None, theirs: dict[str, Any],
                 mapping_key: str | None) -> dict[str, Any]:
    """Lay the set fields of one check probe over another; *mapping_key* is merged by key."""
    merged = dict(mine or {})
    for key, value in theirs.items():
        if not value:
            continue
        if key == mapping_key:
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


class _Unread(str):
    """A check's level or startup as the layer gave it, made an enum on first read."""

    __slots__ = ()


#: The startups a layer may give a check (``CheckStartup``'s values).
_CHECK_STARTUPS = frozenset({'', 'enabled', 'disabled'})


def _text(value: Any) -> Any:
    """The layer's text of a level or startup: an enum's value, or the string itself (and
    anything else, such as ``None``, as it is)."""
    if isinstance(value, str):
        return str(value)
    import enum

    return value.value if isinstance(value, enum.Enum) else value


class Check(_Item):
    """A health check in a layer: one probe (``http``, ``tcp`` or ``exec``) run every period.

    ``level`` is a :class:`CheckLevel` (or the raw string if Pebble knows a newer one), and
    ``startup`` a :class:`CheckStartup`. Both are kept as the layer's text until first read,
    so that adding a layer (which only dumps it again) does not load the enums.
    """

    def __init__(self, name: str, raw: CheckDict | None = None):
        self.name = name
        d: CheckDict = raw or {}
        self.override: str = d.get('override', '')
        level = d.get('level', '')
        self._level: CheckLevel | str = _Unread(level) if isinstance(level, str) else level
        startup: Any = d.get('startup', '')  # a layer may say anything
        if not (isinstance(startup, str) and startup in _CHECK_STARTUPS):
            from .pebble_enums import CheckStartup

            startup = CheckStartup(startup).value  # a ValueError for what Pebble would refuse
        self._startup: CheckStartup | str = _Unread(startup)
        self.period: str | None = d.get('period', '')
        self.timeout: str | None = d.get('timeout', '')
        self.threshold: int | None = d.get('threshold')
        self.http: HttpDict | None = _deepcopy(d.get('http'))
        self.tcp: TcpDict | None = _deepcopy(d.get('tcp'))
        self.exec: ExecDict | None = _deepcopy(d.get('exec'))

    @property
    def level(self) -> CheckLevel | str:
        """The check's level; a level this client does not know stays a string."""
        value = self._level
        if isinstance(value, _Unread):
            from .pebble_enums import CheckLevel

            try:
                value = CheckLevel(value)
            except ValueError:
                value = str(value)
            self._level = value
        return value

    @level.setter
    def level(self, value: CheckLevel | str) -> None:
        self._level = value

    @property
    def startup(self) -> CheckStartup:
        """Whether the check starts with Pebble; ``UNSET`` when the layer does not say."""
        value = self._startup
        if isinstance(value, _Unread):
            from .pebble_enums import CheckStartup

            value = self._startup = CheckStartup(value)
        return cast('CheckStartup', value)

    @startup.setter
    def startup(self, value: CheckStartup) -> None:
        self._startup = value

    def to_dict(self) -> CheckDict:
        """The layer form: only the fields that are set."""
        return cast('CheckDict', _set_fields([
            ('override', self.override), ('level', _text(self._level)),
            ('startup', _text(self._startup)),
            ('period', self.period), ('timeout', self.timeout),
            ('threshold', self.threshold), ('http', self.http), ('tcp', self.tcp),
            ('exec', self.exec),
        ]))

    def _merge(self, other: Check) -> None:
        """Lay *other* over this check (``override: merge``); an unset startup keeps ours.

        A threshold of 0 counts as unset, as every other empty field does.
        """
        for attr, value in vars(other).items():
            if attr == 'name' or not value:
                continue
            if attr == 'http':
                self.http = cast('HttpDict', _merge_probe(
                    cast('dict[str, Any]', self.http), value, 'headers'))
            elif attr == 'tcp':
                self.tcp = cast('TcpDict', _merge_probe(
                    cast('dict[str, Any]', self.tcp), value, None))
            elif attr == 'exec':
                self.exec = cast('ExecDict', _merge_probe(
                    cast('dict[str, Any]', self.exec), value, 'environment'))
            elif attr == '_startup' and _text(value) == '':
                continue  # UNSET
            else:
                setattr(self, attr, value)


class LogTarget(_Item):
    """A log target in a layer: where Pebble forwards the logs of some services."""

    def __init__(self, name: str, raw: LogTargetDict | None = None):
        self.name = name
        d: LogTargetDict = raw or {}
        self.override: str = d.get('override', '')
        self.type = d.get('type', '')
        self.location = d.get('location', '')
        self.services: list[str] = list(d.get('services', []))
        self.labels: dict[str, str] = _deepcopy(d.get('labels') or {})

    def to_dict(self) -> LogTargetDict:
        """The layer form: only the fields that are set."""
        return cast('LogTargetDict', _set_fields([
            ('override', self.override), ('type', self.type), ('location', self.location),
            ('services', self.services), ('labels', self.labels),
        ]))

    def _merge(self, other: LogTarget) -> None:
        """Lay *other* over this target: labels merged by key, services appended."""
        for attr, value in vars(other).items():
            if attr == 'name' or not value:
                continue
            if attr == 'labels':
                self.labels.update(value)
            elif attr == 'services':
                self.services.extend(value)
            else:
                setattr(self, attr, value)


def _read(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """A layer or plan given as YAML text, a dict or nothing, as a dict."""
    if isinstance(raw, str):
        from . import yaml

        return cast('dict[str, Any]', yaml.safe_load(raw) or {})
    return raw or {}


def _dump(d: Any) -> str:
    from .pebble_yaml import dump

    text = dump(d)  # most layers, without loading PyYAML
    if text is not None:
        return text
    from . import yaml

    return cast('str', yaml.safe_dump(d))


def _items(d: dict[str, Any]) -> tuple[dict[str, Service], dict[str, Check],
                                       dict[str, LogTarget]]:
    return (
        {name: Service(name, raw) for name, raw in d.get('services', {}).items()},
        {name: Check(name, raw) for name, raw in d.get('checks', {}).items()},
        {name: LogTarget(name, raw) for name, raw in d.get('log-targets', {}).items()},
    )


def _items_dict(services: dict[str, Service], checks: dict[str, Check],
                log_targets: dict[str, LogTarget]) -> list[tuple[str, Any]]:
    return [
        ('services', {name: item.to_dict() for name, item in services.items()}),
        ('checks', {name: item.to_dict() for name, item in checks.items()}),
        ('log-targets', {name: item.to_dict() for name, item in log_targets.items()}),
    ]


class Layer:
    """One layer of Pebble configuration: services, checks and log targets by name.

    Built from the layer's YAML text, its dict form, or nothing (an empty layer to fill in).
    ``str()`` is the YAML.
    """

    summary: str
    description: str
    services: dict[str, Service]
    checks: dict[str, Check]
    log_targets: dict[str, LogTarget]

    def __init__(self, raw: str | LayerDict | None = None):
        d = _read(cast('str | dict[str, Any] | None', raw))
        self.summary = d.get('summary', '')
        self.description = d.get('description', '')
        self.services, self.checks, self.log_targets = _items(d)

    def to_dict(self) -> LayerDict:
        """The dict form: only the fields that are set."""
        return cast('LayerDict', _set_fields([
            ('summary', self.summary), ('description', self.description),
            *_items_dict(self.services, self.checks, self.log_targets),
        ]))

    def to_yaml(self) -> str:
        """The YAML form, as Pebble reads it."""
        return _dump(self.to_dict())

    __str__ = to_yaml

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return bool(self.to_dict() == other)
        if isinstance(other, Layer):
            return self.to_dict() == other.to_dict()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f'Layer({self.to_dict()!r})'


class Plan:
    """The configuration Pebble works from: all its layers combined (:meth:`Client.get_plan`).

    Its mappings are read-only attributes; ``str()`` is the YAML.
    """

    def __init__(self, raw: str | PlanDict | None = None):
        d = _read(cast('str | dict[str, Any] | None', raw))
        self._raw = raw
        self._services, self._checks, self._log_targets = _items(d)

    @property
    def services(self) -> dict[str, Service]:
        """The plan's services by name."""
        return self._services

    @property
    def checks(self) -> dict[str, Check]:
        """The plan's health checks by name."""
        return self._checks

    @property
    def log_targets(self) -> dict[str, LogTarget]:
        """The plan's log targets by name."""
        return self._log_targets

    def to_dict(self) -> PlanDict:
        """The dict form: only the sections that have items."""
        return cast('PlanDict', _set_fields(
            _items_dict(self._services, self._checks, self._log_targets)))

    def to_yaml(self) -> str:
        """The YAML form."""
        return _dump(self.to_dict())

    __str__ = to_yaml

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return bool(self.to_dict() == other)
        if isinstance(other, Plan):
            return self.to_dict() == other.to_dict()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f'Plan({self.to_dict()!r})'
