"""The charm's metadata: what ``metadata.yaml``, ``config.yaml`` and ``actions.yaml`` (or a
unified ``charmcraft.yaml``) declare, as typed objects.

The class and attribute names follow ``ops.charm``, so ``from ops.charm import CharmMeta``
ports as ``from reactops.meta import CharmMeta``. Unlike ops, every field is checked when
the metadata is loaded: a malformed file raises :class:`~reactops.errors.MetadataError`
whose message names the file, the dotted field path and the fix, e.g.
``metadata.yaml: requires.db.limit: expected an integer, got 'two'; ...``.

Importing this module reads no file and does not import PyYAML; the raw dicts are kept
(:attr:`CharmMeta.raw`, :attr:`~CharmMeta.actions_raw`, :attr:`~CharmMeta.config_raw`) so a
cache can store them as JSON and rebuild the same :class:`CharmMeta` without YAML.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ._private import meta_validate as _v
from ._private.meta_validate import Where as _Where
from ._private.typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from typing import IO, Any, ClassVar, Literal

    from ._private.metaenums import JujuAssumesCondition, RelationRole
else:  # the same classes, without dataclasses' start-up cost in every hook
    from ._private.record import dataclass, field

__all__ = [
    'SOURCE_FILES',
    'ActionMeta',
    'CharmMeta',
    'ConfigMeta',
    'ContainerBase',
    'ContainerMeta',
    'ContainerStorageMeta',
    'JujuAssumes',
    'JujuAssumesCondition',
    'MetadataLinks',
    'PayloadMeta',
    'RelationMeta',
    'RelationRole',
    'ResourceMeta',
    'StorageMeta',
]

_T = TypeVar('_T')

SOURCE_FILES = _v.SOURCE_FILES
"""The files :meth:`CharmMeta.from_charm_root` may read, relative to the charm directory.

A cache of the parsed metadata should key on the presence and content of all of them:
a file appearing (say ``actions.yaml`` after an upgrade) changes the result too.
"""


_ENUMS = frozenset({'RelationRole', 'JujuAssumesCondition'})


def __getattr__(name: str) -> Any:
    # RelationRole and JujuAssumesCondition live in _private.metaenums so that loading the
    # metadata (every hook) imports no enum; they are made when a charm first names one.
    if name in _ENUMS:
        from ._private import metaenums

        value = globals()[name] = getattr(metaenums, name)
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


# A role's value (RelationRole.x.value) -> the metadata key its endpoints are listed under.
_ROLE_KEYS = {'requires': 'requires', 'provides': 'provides', 'peer': 'peers'}


def _new(cls: type[_T]) -> _T:
    # Build an instance without running the public constructor, so the loader can pass
    # the real file and field path on to the object's checks.
    return object.__new__(cls)


class RelationMeta:
    """A relation endpoint the charm declares under ``requires``, ``provides`` or ``peers``.

    ``raw`` is the endpoint's mapping (``interface`` is required); the Juju shorthand of
    the interface name alone (``db: mysql``) is accepted too.
    """

    VALID_SCOPES: ClassVar[list[str]] = ['global', 'container']

    relation_name: str
    interface_name: str
    limit: int | None
    """The most relations the endpoint accepts; ``None`` means no limit."""
    scope: str
    """``global``, or ``container`` for a subordinate's relation to its principal unit."""
    optional: bool
    """Informational only: Juju treats every relation as optional."""

    def __init__(self, role: RelationRole, relation_name: str, raw: Mapping[str, Any] | str):
        from ._private.metaenums import RelationRole

        if not isinstance(role, RelationRole):
            raise TypeError(f'role must be a RelationRole, not {role!r}')
        self._init(role.value, relation_name, raw,
                   _Where('metadata.yaml', f'{_ROLE_KEYS[role.value]}.{relation_name}'))

    def _init(self, role: str, name: str, raw: object, where: _Where) -> None:
        self._role = role  # the RelationRole's value: the enum is made when read
        self.relation_name = name
        if isinstance(raw, str):
            raw = {'interface': raw}
        fields = _v.mapping(raw, where, 'a mapping with an "interface" key')
        self.interface_name = _v.required_text(
            fields, 'interface', where,
            'add "interface: <name>" naming the protocol both sides speak')
        limit = fields.get('limit')
        if limit is not None and not isinstance(limit, int):
            # The message starts as ops' TypeError does, so code that matches it still works.
            (where / 'limit').fail(
                f'limit should be an int, not {type(limit)} ({_v.describe(limit)})',
                'write a whole number such as 1, or leave it out for no limit',
                _v.MetadataTypeError)
        self.limit = limit
        scope = fields.get('scope') or 'global'
        if scope not in self.VALID_SCOPES:
            choices = ', '.join(f"'{s}'" for s in self.VALID_SCOPES)
            (where / 'scope').fail(f"scope should be one of {choices}; not '{scope}'",
                                   "leave it out for 'global'", _v.MetadataTypeError)
        self.scope = scope
        self.optional = _v.flag(fields, 'optional', where)

    @property
    def role(self) -> RelationRole:
        """Which side of the relation this charm takes."""
        from ._private.metaenums import RelationRole

        return RelationRole(self._role)

    @role.setter
    def role(self, role: RelationRole) -> None:
        self._role = role.value

    def _is_peer(self) -> bool:
        """``self.role.is_peer()``, without making the enum (the model asks every hook)."""
        return self._role == 'peer'

    def __repr__(self) -> str:
        return (f'RelationMeta({self._role}, {self.relation_name!r}, '
                f'interface={self.interface_name!r})')


