"""What the local model checks before it changes anything: names, config values, endpoints.

Pure functions over a charm's metadata, shared by bundle loading (which checks a whole
bundle before anything is deployed) and the model's own commands. Errors say what is wrong
and what would be right; the caller adds where (the bundle file, the command).
"""

from __future__ import annotations

from typing import Any

from .._private.jujurules import is_app_name
from ._state import LocalModelError

__all__ = ['MAX_UNITS', 'check_app_name', 'check_config', 'check_units', 'endpoints',
           'match_endpoints']

#: The most units one application may have unless the caller raises the bound: each unit
#: is a copy of its charm on disk and a share of every hook round.
MAX_UNITS = 100

_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')
_KINDS = {'int': 'a whole number', 'float': 'a number', 'boolean': 'true or false',
          'string': 'a string', 'secret': 'a secret id (a string)'}


def check_app_name(name: object) -> str:
    """*name*, when Juju would take it as an application name (it also names files on
    disk, so nothing else gets through)."""
    if not isinstance(name, str) or not is_app_name(name):
        raise LocalModelError(
            f'{_show(name)} is not a valid application name: use lower-case letters, digits and '
            f'single hyphens, starting with a letter, with a letter in each hyphenated part '
            f'(like "web" or "db-2a")')
    return name


def check_units(units: object, bound: int) -> int:
    """A number of units: a whole number from 1 to *bound*."""
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise LocalModelError(f'units must be a whole number of at least 1, not {units!r}')
    if units > bound:
        raise LocalModelError(f'{units} units is more than the bound of {bound} per '
                              f'application; raise it with --max-units N if you mean it')
    return units


def check_config(app: str, meta: Any, values: dict[str, Any], from_text: bool = False
                 ) -> dict[str, Any]:
    """Check *values* against the charm's options (types as ``config.yaml`` declares
    them) and return them; with *from_text*, convert ``key=value`` text first."""
    result = {}
    for key, value in values.items():
        option = meta.config.get(key)
        if option is None:
            raise LocalModelError(f'{app} has no config option {key!r} (options: '
                                  f'{", ".join(sorted(meta.config)) or "none"})')
        kind = option.type
        converted = _from_text(kind, value) if from_text else value
        if converted is None or not _is_kind(kind, converted):
            raise LocalModelError(f'{app} option {key!r} is of type {kind}; {_show(value)} is '
                                  f'not {_KINDS.get(kind, kind)}')
        result[key] = converted
    return result


def _from_text(kind: str, text: object) -> object:
    """Text from the command line as a value of *kind*, or ``None`` when it is not one."""
    text = str(text)
    try:
        if kind == 'int':
            return int(text)
        if kind == 'float':
            return float(text)
    except ValueError:
        return None
    if kind == 'boolean':
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else None
    return text


def _is_kind(kind: str, value: object) -> bool:
    """Whether *value* (as YAML gave it) is a value of an option of type *kind*; Juju
    neither rounds 3.7 to 3 nor reads ``true`` as 1."""
    if isinstance(value, bool):
        return kind == 'boolean'
    if kind == 'int':
        return isinstance(value, int)
    if kind == 'float':
        return isinstance(value, int | float)
    if kind in ('string', 'secret'):
        return isinstance(value, str)
    return kind != 'boolean'  # a type this reactops does not know: the charm checks it


def _show(value: object) -> str:
    """A value for an error message, cut short (config values may be long or private)."""
    text = repr(value)
    return text if len(text) <= 40 else f'{text[:37]}...'


def endpoints(meta: Any) -> dict[str, tuple[str, str]]:
    """Endpoint name -> (role, interface) for the provides and requires endpoints."""
    ends = {name: ('provides', rel.interface_name) for name, rel in meta.provides.items()}
    ends.update({name: ('requires', rel.interface_name) for name, rel in meta.requires.items()})
    return ends


def match_endpoints(end1: str, end2: str, ends1: dict[str, tuple[str, str]],
                    ends2: dict[str, tuple[str, str]]) -> tuple[str, str, str]:
    """The endpoints ``end1`` and ``end2`` (``app[:endpoint]``) relate, and their interface:
    a provides and a requires endpoint of one interface, the only pair that fits."""
    app1, _, want1 = end1.partition(':')
    app2, _, want2 = end2.partition(':')
    if app1 == app2:
        raise LocalModelError(f'cannot relate {app1} to itself: peer relations are made '
                              f'when the application is deployed')
    for app, want, ends in ((app1, want1, ends1), (app2, want2, ends2)):
        if want and want not in ends:
            raise LocalModelError(f'{app} has no endpoint {want!r} (it has: '
                                  f'{", ".join(sorted(ends)) or "none"})')
    pairs = [(e1, e2) for e1, (r1, i1) in ends1.items() for e2, (r2, i2) in ends2.items()
             if i1 == i2 and {r1, r2} == {'provides', 'requires'}
             and want1 in ('', e1) and want2 in ('', e2)]
    if len(pairs) != 1:
        found = ', '.join(f'{app1}:{a} {app2}:{b}' for a, b in pairs) or 'none'
        raise LocalModelError(f'cannot relate {end1} to {end2}: {len(pairs)} matching '
                              f'endpoint pairs (a provides and a requires endpoint of the '
                              f'same interface; found: {found}); name the endpoints')
    ep1, ep2 = pairs[0]
    return ep1, ep2, ends1[ep1][1]
