"""JSON text in and out through CPython's ``_json`` accelerator, without the ``json`` package.

Saves a hook about 5 ms on 3.11: ``json`` imports ``re`` (and ``re`` imports ``enum``) for
its pure-Python fallbacks, which CPython never runs when ``_json`` is there. The results,
the errors (``json.JSONDecodeError`` with json's message and position) and the limits are
json's own, because both call the same C scanner and encoder; ``json`` is imported only
to raise an error the scanner did not raise itself. Where ``_json`` is missing or takes
other arguments (another interpreter, a future CPython), every call goes to ``json``; the
check runs once, at import, on two tiny documents.
"""

from __future__ import annotations

from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ['loads', 'dumps', 'ACCELERATED']

_SPACE = ' \t\n\r'  # the whitespace JSON allows around a value, and nothing else
_CONSTANTS = {'-Infinity': float('-inf'), 'Infinity': float('inf'), 'NaN': float('nan')}


class _Context:
    """The attributes ``_json.make_scanner`` reads: json.loads' defaults, one hook."""

    strict = True
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__

    def __init__(self, object_hook: Callable[[dict[str, Any]], Any] | None) -> None:
        self.object_hook = object_hook


def _not_serializable(value: Any) -> Any:
    raise TypeError(f'Object of type {value.__class__.__name__} is not JSON serializable')


def _probe() -> tuple[Any, Any, Any] | None:
    """``_json``'s scanner factory, encoder factory and string encoder, if they answer
    like the ones this module was written against; else None."""
    try:
        import _json
        make_scanner = _json.make_scanner
        make_encoder = _json.make_encoder
        encode_str = _json.encode_basestring_ascii
        scanned = make_scanner(_Context(None))('[1,{"a":-0.5}]', 0)  # type: ignore[arg-type]
        encoded = make_encoder({}, _not_serializable, encode_str, None, ':', ',',
                               True, False, True)([1, {'b': 'é', 'a': None}], 0)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    if scanned != ([1, {'a': -0.5}], 14) or \
            ''.join(encoded) != '[1,{"a":null,"b":"\\u00e9"}]':
        return None
    return make_scanner, make_encoder, encode_str


_ACCEL = _probe()
ACCELERATED = _ACCEL is not None
"""True when calls go to ``_json`` directly, False when they go to ``json``."""

_scanners: dict[Any, Any] = {}


def _scanner(object_hook: Callable[[dict[str, Any]], Any] | None) -> Any:
    scanner = _scanners.get(object_hook)
    if scanner is None:
        assert _ACCEL is not None
        scanner = _ACCEL[0](_Context(object_hook))
        if len(_scanners) < 8:  # a few module-level hooks; not one per lambda
            _scanners[object_hook] = scanner
    return scanner


def loads(text: str | bytes | bytearray, *,
          object_hook: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    """The value of the JSON document *text*, as ``json.loads(text, object_hook=...)``."""
    if _ACCEL is None or not isinstance(text, str):
        if isinstance(text, (bytes, bytearray)) and _ACCEL is not None \
                and _plain_utf8(text):
            text = text.decode('utf-8', 'surrogatepass')
        else:  # UTF-16/32, a BOM, a wrong type: json's detection and messages
            import json
            return json.loads(text, object_hook=object_hook)
    elif text.startswith('\ufeff'):
        import json
        return json.loads(text)  # raises json's "Unexpected UTF-8 BOM"
    start = len(text) - len(text.lstrip(_SPACE)) if text[:1] in _SPACE else 0
    try:
        value, end = _scanner(object_hook)(text, start)
    except StopIteration as stop:
        from json import JSONDecodeError
        raise JSONDecodeError('Expecting value', text, stop.value) from None
    if end != len(text):
        tail = text[end:]
        if tail.strip(_SPACE):
            from json import JSONDecodeError
            raise JSONDecodeError('Extra data', text, end + len(tail) - len(tail.lstrip(_SPACE)))
    return value


def _plain_utf8(data: bytes | bytearray) -> bool:
    """True when json would decode *data* as UTF-8 without a BOM: no BOM's first byte and
    no NUL in the first four bytes (how json tells UTF-16 and UTF-32 apart)."""
    return data[:1] not in (b'\xef', b'\xfe', b'\xff') and b'\x00' not in data[:4]


def dumps(value: Any, *, sort_keys: bool = False,
          default: Callable[[Any], Any] | None = None,
          separators: tuple[str, str] = (',', ':'), allow_nan: bool = True) -> str:
    """*value* as JSON text, as ``json.dumps(value, separators=..., sort_keys=...,
    default=..., allow_nan=...)``: compact unless told, ASCII only, NaN and infinities
    allowed unless told, cycles refused."""
    if _ACCEL is None:
        import json
        return json.dumps(value, separators=separators, sort_keys=sort_keys, default=default,
                          allow_nan=allow_nan)
    text: str
    if isinstance(value, str):
        text = _ACCEL[2](value)
        return text
    # A fresh encoder each call: its cycle markers are not cleared when a call fails.
    item_separator, key_separator = separators
    encoder = _ACCEL[1]({}, default or _not_serializable, _ACCEL[2], None, key_separator,
                        item_separator, sort_keys, False, allow_nan)
    text = ''.join(encoder(value, 0))
    return text