class StorageMeta:
    """A storage the charm declares: a filesystem or block device Juju provisions for it."""

    storage_name: str
    type: str
    """``filesystem`` or ``block``."""
    description: str
    shared: bool
    read_only: bool
    minimum_size: str | None
    location: str | None
    """Where a filesystem is mounted on the machine."""
    multiple_range: tuple[int, int | None] | None
    """How many instances (low, high) the charm accepts; high is ``None`` when open."""
    properties: list[str]

    def __init__(self, name: str, raw: Mapping[str, Any]):
        self._init(name, raw, _Where('metadata.yaml', f'storage.{name}'))

    def _init(self, name: str, raw: object, where: _Where) -> None:
        fields = _v.mapping(raw, where)
        self.storage_name = name
        # Juju knows `filesystem` and `block` and refuses other types when the charm is
        # deployed; like ops, any text is taken here, so a test's hand-written metadata loads.
        self.type = _v.required_text(fields, 'type', where,
                                     'add "type: filesystem" or "type: block"')
        self.description = _v.text(fields, 'description', where)
        self.shared = _v.flag(fields, 'shared', where)
        self.read_only = _v.flag(fields, 'read-only', where)
        size = fields.get('minimum-size')
        if size is not None and (isinstance(size, bool) or not isinstance(size, str | int)):
            (where / 'minimum-size').expected("a size such as '10G'", size)
        self.minimum_size = None if size is None else str(size)
        self.location = _v.optional_text(fields, 'location', where)
        self.multiple_range = None
        if fields.get('multiple') is not None:
            multiple = _v.section(fields, 'multiple', where)
            if 'range' not in multiple:
                (where / 'multiple.range').fail(
                    'this required field is missing', "add a count or range such as '1-5'")
            self.multiple_range = _v.storage_range(multiple['range'],
                                                   where / 'multiple.range')
        self.properties = _v.texts(fields, 'properties', where)


class ResourceMeta:
    """A resource the charm declares: a file or OCI image the operator can attach."""

    resource_name: str
    type: str
    """``file`` or ``oci-image``."""
    filename: str | None
    description: str

    def __init__(self, name: str, raw: Mapping[str, Any]):
        self._init(name, raw, _Where('metadata.yaml', f'resources.{name}'))

    def _init(self, name: str, raw: object, where: _Where) -> None:
        fields = _v.mapping(raw, where)
        self.resource_name = name
        self.type = _v.required_text(fields, 'type', where,
                                     'add "type: file" or "type: oci-image"')
        _v.choice(fields, 'type', where, ('file', 'oci-image'), '')
        self.filename = _v.optional_text(fields, 'filename', where)
        self.description = _v.text(fields, 'description', where)


class PayloadMeta:
    """A payload the charm declares (a workload Juju tracks, such as a Docker container)."""

    payload_name: str
    type: str

    def __init__(self, name: str, raw: Mapping[str, Any]):
        self._init(name, raw, _Where('metadata.yaml', f'payloads.{name}'))

    def _init(self, name: str, raw: object, where: _Where) -> None:
        fields = _v.mapping(raw, where)
        self.payload_name = name
        self.type = _v.required_text(fields, 'type', where, 'add "type: <payload type>"')


