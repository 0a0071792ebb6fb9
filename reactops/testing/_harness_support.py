"""The pieces of :class:`~reactops.testing.Harness` that are not the harness itself: its
action results, its backend (networks and departing units), and metadata loading."""

from __future__ import annotations

import dataclasses
import ipaddress
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from ..charm import CharmBase
from ..jujucontext import JujuContext
from ..meta import CharmMeta
from ..model import Application, Unit
from ._backend import SimulatedBackend, _network_output
from ._context import ActionFailed, _class_root, _meta_from_dicts
from ._state import Network, PeerRelation, Relation, RelationBase, State

FLAG_PREFIX = 'reactive.states.'  # as reactops.reactive._runtime.FLAG_PREFIX
OUTSIDE = '(test code)'  # what "runs" between events: charm code is held to Juju's rules
METADATA_FILES = ('charmcraft.yaml', 'metadata.yaml')
OPTION_TYPES: dict[str, tuple[type, ...]] = {
    'string': (str,), 'secret': (str,), 'int': (int,), 'float': (int, float),
    'boolean': (bool,)}


@dataclasses.dataclass(frozen=True)
class ActionOutput:
    """What an action run with :meth:`Harness.run_action` reported to the operator."""

    logs: list[str]
    """The messages of ``event.log()``, in order."""
    results: dict[str, Any]
    """The results as Juju shows them: nested by the dots of their keys, values as strings."""


class HarnessActionFailed(ActionFailed):
    """The action called ``event.fail()``: :attr:`output` holds its logs and results and
    :attr:`state` the world after it (the hook itself completed and committed).

    A subclass of :class:`reactops.testing.ActionFailed`, so either name catches it.
    """

    def __init__(self, message: str, output: ActionOutput, state: State):
        super().__init__(message, state)
        self.output = output

    def __str__(self) -> str:
        return self.message or 'the action called event.fail() without a message'


@dataclasses.dataclass
class _ForeignSecret:
    """A secret the charm does not own: a remote application's or unit's, or a user's."""

    id: str
    owner: str  # an application or unit name, or the model uuid for a user secret
    revisions: list[dict[str, str]]
    grants: dict[int | None, set[str]] = dataclasses.field(default_factory=dict)


class _HarnessBackend(SimulatedBackend):
    """The simulated backend, plus two things the Harness arranges: networks per relation
    or for every binding (``add_network``), and the bag of a unit while it departs."""

    def __init__(self, state: State, meta: CharmMeta, context: JujuContext, *,
                 networks: Mapping[tuple[str | None, int | None], Network],
                 departed: Mapping[tuple[int, str], Mapping[str, str]], **kwargs: Any):
        super().__init__(state, meta, context, **kwargs)
        self._networks = networks
        self._departed = departed
        self._hook_is_running = context.hook_name or context.action_name or OUTSIDE

    def network_get(self, binding: str, relation_id: int | None = None) -> dict[str, Any]:
        answer = super().network_get(binding, relation_id)  # checks binding and relation
        for key in ((binding, relation_id), (binding, None), (None, None)):
            if key in self._networks:
                return _network_output(self._networks[key])
        return answer

    def relation_get(self, relation_id: int, endpoint: str, member: str,
                     is_app: bool) -> dict[str, str]:
        departing = self._departed.get((relation_id, member))
        if departing is not None and not is_app and member == self._juju_context.remote_unit:
            self._relation(relation_id, endpoint)
            return dict(departing)  # Juju still answers for the unit that departs
        return super().relation_get(relation_id, endpoint, member, is_app)


def _units_field(relation: RelationBase) -> tuple[str, Mapping[int, Mapping[str, str]]]:
    """The name and value of the field holding a relation's remote units, by number."""
    if isinstance(relation, PeerRelation):
        return 'peers_data', relation.peers_data
    if isinstance(relation, Relation):
        return 'remote_units_data', relation.remote_units_data
    raise TypeError(f'the harness does not manage {type(relation).__name__}s')


def _name_of(app_or_unit: str | Application | Unit) -> str:
    if isinstance(app_or_unit, Application | Unit):
        return app_or_unit.name
    if isinstance(app_or_unit, str):
        return app_or_unit
    raise TypeError(f'expected an Application, a Unit or a name, not {app_or_unit!r}')


def _storage_key(storage_id: str) -> int:
    return int(storage_id.rsplit('/', 1)[1])


def _network(address: str, cidr: str | None = None, interface: str = 'eth0',
             ingress: Iterable[str] | None = None,
             egress: Iterable[str] | None = None) -> Network:
    parsed = ipaddress.ip_address(address)  # ValueError if it is not an address
    if cidr is None:
        cidr = str(ipaddress.ip_network(f'{address}/{24 if parsed.version == 4 else 64}',
                                        strict=False))
    return Network('', bind_address=address, interface_name=interface,
                   ingress_addresses=tuple(ingress or (address,)),
                   egress_subnets=tuple(egress or (cidr,)))


def _load_meta(charm_cls: type[CharmBase], meta: str | IO[str] | None,
               actions: str | IO[str] | None, config: str | IO[str] | None,
               juju_version: str) -> tuple[CharmMeta, Path | None]:
    """The metadata, part by part from the arguments or else the charm's files (as ops'
    Harness does), and the charm directory if the files are there."""
    root = _class_root(charm_cls)
    if root is None or not any((root / name).is_file() for name in METADATA_FILES):
        root = None
    disk = CharmMeta.from_charm_root(root, juju_version=juju_version) if root else None
    raw = _yaml(meta, 'meta') if meta is not None else \
        disk.raw if disk is not None else {'name': 'test-charm'}
    whole = meta is not None and not raw.keys().isdisjoint({'actions', 'config'})
    raw_actions = _yaml(actions, 'actions') if actions is not None else \
        disk.actions_raw if disk is not None and not whole else None
    raw_config = _yaml(config, 'config') if config is not None else \
        disk.config_raw if disk is not None and not whole else None
    return _meta_from_dicts(raw, raw_actions, raw_config, juju_version), root


def _yaml(text: str | IO[str], what: str) -> dict[str, Any]:
    loaded = yaml.safe_load(textwrap.dedent(text) if isinstance(text, str) else text.read())
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValueError(f'{what}= must be YAML for a mapping, not {type(loaded).__name__}')
    return loaded
