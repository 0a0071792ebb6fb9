"""The errors of the legacy layer."""

from __future__ import annotations

from ..errors import ReactiveError

__all__ = ['LegacyError', 'UnsupportedLegacyAPIError', 'unsupported']

PORTING_GUIDE = 'docs/porting.md'


class LegacyError(ReactiveError):
    """Root of the errors the charms.reactive / charmhelpers shim raises."""


class UnsupportedLegacyAPIError(LegacyError, AttributeError):
    """A charms.reactive or charmhelpers name the shim does not provide.

    It is an :class:`AttributeError` too, so ``hasattr()`` and ``getattr(m, name, default)``
    in charm code behave as for any missing attribute.
    """


def unsupported(module: str, name: str) -> UnsupportedLegacyAPIError:
    """The error for ``module.name`` missing from the shim, saying what to do instead."""
    return UnsupportedLegacyAPIError(
        f"{module}.{name} is not provided by reactops' legacy shim; run `reactops "
        f'port-check <charm dir>` to list such uses, and replace it (see {PORTING_GUIDE}, '
        f'"Behaviour differences")')