@dataclass(frozen=True)
class MetadataLinks:
    """Where to learn more about the charm: websites, source, issue tracker and docs."""

    websites: list[str]
    sources: list[str]
    issues: list[str]
    documentation: str | None


def _all_of() -> JujuAssumesCondition:
    from ._private.metaenums import JujuAssumesCondition

    return JujuAssumesCondition.ALL


@dataclass(frozen=True)
class JujuAssumes:
    """The Juju features the charm needs (``assumes``), such as ``juju >= 3.1`` or
    ``k8s-api``; an item may be a nested group with its own condition."""

    features: list[str | JujuAssumes]
    condition: JujuAssumesCondition = field(default_factory=_all_of)
    """``JujuAssumesCondition.ALL`` unless given."""

    @classmethod
    def from_list(cls, raw: list[Any],
                  condition: JujuAssumesCondition | None = None) -> JujuAssumes:
        """Build from the ``assumes`` list of the metadata (*condition*: ALL if not given)."""
        tree = _assumes_tree(raw, _Where('metadata.yaml', 'assumes'))
        return cls._build(tree, _all_of() if condition is None else condition)

    @classmethod
    def _build(cls, tree: list[Any], condition: JujuAssumesCondition) -> JujuAssumes:
        from ._private.metaenums import JujuAssumesCondition

        features: list[str | JujuAssumes] = [
            item if isinstance(item, str)
            else cls._build(item[1], JujuAssumesCondition(item[0])) for item in tree]
        return cls(features=features, condition=condition)


def _assumes_tree(raw: object, where: _Where) -> list[Any]:
    """The checked ``assumes`` list as plain data: a feature is its text, a group a
    ``(condition value, [items])`` pair; :meth:`JujuAssumes._build` makes the objects."""
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        where.expected('a list of features', raw)
    tree: list[Any] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            tree.append(item)
            continue
        group = _v.mapping(item, where / i, 'a feature or an all-of/any-of group')
        if len(group) != 1 or next(iter(group)) not in ('all-of', 'any-of'):
            (where / i).expected(
                'a single all-of or any-of key', item,
                'write "- any-of: [feature, ...]" or "- all-of: [feature, ...]"')
        key, nested = next(iter(group.items()))
        tree.append((key, _assumes_tree(nested, where / i / key)))
    return tree


class ActionMeta:
    """An action the charm declares in ``actions.yaml`` (or ``actions`` of charmcraft.yaml).

    :attr:`parameters` is the JSON schema of each parameter by name. When the action does
    not set ``additionalProperties``, Juju's default applies: true before Juju 4, false
    from Juju 4. The version is *juju_version* if given, else ``JUJU_VERSION`` read when the
    attribute is first used; unset or unreadable counts as before Juju 4.
    """

    name: str
    title: str
    description: str
    parameters: dict[str, Any]
    required: list[str]

    def __init__(self, name: str, raw: Mapping[str, Any] | None = None, *,
                 juju_version: str | None = None):
        self._init(name, raw, _Where('actions.yaml', name), juju_version)

    def _init(self, name: str, raw: object, where: _Where, juju_version: str | None) -> None:
        fields = _v.mapping(raw, where)
        self.name = name
        self.title = _v.text(fields, 'title', where)
        self.description = _v.text(fields, 'description', where)
        self.parameters = _v.mapping(
            fields.get('params'), where / 'params', 'a mapping of parameter names to schemas')
        for param, schema in self.parameters.items():
            _v.mapping(schema, where / 'params' / param, 'a JSON schema mapping')
        # ops keeps a single name as it is (a string), and so does reactops.
        required = fields.get('required')
        self.required = (required if isinstance(required, str)  # type: ignore[assignment]
                         else _v.texts(fields, 'required', where))
        extra = fields.get('additionalProperties')
        if extra is not None and not isinstance(extra, bool):
            (where / 'additionalProperties').expected('true or false', extra)
        self._additional_properties: bool | None = extra
        self._juju_version = juju_version

    @property
    def params(self) -> dict[str, Any]:
        """The same as :attr:`parameters` (the key's name in ``actions.yaml``)."""
        return self.parameters

    @property
    def additional_properties(self) -> bool:
        """Whether Juju accepts parameters that :attr:`parameters` does not declare."""
        if self._additional_properties is not None:
            return self._additional_properties
        version = self._juju_version or os.environ.get('JUJU_VERSION', '')
        major = _v.juju_major(version)
        return major is None or major < 4

    @additional_properties.setter
    def additional_properties(self, value: bool) -> None:
        self._additional_properties = value

    def __repr__(self) -> str:
        return f'ActionMeta({self.name!r})'


