"""Juju's rules, in one place: who may read and write which relation bag, what only the
leader may do, who may read and manage a secret, and the shapes of Juju's names.

Every party that plays Juju's side uses these functions: the local model's hook tools,
``reactops.testing``'s simulated backends, the model's own checks and the project's fake hook
tools. So they cannot drift apart.

Pure functions and data, standard library only, no ``typing`` at run time: the local model
copies this file beside its hook-tool program, which runs without ``site`` and pays for
every import on every tool call.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs an import on every tool run; only mypy needs it
if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = [
    'ACTION_KEY', 'ACTION_NAME', 'APP_NAME', 'BAG_KINDS', 'ENDPOINT_NAME', 'FILES',
    'LEADER_ONLY', 'OWN_APP', 'OWN_UNIT', 'PEER_UNIT', 'RELATION_ID', 'REMOTE_APP',
    'REMOTE_UNIT', 'SECRET_KEY', 'SECRET_OWNERS', 'SIBLING_UNIT', 'UNIT_NAME', 'app_of',
    'bag_kind', 'is_action_name', 'is_app_name', 'is_endpoint_name', 'is_flag_name',
    'is_unit_name', 'leader_refusal', 'may_grant_to', 'may_read', 'may_read_secret',
    'may_write', 'owns_secret', 'read_refusal', 'relation_number', 'write_refusal',
]

# -- names ---------------------------------------------------------------------------------
# Application, unit, endpoint and relation-id shapes are jujunames' (beside this file in the
# local model's bin directory too); the rest are here.

if TYPE_CHECKING or __package__:
    from .jujunames import APPLICATION_NAME_RE as APP_NAME
    from .jujunames import ENDPOINT_NAME_RE as ENDPOINT_NAME
    from .jujunames import RELATION_ID_RE as RELATION_ID
    from .jujunames import UNIT_NAME_RE as UNIT_NAME
    from .jujunames import Pattern as _Pattern
else:  # a copy run without its package, beside the local model's hook tools
    from jujunames import APPLICATION_NAME_RE as APP_NAME
    from jujunames import ENDPOINT_NAME_RE as ENDPOINT_NAME
    from jujunames import RELATION_ID_RE as RELATION_ID
    from jujunames import UNIT_NAME_RE as UNIT_NAME
    from jujunames import Pattern as _Pattern

#: An action name.
ACTION_NAME = _Pattern(r'^[a-z](?:[a-z0-9-]*[a-z0-9])?$')
#: A key of action parameters and results.
ACTION_KEY = _Pattern(r'^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$')
#: A key of secret content.
SECRET_KEY = _Pattern(r'^[a-z](?:-?[a-z0-9]){2,}$')

#: The files a copy of the rule book needs beside it (the local model's bin directory).
FILES = ('jujurules.py', 'jujunames.py')


def app_of(unit: str) -> str:
    """The application of a unit name (the name itself for an application)."""
    return unit.partition('/')[0]


def is_unit_name(name: str) -> bool:
    return UNIT_NAME.fullmatch(name) is not None


def is_app_name(name: str) -> bool:
    return APP_NAME.fullmatch(name) is not None


def is_endpoint_name(name: str) -> bool:
    return ENDPOINT_NAME.fullmatch(name) is not None


def is_action_name(name: str) -> bool:
    return ACTION_NAME.fullmatch(name) is not None


def relation_number(raw: str) -> int | None:
    """The number of a relation id (``db:3`` or ``3``), or ``None`` when it is no id."""
    match = RELATION_ID.fullmatch(raw)
    return int(match.group(1)) if match else None


def is_flag_name(name: object) -> bool:
    """A reactive flag is named by any non-empty string (charms.reactive's rule too)."""
    return isinstance(name, str) and bool(name)


# -- relation data bags --------------------------------------------------------------------

OWN_UNIT = 'own unit'
OWN_APP = 'own app'
REMOTE_UNIT = 'remote unit'
REMOTE_APP = 'remote app'
PEER_UNIT = 'peer unit'
SIBLING_UNIT = 'sibling unit'
"""Another unit of our own application, seen through a relation that is not a peer one."""

BAG_KINDS = (OWN_UNIT, OWN_APP, REMOTE_UNIT, REMOTE_APP, PEER_UNIT, SIBLING_UNIT)


def bag_kind(unit: str, member: str, *, is_app: bool, peer: bool) -> str:
    """Which of :data:`BAG_KINDS` *member*'s bag is, seen from *unit* in a relation."""
    app = app_of(unit)
    if is_app:
        return OWN_APP if app_of(member) == app else REMOTE_APP
    if member == unit:
        return OWN_UNIT
    if app_of(member) == app:
        return PEER_UNIT if peer else SIBLING_UNIT
    return REMOTE_UNIT


def read_refusal(kind: str, *, leader: bool, peer: bool) -> str | None:
    """Why Juju refuses to let a unit read a bag of *kind*, or ``None`` when it may."""
    if kind == OWN_APP and not leader and not peer:
        return ("only the leader may read its own application's bag (outside peer "
                'relations)')
    if kind == SIBLING_UNIT:
        return ('a unit cannot read the bag of another unit of its own application '
                'outside a peer relation')
    return None


def write_refusal(kind: str, *, leader: bool) -> str | None:
    """Why Juju refuses to let a unit write a bag of *kind*, or ``None`` when it may."""
    if kind == OWN_UNIT:
        return None
    if kind == OWN_APP:
        return None if leader else "only the leader may write its application's bag"
    if kind == REMOTE_APP:
        return "it is the remote application's bag; a unit writes its own app's"
    return 'a unit writes only its own bag'


def may_read(unit: str, member: str, *, is_app: bool, peer: bool, leader: bool) -> bool:
    kind = bag_kind(unit, member, is_app=is_app, peer=peer)
    return read_refusal(kind, leader=leader, peer=peer) is None


def may_write(unit: str, member: str, *, is_app: bool, peer: bool, leader: bool) -> bool:
    kind = bag_kind(unit, member, is_app=is_app, peer=peer)
    return write_refusal(kind, leader=leader) is None


# -- leadership ----------------------------------------------------------------------------

#: What only the leader may do, by hook tool (with ``--app``/``--application`` where that
#: is what makes it the leader's).
LEADER_ONLY = {
    'leader-set': 'cannot write leadership settings: cannot write settings: not the leader',
    'relation-set --app': 'cannot write relation settings: this unit is not the leader',
    'status-set --application': 'setting application status: this unit is not the leader',
    'status-get --application': 'finding application status: this unit is not the leader',
}


def leader_refusal(action: str, *, leader: bool) -> str | None:
    """Juju's refusal of *action* (a key of :data:`LEADER_ONLY`) by a non-leader."""
    return None if leader or action not in LEADER_ONLY else LEADER_ONLY[action]


# -- secrets -------------------------------------------------------------------------------

SECRET_OWNERS = ('application', 'unit')


def owns_secret(owner: str, unit: str, *, leader: bool) -> bool:
    """Whether *unit* may manage (set, grant, revoke, remove, read the info of) a secret
    owned by *owner* (a unit or an application name): its own unit's, or its application's
    when it is the leader."""
    return owner == unit or (owner == app_of(unit) and leader)


def may_read_secret(owner: str, unit: str, grants: Collection[str]) -> bool:
    """Whether *unit* may read the content of a secret owned by *owner*: every unit of the
    owning application reads an application's secret, only the owning unit a unit's, and a
    consumer reads it once granted to its application or to itself (*grants*: names)."""
    app = app_of(unit)
    if owner == unit or owner == app:
        return True
    return unit in grants or app in grants


def may_grant_to(relation_remote_app: str, unit: str | None) -> bool:
    """Whether a grant over a relation may name *unit*: only a unit of the remote app."""
    return unit is None or app_of(unit) == relation_remote_app
