"""The version of the Juju agent running the charm, and what that version can do.

Juju puts its version in ``JUJU_VERSION``; :class:`JujuVersion` parses it, orders versions
(a pre-release such as ``3.1-beta1`` sorts before ``3.1.0``) and answers feature questions
(``has_secrets``, ``supports_open_port_on_k8s``, ...), so a charm can work on older agents.
"""

from __future__ import annotations

import functools
import os

from ._private.jujunames import split_version

__all__ = ['JujuVersion']


@functools.total_ordering
class JujuVersion:
    """A Juju agent version such as ``3.6.1``, ``3.1-beta1`` or ``2.9.1.1`` (with a build).

    Versions compare with ``<``, ``==`` and friends against another :class:`JujuVersion` or a
    version string; comparing with anything else raises :class:`RuntimeError`, as does a
    string that is not a Juju version. ``str()`` and ``repr()`` both give the version text.
    """

    __slots__ = ('major', 'minor', 'tag', 'patch', 'build')

    major: int
    minor: int
    tag: str
    patch: int
    build: int

    def __init__(self, version: str):
        # major.minor, then .patch or -<tag><patch>, then an optional .build; one trailing
        # line break is accepted, as ops' pattern (which ends in $) accepts it.
        if not isinstance(version, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f'a Juju version is a str, not {type(version).__name__}')
        parts = split_version(version[:-1] if version.endswith('\n') else version)
        if parts is None:
            raise RuntimeError(
                f'"{version}" is not a valid Juju version string: expected '
                f'major.minor.patch[.build] or major.minor-tagN (e.g. 3.6.1, 3.1-beta1)')
        self.major, self.minor, self.tag, self.patch, self.build = parts

    @classmethod
    def from_environ(cls) -> JujuVersion:
        """The version in ``JUJU_VERSION`` (``0.0.0`` when it is not set).

        Deprecated, as in ops: a charm reads ``self.model.juju_version`` instead.
        """
        import warnings

        warnings.warn('JujuVersion.from_environ() is deprecated, use '
                      'self.model.juju_version instead', DeprecationWarning, stacklevel=2)
        return cls(os.environ.get('JUJU_VERSION', '0.0.0'))

    def __str__(self) -> str:
        text = (f'{self.major}.{self.minor}-{self.tag}{self.patch}' if self.tag
                else f'{self.major}.{self.minor}.{self.patch}')
        return f'{text}.{self.build}' if self.build else text

    __repr__ = __str__

    def _key(self) -> tuple[int, int, bool, str, int, int]:
        # A release (no tag) sorts after every pre-release of the same major.minor.
        return (self.major, self.minor, not self.tag, self.tag, self.patch, self.build)

    def _other(self, other: object) -> JujuVersion:
        if isinstance(other, JujuVersion):
            return other
        if isinstance(other, str):
            return type(self)(other)
        raise RuntimeError(f'cannot compare Juju version "{self}" with "{other}"')

    def __eq__(self, other: object) -> bool:
        return self is other or self._key() == self._other(other)._key()

    def __lt__(self, other: JujuVersion | str) -> bool:
        return self._key() < self._other(other)._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _release(self) -> tuple[int, int, int]:
        # Feature checks look at major.minor.patch only: a tag or build does not matter.
        return (self.major, self.minor, self.patch)

    def has_app_data(self) -> bool:
        """Whether relations have application data bags (Juju 2.7 and later)."""
        return self._release() >= (2, 7, 0)

    def is_dispatch_aware(self) -> bool:
        """Whether Juju runs the charm's ``dispatch`` file (Juju 2.8 and later)."""
        return self._release() >= (2, 8, 0)

    def has_controller_storage(self) -> bool:
        """Whether the ``state-get``/``state-set`` hook tools exist (Juju 2.8 and later)."""
        return self._release() >= (2, 8, 0)

    @property
    def has_secrets(self) -> bool:
        """Whether the ``secret-*`` hook tools exist (Juju 3.0.3 and later)."""
        return self._release() >= (3, 0, 3)

    @property
    def supports_open_port_on_k8s(self) -> bool:
        """Whether ``open-port`` works for Kubernetes charms (Juju 3.0.3 and later)."""
        return self._release() >= (3, 0, 3)

    @property
    def supports_exec_service_context(self) -> bool:
        """Whether Pebble exec accepts a service context: Juju 3.1.6 and later, except 3.2.0,
        which shipped an older Pebble."""
        return self._release() >= (3, 1, 6) and self._release() != (3, 2, 0)

    @property
    def supports_pebble_log_forwarding(self) -> bool:
        """Whether the Pebble in Juju's containers forwards logs (Juju 3.4 and later)."""
        return self._release() >= (3, 4, 0)

    @property
    def supports_pebble_identities(self) -> bool:
        """Whether Pebble knows identities (Juju 3.6.4 and later)."""
        return self._release() >= (3, 6, 4)

    @property
    def supports_pebble_metrics(self) -> bool:
        """Whether Pebble serves metrics (Juju 3.6.4 and later)."""
        return self._release() >= (3, 6, 4)