@dataclass(frozen=True)
class ConfigMeta:
    """A config option the charm declares, with the type Juju checks values against."""

    name: str
    type: Literal['string', 'int', 'float', 'boolean', 'secret']
    default: bool | int | float | str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ContainerBase:
    """An OS base a workload container image can be resolved from (Kubernetes charms)."""

    os_name: str
    channel: str
    architectures: list[str]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ContainerBase:
        """Build from one item of a container's ``bases`` list."""
        return cls._parse(d, _Where('metadata.yaml', 'containers.bases'))

    @classmethod
    def _parse(cls, raw: object, where: _Where) -> ContainerBase:
        fields = _v.mapping(raw, where)
        return cls(
            os_name=_v.required_text(fields, 'name', where, 'add "name: ubuntu" or similar'),
            channel=_v.required_text(fields, 'channel', where,
                                     "add the OS channel, e.g. channel: '22.04'"),
            architectures=_v.texts(fields, 'architectures', where),
        )


class ContainerStorageMeta:
    """A storage mounted into a workload container; it may be mounted at several places."""

    storage: str
    """The name of the storage, a key of :attr:`CharmMeta.storages`."""

    def __init__(self, storage: str, location: str):
        self.storage = storage
        self._locations = [location]

    def add_location(self, location: str) -> None:
        """Record one more mount point of the same storage."""
        self._locations.append(location)

    @property
    def locations(self) -> list[str]:
        """Every place the storage is mounted in the container."""
        return self._locations

    @property
    def location(self) -> str:
        """The one place the storage is mounted.

        Raises ``RuntimeError`` (as ops does) when it is mounted at several places:
        use :attr:`locations` then.
        """
        if len(self._locations) != 1:
            raise RuntimeError(
                f'storage {self.storage!r} is mounted at {len(self._locations)} locations '
                f'({", ".join(self._locations)}), so there is no single location; '
                'use .locations')
        return self._locations[0]


class ContainerMeta:
    """A workload container of a Kubernetes charm, with its image source and mounts.

    The image comes from an ``oci-image`` resource or from ``bases``, never both.
    """

    name: str
    resource: str | None
    bases: list[ContainerBase] | None

    def __init__(self, name: str, raw: Mapping[str, Any] | None):
        self._init(name, raw, _Where('metadata.yaml', f'containers.{name}'))

    def _init(self, name: str, raw: object, where: _Where) -> None:
        fields = _v.mapping(raw, where)
        self.name = name
        self.resource = _v.optional_text(fields, 'resource', where)
        self.bases = None
        if fields.get('bases') is not None:
            bases = fields['bases']
            if not isinstance(bases, list):
                (where / 'bases').expected('a list of bases', bases)
            self.bases = [ContainerBase._parse(b, where / 'bases' / i)
                          for i, b in enumerate(bases)]
        if self.resource and self.bases:
            where.fail('a container may take its image from "resource" or from "bases", '
                       'not both', 'remove one of the two keys', _v.MetadataModelError)
        self._mounts: dict[str, ContainerStorageMeta] = {}
        mounts = fields.get('mounts') or []
        if not isinstance(mounts, list):
            (where / 'mounts').expected('a list of {storage, location} mappings', mounts)
        for i, item in enumerate(mounts):
            mount = _v.mapping(item, where / 'mounts' / i)
            storage = _v.required_text(mount, 'storage', where / 'mounts' / i,
                                       'name the storage (a key of "storage") to mount')
            location = _v.text(mount, 'location', where / 'mounts' / i)
            if not location:
                continue  # Nothing to record: Juju picks the place (ops skips it too).
            if storage in self._mounts:
                self._mounts[storage].add_location(location)
            else:
                self._mounts[storage] = ContainerStorageMeta(storage, location)

    @property
    def mounts(self) -> dict[str, ContainerStorageMeta]:
        """The container's mounts by storage name."""
        return self._mounts


