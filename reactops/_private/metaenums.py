"""The metadata's enums, in a module of their own so that reading the metadata imports no
:mod:`enum` (1.8 ms of a 3.11 hook, on top of what a hook loads anyway):
:mod:`reactops.meta` hands them out when a charm first asks for one. Their public home is
:mod:`reactops.meta` (and :mod:`reactops.charm`, as in ops)."""

from __future__ import annotations

import enum

__all__ = ['JujuAssumesCondition', 'RelationRole']


class RelationRole(enum.Enum):
    """The side this charm takes on a relation endpoint: ``requires`` (it consumes the
    interface), ``provides`` (it serves it) or ``peer`` (between its own units)."""

    __module__ = 'reactops.meta'

    peer = 'peer'
    requires = 'requires'
    provides = 'provides'

    def is_peer(self) -> bool:
        """Whether this is the peer role (a shortcut for ``role is RelationRole.peer``)."""
        return self is RelationRole.peer


class JujuAssumesCondition(enum.Enum):
    """Whether a group of assumed Juju features must all hold, or any one of them."""

    __module__ = 'reactops.meta'

    ALL = 'all-of'
    ANY = 'any-of'
