"""The model on the other side of a cross-model relation.

Its own module, imported on first use, so that a hook that never asks for it does not
pay for creating the dataclass.
"""

from __future__ import annotations

import dataclasses

__all__ = ['RemoteModel']


@dataclasses.dataclass(frozen=True)
class RemoteModel:
    """The model on the other side of a relation (Juju 3.6.2+)."""

    uuid: str
    """The remote model's UUID."""