class CharmMeta:
    """Everything the charm declares to Juju: metadata, actions and config options.

    *raw* is the content of ``metadata.yaml``, *actions_raw* that of ``actions.yaml`` and
    *config_raw* that of ``config.yaml`` (with its ``options`` key), each as parsed from
    YAML. Every field is checked here; a bad one raises
    :class:`~reactops.errors.MetadataError`.
    """

    name: str
    summary: str
    description: str
    maintainers: list[str]
    """``maintainer``, then ``maintainers``, then ``links.contact``."""
    links: MetadataLinks
    tags: list[str]
    terms: list[str]
    series: list[str]
    subordinate: bool
    min_juju_version: str | None
    charm_user: Literal['root', 'sudoer', 'non-root']
    _assumes: JujuAssumes | None
    requires: dict[str, RelationMeta]
    provides: dict[str, RelationMeta]
    peers: dict[str, RelationMeta]
    relations: dict[str, RelationMeta]
    """All endpoints of the three roles, by name."""
    storages: dict[str, StorageMeta]
    resources: dict[str, ResourceMeta]
    payloads: dict[str, PayloadMeta]
    extra_bindings: dict[str, None]
    containers: dict[str, ContainerMeta]
    actions: dict[str, ActionMeta]
    config: dict[str, ConfigMeta]
    raw: dict[str, Any]
    actions_raw: dict[str, Any]
    config_raw: dict[str, Any]
    sources: tuple[str, ...]
    """The paths of the files this metadata was read from (empty when built from dicts)."""

    def __init__(self, raw: dict[str, Any] | None = None,
                 actions_raw: dict[str, Any] | None = None,
                 config_raw: dict[str, Any] | None = None, *,
                 juju_version: str | None = None):
        self._load(_v.Parts(raw, actions_raw, config_raw), juju_version)

    def __repr__(self) -> str:
        return f'<CharmMeta {self.name!r}>'

    # -- constructors ------------------------------------------------------------------

    @classmethod
    def from_yaml(cls, metadata: str | IO[str], actions: str | IO[str] | None = None,
                  config: str | IO[str] | None = None, *,
                  juju_version: str | None = None) -> CharmMeta:
        """Parse YAML text (or open text files) of ``metadata.yaml``, ``actions.yaml`` and
        ``config.yaml``.

        *metadata* may also be a whole unified ``charmcraft.yaml``: when it has a
        charmcraft key (``type``, ``bases``, ``config``, ``actions``, ...), its ``config``
        and ``actions`` are used, and must not be passed separately as well.
        """
        obj = _new(cls)
        obj._load(_v.parts_from_yaml(metadata, actions, config), juju_version)
        return obj

    @classmethod
    def from_charm_root(cls, charm_dir: str | os.PathLike[str], *,
                        juju_version: str | None = None,
                        cache_file: str | os.PathLike[str] | None = None) -> CharmMeta:
        """Read the metadata of the charm in *charm_dir*.

        Each part comes from its own file when that exists, else from the matching part
        of a unified ``charmcraft.yaml``: the metadata from ``metadata.yaml``, else from
        ``charmcraft.yaml`` if it has a ``name``; the config options from ``config.yaml``,
        else from its ``config`` key; the actions from ``actions.yaml``, else from its
        ``actions`` key. So when both exist, ``metadata.yaml`` wins: in a packed charm it
        is the file ``charmcraft pack`` generated from ``charmcraft.yaml``. Keys that only
        tell charmcraft how to build (``type``, ``bases``, ``parts``, ...) are ignored.
        The files read are listed in :attr:`sources`.

        With *cache_file*, the parsed files are kept there (as JSON, beside each file's
        text) and a file whose text is unchanged is not parsed again, so most hooks
        never import PyYAML; ``main()`` keeps it in ``<charm dir>/.reactops-meta.json``.
        """
        obj = _new(cls)
        cache = None if cache_file is None else _v.ParseCache(os.fspath(cache_file))
        obj._load(_v.parts_from_dir(os.fspath(charm_dir), cache), juju_version)
        if cache is not None:
            cache.save()  # only once the metadata proved valid
        return obj

    @property
    def assumes(self) -> JujuAssumes:
        """The Juju features the charm needs (``assumes``); none is ``JujuAssumes([])``."""
        if self._assumes is None:
            self._assumes = JujuAssumes._build(self._assumes_tree, _all_of())
        return self._assumes

    @assumes.setter
    def assumes(self, assumes: JujuAssumes) -> None:
        self._assumes = assumes

    # -- parsing -----------------------------------------------------------------------

    def _load(self, parts: _v.Parts, juju_version: str | None) -> None:
        w = parts.meta_at
        meta = self.raw = _v.mapping(parts.meta, w, 'a mapping of metadata fields')
        self.actions_raw = _v.mapping(parts.actions, parts.actions_at, 'a mapping of actions')
        self.config_raw = _v.mapping(parts.config, parts.config_at, 'a mapping with "options"')
        self.sources = parts.files
        self.name = _v.text(meta, 'name', w)
        self.summary = _v.text(meta, 'summary', w)
        self.description = _v.text(meta, 'description', w)
        self._load_people(meta, w)
        self.tags = _v.texts(meta, 'tags', w)
        self.terms = _v.texts(meta, 'terms', w)
        self.series = _v.texts(meta, 'series', w)
        self.subordinate = _v.flag(meta, 'subordinate', w)
        # Checked now, made into JujuAssumes (and its enum) when first read.
        self._assumes_tree = _assumes_tree(meta.get('assumes'), w / 'assumes')
        self._assumes = None
        self.min_juju_version = _v.optional_text(meta, 'min-juju-version', w)
        self.charm_user = _v.choice(  # type: ignore[assignment]
            meta, 'charm-user', w, ('root', 'sudoer', 'non-root'), 'root')
        self._load_relations(meta, w)
        self.storages = {name: _make(StorageMeta, name, value, w / 'storage' / name)
                         for name, value in _v.section(meta, 'storage', w).items()}
        self.resources = {name: _make(ResourceMeta, name, value, w / 'resources' / name)
                          for name, value in _v.section(meta, 'resources', w).items()}
        self.payloads = {name: _make(PayloadMeta, name, value, w / 'payloads' / name)
                         for name, value in _v.section(meta, 'payloads', w).items()}
        self.extra_bindings = dict.fromkeys(_v.section(meta, 'extra-bindings', w))
        self.containers = {name: _make(ContainerMeta, name, value, w / 'containers' / name)
                           for name, value in _v.section(meta, 'containers', w).items()}
        self.actions = {}
        for name, value in self.actions_raw.items():
            action: ActionMeta = _new(ActionMeta)
            action._init(name, value, parts.actions_at / name, juju_version)
            self.actions[name] = action
        options = _v.config_options(self.config_raw, parts.config_at)
        self.config = {}
        for name, value in options.items():
            option_type, default, description = _v.config_option(
                value, parts.config_at / 'options' / name)
            self.config[name] = ConfigMeta(name, option_type,  # type: ignore[arg-type]
                                           default, description)

    def _load_people(self, meta: dict[str, Any], w: _Where) -> None:
        links = _v.section(meta, 'links', w)
        self.maintainers = [m for m in [_v.text(meta, 'maintainer', w)] if m]
        self.maintainers += _v.texts(meta, 'maintainers', w)
        self.maintainers += _v.texts(links, 'contact', w / 'links', single_ok=True)

        def urls(key: str, links_key: str) -> list[str]:
            # metadata.yaml spells them at the top level; charmcraft.yaml under `links`.
            return (_v.texts(meta, key, w, single_ok=True)
                    or _v.texts(links, links_key, w / 'links', single_ok=True))

        docs = _v.optional_text(meta, 'docs', w)
        if docs is None:
            docs = _v.optional_text(links, 'documentation', w / 'links')
        self.links = MetadataLinks(websites=urls('website', 'website'),
                                   sources=urls('source', 'source'),
                                   issues=urls('issues', 'issues'), documentation=docs)

    def _load_relations(self, meta: dict[str, Any], w: _Where) -> None:
        self.relations = {}
        by_role: dict[str, dict[str, RelationMeta]] = {}
        for role, key in _ROLE_KEYS.items():
            endpoints = by_role[role] = {}
            for name, value in _v.section(meta, key, w).items():
                if name in self.relations:
                    (w / key / name).fail(
                        f'the endpoint name {name!r} is also declared under '
                        f'{_ROLE_KEYS[self.relations[name]._role]}',
                        'Juju needs endpoint names to be unique: rename one of them')
                relation: RelationMeta = _new(RelationMeta)
                relation._init(role, name, value, w / key / name)
                endpoints[name] = self.relations[name] = relation
        self.requires = by_role['requires']
        self.provides = by_role['provides']
        self.peers = by_role['peer']


def _make(cls: type[_T], name: str, raw: object, where: _Where) -> _T:
    obj = _new(cls)
    obj._init(name, raw, where)  # type: ignore[attr-defined]
    return obj
