"""JSON encoding of stored values: the only serialisation the state store uses.

Plain JSON carries ``None``, ``bool``, ``int``, ``float``, ``str``, lists and dicts with
string keys unchanged. The few other types a snapshot may hold are written as a tagged
object, so they come back as the same type:

=================  ==============================================
value              stored as
=================  ==============================================
``tuple``          ``{"__reactops__": "tuple", "items": [...]}``
``set``            ``{"__reactops__": "set", "items": [...]}``
``frozenset``      ``{"__reactops__": "frozenset", "items": [...]}``
``bytes``          ``{"__reactops__": "bytes", "base64": "..."}``
dict with a non-   ``{"__reactops__": "dict", "items": [[k, v], ...]}``
string key, or a
``__reactops__``
key of its own
=================  ==============================================

Anything else (objects, datetimes, ...) is refused with :class:`SnapshotEncodingError`
naming the key path, because storing it would mean executing code to read it back.
"""

from __future__ import annotations

import binascii  # what base64 would call, without base64's own imports

from ..errors import SnapshotEncodingError
from . import fastjson
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

TAG = '__reactops__'
_PLAIN_SCALARS = (str, int, float, bool, type(None))
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def encode(value: Any, *, where: str = 'value') -> str:
    """Return *value* as JSON text; *where* names it in errors (e.g. a handle path)."""
    # Fast path, all in C: plain JSON that reads back equal needs no tags. A tuple reads
    # back as a list and an int key as a str, which compare unequal, so they take the
    # tagging path; so does anything json cannot encode, and text with our tag in it.
    if type(value) is dict and TAG not in value and all(
            type(k) is str and type(v) in _PLAIN_TYPES for k, v in value.items()):
        return fastjson.dumps(value)  # the common flat case
    try:
        text = fastjson.dumps(value, default=_not_plain)
    except (TypeError, ValueError):
        pass
    else:
        if TAG not in text and fastjson.loads(text) == value:
            return text
    return fastjson.dumps(_to_json(value, where, ''))


def _not_plain(value: Any) -> Any:
    raise TypeError('needs tagging')


def decode(text: str | bytes) -> Any:
    """Return the value that :func:`encode` turned into *text*."""
    return fastjson.loads(text, object_hook=_from_json)


def check(value: Any, *, where: str = 'value') -> None:
    """Raise :class:`SnapshotEncodingError` if *value* could not be stored."""
    _to_json(value, where, '')


def redact(value: Any) -> str:
    """*value*'s shape for an error message: keys, and what cannot be stored, are shown;
    data is named by its type only (it may be a password or a secret's content)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (str, bytes, bytearray, int, float)):
        return f'<{type(value).__name__}>'
    if isinstance(value, dict):
        return '{' + ', '.join(f'{_key_text(k)}: {redact(v)}' for k, v in value.items()) + '}'
    if isinstance(value, (list, tuple, set, frozenset)):
        items = ', '.join(redact(item) for item in value)
        return {list: f'[{items}]', tuple: f'({items})'}.get(type(value), f'{{{items}}}')
    if isinstance(value, type) or callable(value):
        return repr(value)  # code, not data
    return f'<{type(value).__name__} object>'


def _key_text(key: object) -> str:
    return repr(key) if isinstance(key, (str, int, bool)) or key is None else \
        f'<{type(key).__name__}>'


def _to_json(value: Any, where: str, path: str) -> Any:
    if isinstance(value, _PLAIN_SCALARS):
        return value
    if isinstance(value, list):
        return [_to_json(item, where, f'{path}[{i}]') for i, item in enumerate(value)]
    if isinstance(value, dict):
        return _dict_to_json(value, where, path)
    if isinstance(value, tuple):
        items = [_to_json(item, where, f'{path}[{i}]') for i, item in enumerate(value)]
        return {TAG: 'tuple', 'items': items}
    if isinstance(value, (set, frozenset)):
        kind = 'set' if isinstance(value, set) else 'frozenset'
        # A member is named by its type, never its value (it may be a password).
        items = [_to_json(item, where, f'{path}{{{type(item).__name__} member}}')
                 for item in value]
        return {TAG: kind, 'items': items}
    if isinstance(value, (bytes, bytearray)):
        text = binascii.b2a_base64(bytes(value), newline=False).decode('ascii')
        return {TAG: 'bytes', 'base64': text}
    raise SnapshotEncodingError(
        f'{where}: cannot store {type(value).__name__} at {path or "the top level"}: '
        'the state store keeps only None, bool, int, float, str, bytes, list, tuple, '
        'dict, set and frozenset; convert it (e.g. a datetime to an ISO string) first')


def _dict_to_json(value: dict[Any, Any], where: str, path: str) -> Any:
    if all(type(key) is str for key in value) and TAG not in value:
        return {key: _to_json(item, where, f'{path}[{key!r}]') for key, item in value.items()}
    pairs = []
    for key, item in value.items():
        if not isinstance(key, _PLAIN_SCALARS + (tuple, frozenset, bytes)):
            raise SnapshotEncodingError(
                f'{where}: cannot store a dict key of type {type(key).__name__} '
                f'at {path or "the top level"}: use str, int, float, bool or tuple keys')
        pairs.append([_to_json(key, where, path), _to_json(item, where, f'{path}[{key!r}]')])
    return {TAG: 'dict', 'items': pairs}


def _from_json(obj: dict[str, Any]) -> Any:
    tag = obj.get(TAG)
    if tag is None:
        return obj
    if tag == 'tuple':
        return tuple(obj['items'])
    if tag == 'set':
        return set(obj['items'])
    if tag == 'frozenset':
        return frozenset(obj['items'])
    if tag == 'bytes':
        return binascii.a2b_base64(obj['base64'])
    if tag == 'dict':
        return {_hashable(key): item for key, item in obj['items']}
    raise ValueError(f'unknown stored type tag {tag!r}: written by a newer reactops?')


def _hashable(key: Any) -> Any:
    # Keys decode bottom-up, so a tuple key is already a tuple; lists cannot be keys.
    return tuple(key) if isinstance(key, list) else key
