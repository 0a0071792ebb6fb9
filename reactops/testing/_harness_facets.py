"""Storage, resources, networks, actions, statuses and the cloud spec in
:class:`~reactops.testing.Harness` (a mixin of its methods; containers and secrets come
from the mixins below it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from ..charm import evaluate_status as _evaluate_status
from ..errors import ModelError
from ..model import CloudSpec
from ._harness_base import CharmType
from ._harness_containers import _HarnessContainers
from ._harness_results import ActionFailed, ActionOutput
from ._harness_world import _RunningAction, network_output


class _HarnessFacets(_HarnessContainers[CharmType]):
    """The Harness's methods for storage, resources, networks, actions and statuses."""

    # -- storage ---------------------------------------------------------------------------

    def add_storage(self, storage_name: str, count: int = 1, *,
                    attach: bool = False) -> list[str]:
        """Add *count* instances of a declared storage (``data/0``, ...); return their ids.

        With *attach*, attach them too (emitting storage-attached once :meth:`begin` has
        run); :meth:`begin_with_initial_hooks` attaches every instance.
        """
        if storage_name not in self._meta.storages:
            raise RuntimeError(f'the key {storage_name!r} is not specified as a storage key '
                               f'in metadata')
        ids = [f'{storage_name}/{index}'
               for index in self._backend.storage_add(storage_name, count)]
        for storage_id in ids if attach else ():
            self.attach_storage(storage_id)
        return ids

    def attach_storage(self, storage_id: str) -> None:
        """Attach an added instance; emit storage-attached (nothing if it is attached)."""
        name, index = self._storage_id(storage_id)
        storage = self._backend.storages[name].get(index)
        if storage is None:
            raise RuntimeError(f'storage {storage_id!r} was not added: add it with '
                               f'add_storage()')
        if storage.attached:
            return
        storage.attached = True
        self._backend._mount(name)
        self._refresh()
        self._emit_storage('attached', name, index)

    def detach_storage(self, storage_id: str) -> None:
        """Emit storage-detaching for an attached instance, then detach it."""
        if self._charm is None:
            raise RuntimeError('cannot detach storage before Harness is initialised')
        name, index = self._storage_id(storage_id)
        storage = self._backend.storages[name].get(index)
        if storage is None or not storage.attached:
            return
        self._emit_storage('detaching', name, index)
        storage.attached = False
        self._backend._unmount(name)
        self._refresh()

    def remove_storage(self, storage_id: str) -> None:
        """Emit storage-detaching if the instance is attached, then remove it."""
        name, index = self._storage_id(storage_id)
        storage = self._backend.storages[name].get(index)
        if storage is None:
            raise RuntimeError(f'storage {storage_id!r} was not added')
        if storage.attached:
            self._emit_storage('detaching', name, index)
        del self._backend.storages[name][index]
        self._backend._unmount(name)
        self._refresh()

    def _storage_id(self, storage_id: str) -> tuple[str, int]:
        name, _, index = storage_id.rpartition('/')
        if name not in self._meta.storages:
            raise RuntimeError(f'the key {name!r} is not specified as a storage key in '
                               f'metadata')
        if not index.isdigit():
            raise ValueError(f'a storage id is <name>/<number>, not {storage_id!r}')
        return name, int(index)

    # -- resources ---------------------------------------------------------------------------

    def add_resource(self, resource_name: str, content: str | bytes) -> None:
        """Give a file resource this content (``model.resources.fetch`` returns its path)."""
        resource = self._meta.resources.get(resource_name)
        if resource is None:
            raise RuntimeError(f'resource {resource_name!r} is not a defined resource')
        if resource.type != 'file':
            raise RuntimeError(f'resource {resource_name!r} is not a file, but actually '
                               f'{resource.type}')
        self._put_resource(resource_name, resource.filename or resource_name, content)

    def add_oci_resource(self, resource_name: str,
                         contents: Mapping[str, str] | None = None) -> None:
        """Give an OCI image resource its registry details (a YAML file with
        ``registrypath``, ``username`` and ``password``; placeholders by default)."""
        resource = self._meta.resources.get(resource_name)
        if resource is None:
            raise RuntimeError(f'resource {resource_name!r} is not a defined resource')
        if resource.type != 'oci-image':
            raise RuntimeError(f'resource {resource_name!r} is not an OCI image')
        details = dict(contents) if contents else {
            'registrypath': 'registrypath', 'username': 'username', 'password': 'password'}
        self._put_resource(resource_name, 'contents.yaml', yaml.safe_dump(details))

    def populate_oci_resources(self) -> None:
        """:meth:`add_oci_resource` with placeholders, for every OCI image resource."""
        for name, resource in self._meta.resources.items():
            if resource.type == 'oci-image':
                self.add_oci_resource(name)

    def _put_resource(self, resource_name: str, filename: str, content: str | bytes) -> None:
        path = self._tmp / 'resources' / resource_name / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        self._backend.resources[resource_name] = path
        self._refresh()

    # -- networks ----------------------------------------------------------------------------

    def add_network(self, address: str, *, endpoint: str | None = None,
                    relation_id: int | None = None, cidr: str | None = None,
                    interface: str = 'eth0', ingress_addresses: Iterable[str] | None = None,
                    egress_subnets: Iterable[str] | None = None) -> None:
        """What ``network-get`` answers: for one relation, one endpoint, or without
        *endpoint* every binding that has none of its own."""
        if endpoint is not None and endpoint not in self._meta.relations:
            raise ModelError(f'{endpoint!r} is not a known endpoint')
        if relation_id is not None:
            if endpoint is None:
                raise TypeError('endpoint must be set if relation_id is provided')
            relation = self._backend.relations.get(relation_id)
            if relation is None:
                raise ModelError(f'relation_id {relation_id} has not been added; use '
                                 f'add_relation')
            if relation.endpoint != endpoint:
                raise ModelError(f'endpoint {endpoint!r} does not correspond to relation_id '
                                 f'{relation_id} ({relation.endpoint!r})')
        self._backend.networks[(endpoint, relation_id)] = network_output(
            address, cidr, interface,
            None if ingress_addresses is None else list(ingress_addresses),
            None if egress_subnets is None else list(egress_subnets))
        self._refresh()

    # -- actions, statuses, the cloud --------------------------------------------------------

    def run_action(self, action_name: str,
                   params: Mapping[str, Any] | None = None) -> ActionOutput:
        """Run an action as ``juju run`` does (after :meth:`begin`); return its logs and
        results. :class:`ActionFailed` if the charm called ``event.fail()``."""
        charm = self.charm
        action = self._meta.actions.get(action_name)
        if action is None:
            raise RuntimeError(f'the charm has no action {action_name!r} (known: '
                               f'{", ".join(sorted(self._meta.actions)) or "none"})')
        given = dict(params or {})
        for key in action.required:
            if key not in given:  # Juju wants it even when it has a default
                raise RuntimeError(f'{key!r} parameter is required, but missing')
        if not action.additional_properties:
            for key in given:
                if key not in action.parameters:
                    raise ModelError(f'additional property "{key}" is not allowed, given '
                                     f'{{"{key}":{given[key]!r}}}')
        running = _RunningAction(action_name, given)
        self._backend.action = running
        self._action_counter += 1
        try:
            getattr(charm.on, f'{action_name.replace("-", "_")}_action').emit(
                str(self._action_counter))
        finally:
            self._backend.action = None
        output = ActionOutput(running.logs, running.results)
        if running.failure is not None:
            raise ActionFailed(running.failure, output)
        return output

    def evaluate_status(self) -> None:
        """Run collect-status now, as Juju does at the end of every hook, and set the
        statuses the charm added."""
        _evaluate_status(self.charm)
        self._refresh()

    def set_cloud_spec(self, spec: CloudSpec) -> None:
        """What ``self.model.get_cloud_spec()`` answers from now on."""
        self._backend.cloud_spec = spec

    def get_pod_spec(self) -> tuple[Mapping[Any, Any], Mapping[Any, Any] | None]:
        """The pod spec and Kubernetes resources the charm set last."""
        if self._backend.pod_spec is None:
            raise RuntimeError('the charm has not set a pod spec')
        return self._backend.pod_spec

    def get_workload_version(self) -> str | None:
        """The workload version the unit set (``None`` if it set none)."""
        return self._backend.workload_version

    @property
    def reboot_count(self) -> int:
        """How many times the charm asked for a reboot (``unit.reboot()``)."""
        return self._backend.reboot_count
