"""The Juju model as this unit sees it during one dispatch."""

from __future__ import annotations

from .._private.typing import TYPE_CHECKING
from ._config import ConfigData
from ._relations import Relation, RelationMapping
from ._units import Application, Unit, _ModelCache

if TYPE_CHECKING:
    from .._private.backend import ModelBackend
    from ..jujucontext import JujuVersion
    from ..meta import CharmMeta
    from ._cloud import CloudSpec
    from ._network import Binding, BindingMapping
    from ._resources import Pod, Resources, StorageMapping
    from ._secrets import Secret

# The cloud, network, resource, storage and secret facets are imported when first used:
# most hooks touch none of them, and each costs its module's import in every hook.

__all__ = ['Model']


class Model:
    """The Juju model from this unit's point of view: units, apps, relations, config, ...

    Reach it as ``self.model`` from a charm or any framework object. Everything is read
    from Juju lazily, once per dispatch where Juju's semantics allow it, through
    *backend* (a :class:`~reactops._private.backend.ModelBackend`, or a test harness's stand-in).

    *broken_relation_id* is the relation of a relation-broken event, left out of
    :attr:`relations`; *remote_unit_name* is the departing unit of a departed or broken
    event, whose data stays readable.

    Relation data writes are buffered and sent when the framework commits the dispatch
    (it calls :meth:`_on_commit`); see :class:`RelationDataContent`.
    """

    def __init__(self, meta: CharmMeta, backend: ModelBackend,
                 broken_relation_id: int | None = None, remote_unit_name: str | None = None):
        self._meta = meta
        self._backend = backend
        self._cache = _ModelCache(meta, backend)
        self._unit = self._cache.get(Unit, backend.unit_name)
        remote_unit = self._cache.get(Unit, remote_unit_name) if remote_unit_name else None
        self._relations = RelationMapping(meta.relations, self._unit, backend, self._cache,
                                          broken_relation_id, _remote_unit=remote_unit)
        self._config = ConfigData(backend, meta.config)
        # Juju lets every unit read a peer relation's app bag: the backend needs to know
        # which endpoints are peers to tell a gone relation from a refused read.
        backend._peer_endpoints = frozenset(
            name for name, relation in meta.relations.items() if relation._is_peer())
        self._pod: Pod | None = None
        self._resources: Resources | None = None
        self._storages: StorageMapping | None = None
        self._bindings: BindingMapping | None = None

    def __repr__(self) -> str:
        return f'<reactops.model.Model {self.name} unit={self._unit.name}>'

    @property
    def unit(self) -> Unit:
        """This unit."""
        return self._unit

    @property
    def app(self) -> Application:
        """This unit's application."""
        return self._unit.app

    @property
    def relations(self) -> RelationMapping:
        """Each declared endpoint mapped to its live relations (see :meth:`get_relation`)."""
        return self._relations

    @property
    def config(self) -> ConfigData:
        """The application's config, checked against the declared option types."""
        return self._config

    @property
    def resources(self) -> Resources:
        """The charm's resources: ``model.resources.fetch(name)`` gives a path."""
        if self._resources is None:
            from ._resources import Resources

            self._resources = Resources(self._meta.resources, self._backend)
        return self._resources

    @property
    def pod(self) -> Pod:
        """The pod spec of a podspec Kubernetes charm (deprecated in Juju: use sidecars)."""
        if self._pod is None:
            from ._resources import Pod

            self._pod = Pod(self._backend)
        return self._pod

    @property
    def storages(self) -> StorageMapping:
        """Each declared storage mapped to its attached instances."""
        if self._storages is None:
            from ._resources import StorageMapping

            self._storages = StorageMapping(self._meta.storages, self._backend)
        return self._storages

    @property
    def name(self) -> str:
        """The model's name (``JUJU_MODEL_NAME``)."""
        return self._backend.model_name

    @property
    def uuid(self) -> str:
        """The model's UUID (``JUJU_MODEL_UUID``)."""
        return self._backend.model_uuid

    @property
    def juju_version(self) -> JujuVersion:
        """The version of the Juju agent running this unit."""
        return self._backend.juju_version

    def get_unit(self, unit_name: str) -> Unit:
        """The unit called *unit_name* (the same object for the same name)."""
        return self._cache.get(Unit, unit_name)

    def get_app(self, app_name: str) -> Application:
        """The application called *app_name* (the same object for the same name)."""
        return self._cache.get(Application, app_name)

    def get_relation(self, relation_name: str,
                     relation_id: int | None = None) -> Relation | None:
        """One relation of endpoint *relation_name*.

        With *relation_id*: that relation, or, if it is not live (gone, or broken in this
        event), an inactive :class:`Relation` for it. Without: ``None`` if the endpoint
        has no relation, the relation if it has one, and
        :class:`~reactops.errors.TooManyRelatedAppsError` if it has more.
        """
        return self._relations._get_unique(relation_name, relation_id)

    def get_binding(self, binding_key: str | Relation) -> Binding:
        """The network binding of an endpoint, or of one relation (more specific)."""
        if self._bindings is None:
            from ._network import BindingMapping

            self._bindings = BindingMapping(self._backend)
        return self._bindings.get(binding_key)

    def get_secret(self, *, id: str | None = None, label: str | None = None) -> Secret:
        """The secret with *id* or *label*; its content is read now (``secret-get``).

        Given both, the secret is found by id and this charm names it *label* from now
        on. Raises :class:`~reactops.errors.SecretNotFoundError` if there is no such
        secret or it was not granted to us.
        """
        if not (id or label):
            raise TypeError('get_secret needs an id or a label (or both)')
        from ._secrets import Secret, _canonical_id

        if id is not None:
            id = _canonical_id(id, self._backend.model_uuid)
        content = self._backend.secret_get(id=id, label=label)
        return Secret(self._backend, id=id, label=label, content=content)

    def _secret_handle(self, id: str | None, label: str | None) -> Secret:
        """The secret of a secret event: its content is read only when asked for."""
        from ._secrets import Secret

        return Secret(self._backend, id=id, label=label)

    def get_cloud_spec(self) -> CloudSpec:
        """The cloud the model runs on, with its credential (``credential-get``).

        Needs ``juju trust``; without it Juju refuses with a
        :class:`~reactops.errors.ModelError`. Asked of Juju on every call.
        """
        from ._cloud import CloudSpec

        return CloudSpec._from_answer(self._backend.credential_get())

    def _on_commit(self) -> None:
        """Send the buffered relation data writes: one ``relation-set`` per changed bag.

        The framework calls this after the commit event and before the state store
        commits, so a failure here fails the dispatch and nothing of it is kept. Writes
        made afterwards are sent at once.
        """
        self._cache.bags.flush()
