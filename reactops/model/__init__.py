"""The Juju model as this unit sees it: units, applications, relations and their data,
config, status, storage, ports, network, resources, secrets and the cloud.

The names follow ``ops.model``, so ``from ops.model import X`` ports as
``from reactops.model import X``. What reactops does differently, on purpose:

* relation data writes are buffered and sent once per changed bag when the dispatch
  commits (see :class:`RelationDataContent`);
* config values are checked against the declared option types (see :class:`ConfigData`);
* a Kubernetes charm's containers (:class:`Container`) and the Pebble client behind them
  are loaded only when the charm first asks for a container.

Everything is read from Juju lazily and at most once per dispatch where Juju allows it;
opened ports, goal state, secret metadata, peeked secret content and the cloud spec are
read on every call.
"""

from __future__ import annotations

from .._private.lazy import lazy_exports
from .._private.typing import TYPE_CHECKING
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
from ._config import ConfigData, ConfigValue
from ._lazy import LazyMapping
from ._model import Model
from ._relations import (
    Relation,
    RelationData,
    RelationDataContent,
    RelationMapping,
)
from ._status import (
    SETTABLE_STATUS_NAMES,
    STATUS_PRIORITY,
    ActiveStatus,
    BlockedStatus,
    ErrorStatus,
    MaintenanceStatus,
    StatusBase,
    UnknownStatus,
    WaitingStatus,
)
from ._units import Application, Unit

if TYPE_CHECKING:
    from .._private.backend import MAX_LOG_LINE_LEN
    from ._cloud import CloudCredential, CloudSpec
    from ._containers import (
        CheckInfoMapping,
        Container,
        ContainerMapping,
        LazyCheckInfo,
        LazyNotice,
        MultiPushPullError,
        ServiceInfoMapping,
    )
    from ._network import Binding, BindingMapping, Network, NetworkInterface
    from ._remote import RemoteModel
    from ._resources import K8sSpec, OpenedPort, Pod, Port, Resources, Storage, StorageMapping
    from ._secrets import Secret, SecretInfo, SecretRotate
    from ._status import StatusName

# The facets most hooks never touch (the cloud, the network, the remote model, resources
# and storage, secrets) are loaded on first use, so that a hook does not pay for them.
_LAZY: dict[str, str] = {
    'CloudCredential': '_cloud', 'CloudSpec': '_cloud',
    'CheckInfoMapping': '_containers', 'Container': '_containers',
    'ContainerMapping': '_containers', 'LazyCheckInfo': '_containers',
    'LazyNotice': '_containers', 'MultiPushPullError': '_containers',
    'ServiceInfoMapping': '_containers',
    'Binding': '_network', 'BindingMapping': '_network', 'Network': '_network',
    'NetworkInterface': '_network',
    'RemoteModel': '_remote',
    'K8sSpec': '_resources', 'OpenedPort': '_resources', 'Pod': '_resources',
    'Port': '_resources',
    'Resources': '_resources',
    'Storage': '_resources', 'StorageMapping': '_resources',
    'Secret': '_secrets', 'SecretInfo': '_secrets', 'SecretRotate': '_secrets',
    'StatusName': '_status',  # a typing.Literal, built on first use
    'MAX_LOG_LINE_LEN': '._private.backend',
    '_ModelBackend': '._private.backend',  # ops' private name, which charm libraries reach
    '_ModelCache': '_units',  # ops' private name too
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

_STATUS_PRIORITY = STATUS_PRIORITY

__all__ = [
    'MAX_LOG_LINE_LEN',
    'SETTABLE_STATUS_NAMES',
    'STATUS_PRIORITY',
    'ActiveStatus',
    'Application',
    'Binding',
    'BindingMapping',
    'BlockedStatus',
    'CheckInfoMapping',
    'CloudCredential',
    'CloudSpec',
    'ConfigData',
    'ConfigValue',
    'Container',
    'ContainerMapping',
    'ErrorStatus',
    'InvalidStatusError',
    'K8sSpec',
    'LazyCheckInfo',
    'LazyMapping',
    'LazyNotice',
    'MaintenanceStatus',
    'Model',
    'ModelError',
    'MultiPushPullError',
    'Network',
    'NetworkInterface',
    'OpenedPort',
    'Pod',
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
    'ServiceInfoMapping',
    'StatusBase',
    'StatusName',
    'Storage',
    'StorageMapping',
    'TooManyRelatedAppsError',
    'Unit',
    'UnknownStatus',
    'WaitingStatus',
]
