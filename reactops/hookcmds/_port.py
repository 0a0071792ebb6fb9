"""The port hook tools: ``open-port``, ``close-port`` and ``opened-ports``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, overload

from ._base import run
from ._types import Port


def _port_argv(
    protocol: str | None,
    port: int | None,
    to_port: int | None,
    endpoints: str | Iterable[str] | None,
) -> list[str]:
    """The arguments naming a port, range or protocol, after any ``--endpoints``."""
    argv: list[str] = []
    if endpoints:
        names = [endpoints] if isinstance(endpoints, str) else list(endpoints)
        argv += ['--endpoints', ','.join(names)]
    if port is None:
        if protocol is None:
            raise TypeError('You must provide a port or protocol.')
        argv.append(protocol)
        return argv
    spec = str(port) if to_port is None else f'{port}-{to_port}'
    argv.append(spec if protocol is None else f'{spec}/{protocol}')
    return argv


@overload
def open_port(
    protocol: str,
    port: int | None = None,
    *,
    to_port: int | None = None,
    endpoints: str | Iterable[str] | None = None,
) -> None: ...
@overload
def open_port(
    protocol: str | None,
    port: int,
    *,
    to_port: int | None = None,
    endpoints: str | Iterable[str] | None = None,
) -> None: ...
def open_port(
    protocol: str | None = None,
    port: int | None = None,
    *,
    to_port: int | None = None,
    endpoints: str | Iterable[str] | None = None,
) -> None:
    """Open ``port`` (through ``to_port``) for ``protocol``, or all of an ICMP-like protocol."""
    if protocol is None and port is None:
        raise TypeError('Either protocol or port must be specified')
    run('open-port', *_port_argv(protocol, port, to_port, endpoints))


@overload
def close_port(
    protocol: str,
    port: int | None = None,
    *,
    to_port: int | None = None,
    endpoints: str | Iterable[str] | None = None,
) -> None: ...
@overload
def close_port(
    protocol: str | None,
    port: int,
    *,
    to_port: int | None = None,
    endpoints: str | Iterable[str] | None = None,
) -> None: ...
def close_port(
    protocol: str | None = None,
    port: int | None = None,
    *,
    to_port: int | None = None,
    endpoints: str | Iterable[str] | None = None,
) -> None:
    """Close what :func:`open_port` with the same arguments opened."""
    run('close-port', *_port_argv(protocol, port, to_port, endpoints))


def _parse_port(entry: str, with_endpoints: bool) -> Port:
    """One ``opened-ports`` line, such as ``icmp``, ``80``, ``8000-8999/udp (ep1,ep2)``."""
    endpoints: list[str] | None = None
    if with_endpoints:
        entry, listed = entry.rsplit(' ', 1)
        endpoints = [name.strip() for name in listed.strip('()').split(',')]
    spec, _, protocol = entry.partition('/')
    if spec == 'icmp':
        return Port('icmp', None, None, endpoints)
    first, dash, last = spec.partition('-')
    # Juju only reports tcp, udp or icmp; anything else is passed on as it is.
    proto: Any = protocol or 'tcp'
    return Port(proto, int(first), int(last) if dash else None, endpoints)


def opened_ports(*, endpoints: bool = False) -> list[Port]:
    """The ports the unit has open; with ``endpoints=True``, also on which endpoints."""
    argv = ['opened-ports', *(['--endpoints'] if endpoints else []), '--format=json']
    entries: list[str] = json.loads(run(*argv))
    return [_parse_port(entry, endpoints) for entry in entries]
