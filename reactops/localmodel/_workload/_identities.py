"""Pebble's named identities (local, basic, cert), kept for ``/v1/identities``.

The workload manager serves only its owner on a 0600 socket, so identities grant nothing
here; they are kept and checked as Pebble keeps them so a charm that manages them sees the
answers it would get from Pebble (secrets read back as ``*****``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

from ._errors import APIError

__all__ = ['Identities']

_NAME = re.compile(r'[a-zA-Z][a-zA-Z0-9_-]*')
_ACCESS = ('admin', 'read', 'metrics', 'untrusted')


def _check(name: str, identity: Any) -> dict[str, Any]:
    """*identity* as Pebble validates it; the reason it is refused otherwise."""
    if not isinstance(identity, dict):
        raise ValueError('identity must not be nil')
    if not _NAME.fullmatch(name):
        raise ValueError(f'identity name "{name}" invalid: must start with an alphabetic '
                         'character and only contain alphanumeric characters, underscore, '
                         'and hyphen')
    access = identity.get('access') or ''
    choices = '"admin", "read", "metrics", or "untrusted"'
    if not access:
        raise ValueError(f'access value must be specified ({choices})')
    if access not in _ACCESS:
        raise ValueError(f'invalid access value "{access}", must be {choices}')
    local, basic, cert = identity.get('local'), identity.get('basic'), identity.get('cert')
    if local is not None and (not isinstance(local, dict) or local.get('user-id') is None):
        raise ValueError('local identity must specify user-id')
    if basic is not None and not (isinstance(basic, dict) and basic.get('password')):
        raise ValueError('basic identity must specify password (hashed)')
    if cert is not None and not (isinstance(cert, dict) and
                                 '-----BEGIN CERTIFICATE-----' in str(cert.get('pem', ''))):
        raise ValueError('cert identity must include a PEM-encoded certificate')
    if local is None and basic is None and cert is None:
        raise ValueError('identity must have at least one type ("local", "basic", or "cert")')
    return {k: identity[k] for k in ('access', 'local', 'basic', 'cert') if identity.get(k)}


class Identities:
    """The identities by name; thread-safe."""

    def __init__(self) -> None:
        self._identities: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self) -> dict[str, dict[str, Any]]:
        """Every identity as ``GET /v1/identities`` shows it (secrets masked)."""
        with self._lock:
            return {name: {**d, **({'basic': {'password': '*****'}} if 'basic' in d else {}),
                           **({'cert': {'pem': '*****'}} if 'cert' in d else {})}
                    for name, d in sorted(self._identities.items())}

    def post(self, action: str, given: Mapping[str, Any]) -> None:
        """Add, update, replace or remove identities, all or none."""
        checked: dict[str, dict[str, Any] | None] = {}
        for name, identity in given.items():
            if action == 'remove' or (action == 'replace' and identity is None):
                checked[name] = None
                continue
            try:
                checked[name] = _check(name, identity)
            except ValueError as e:
                raise APIError(400, f'invalid identity for "{name}": {e}') from None
        with self._lock:
            known = set(self._identities)
            if action == 'add':
                existing = sorted(set(checked) & known)
                if existing:
                    raise APIError(400, f'identities already exist: {", ".join(existing)}')
            elif action in ('update', 'remove'):
                missing = sorted(set(checked) - known)
                if missing:
                    raise APIError(400, f'identities do not exist: {", ".join(missing)}')
            elif action != 'replace':
                raise APIError(400, f'invalid action "{action}", must be "add", "update", '
                               '"replace", or "remove"')
            for name, identity in checked.items():
                if identity is None:
                    self._identities.pop(name, None)
                else:
                    self._identities[name] = identity
