"""The Juju model as this unit sees it: units, applications, relations and their data,
config, status, storage, ports, network, resources, secrets and the cloud.

The names follow ``ops.model``, so ``from ops.model import X`` ports as
``from reactops.model import X``. What reactops does differently, on purpose:

* relation data writes are buffered and sent once per changed bag when the dispatch
  commits (see :class:`RelationDataContent`);
* config values are checked against the declared option types (see :class:`ConfigData`);
* there is no Kubernetes or Pebble API (containers, pods): reactops is for machine charms.

Everything is read from Juju lazily and at most once per dispatch where Juju allows it;
opened ports, goal state, secret metadata, peeked secret content and the cloud spec are
read on every call.
"""

from __future__ import annotations

from ..errors import (
    InvalidStatusError,
    ModelError,
    RelationDataAccessError,
    RelationDataError,
    RelationDataTypeError,
    RelationNotFoundError,
    SecretNotFoundError,
    TooManyRelatedAppsError,
)
from ._cloud import CloudCredential, CloudSpec
from ._config import ConfigData, ConfigValue
from ._model import Model
from ._network import Binding, BindingMapping, Network, NetworkInterface
from ._relations import (
    Relation,
    RelationData,
    RelationDataContent,
    RelationMapping,
    RemoteModel,
)
from ._resources import OpenedPort, Port, Resources, Storage, StorageMapping
from ._secrets import Secret, SecretInfo, SecretRotate
from ._status import (
    SETTABLE_STATUS_NAMES,
    STATUS_PRIORITY,
    ActiveStatus,
    BlockedStatus,
    ErrorStatus,
    MaintenanceStatus,
    StatusBase,
    StatusName,
    UnknownStatus,
    WaitingStatus,
)
from ._units import Application, Unit

_STATUS_PRIORITY = STATUS_PRIORITY

__all__ = [
    'SETTABLE_STATUS_NAMES',
    'STATUS_PRIORITY',
    'ActiveStatus',
    'Application',
    'Binding',
    'BindingMapping',
    'BlockedStatus',
    'CloudCredential',
    'CloudSpec',
    'ConfigData',
    'ConfigValue',
    'ErrorStatus',
    'InvalidStatusError',
    'MaintenanceStatus',
    'Model',
    'ModelError',
    'Network',
    'NetworkInterface',
    'OpenedPort',
    'Port',
    'Relation',
    'RelationData',
    'RelationDataAccessError',
    'RelationDataContent',
    'RelationDataError',
    'RelationDataTypeError',
    'RelationMapping',
    'RelationNotFoundError',
    'RemoteModel',
    'Resources',
    'Secret',
    'SecretInfo',
    'SecretNotFoundError',
    'SecretRotate',
    'StatusBase',
    'StatusName',
    'Storage',
    'StorageMapping',
    'TooManyRelatedAppsError',
    'Unit',
    'UnknownStatus',
    'WaitingStatus',
]
