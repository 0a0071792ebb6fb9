"""A layer's YAML text without loading PyYAML, for the layers charms usually write.

Sending a layer to Pebble is on the path of most Kubernetes hooks (``add_layer`` in
pebble-ready or config-changed), and importing PyYAML costs such a hook about 20 ms. A
layer is mostly names, commands and small numbers: :func:`dump` writes those exactly as
``yaml.safe_dump`` would (sorted keys, block style, sequences not indented under their
key) and returns ``None`` for anything it is not sure PyYAML writes plainly (a string
YAML would read as another type, punctuation, long lines, floats, ...). The caller then
uses PyYAML, so the text is always what PyYAML would have written.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ['dump']

#: Characters a plain scalar may hold here; YAML gives the others meanings somewhere.
_INNER = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=@%+- ')
_FIRST = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_/')
#: Words YAML 1.1 reads as booleans or null, in the spellings PyYAML knows: it quotes them.
_QUOTED = frozenset(word for base in ('yes', 'no', 'true', 'false', 'on', 'off', 'null')
                    for word in (base, base.capitalize(), base.upper()))
#: Other spellings of those words are left to PyYAML, to be safe.
_SPECIAL = frozenset({'yes', 'no', 'true', 'false', 'on', 'off', 'null', 'y', 'n'})
#: PyYAML folds a plain scalar whose line would pass 80 columns; stay well inside.
_WIDTH = 70


class _NotPlain(Exception):  # noqa: N818 - an internal signal, not an error
    """Something PyYAML might write differently: fall back to it."""


def dump(data: dict[str, Any]) -> str | None:
    """*data* as ``yaml.safe_dump`` writes it, or ``None`` if PyYAML must do it."""
    if not data:
        return '{}\n'
    lines: list[str] = []
    try:
        _mapping(data, 0, lines)
    except _NotPlain:
        return None
    return '\n'.join(lines) + '\n'


def _plain(value: str, column: int) -> str:
    if column + len(value) > _WIDTH:
        raise _NotPlain
    if value in _QUOTED or (value.isascii() and value.isdigit()):
        return f"'{value}'"  # YAML would read a boolean, null or number: PyYAML quotes it
    if (not value or value[0] not in _FIRST or value[-1] == ' ' or '  ' in value
            or not _INNER.issuperset(value) or value.lower() in _SPECIAL):
        raise _NotPlain
    return value


def _scalar(value: Any, column: int) -> str:
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if value is None:
        return 'null'
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return _plain(value, column)
    raise _NotPlain  # floats, dates, bytes, ...: PyYAML's own forms


def _mapping(data: dict[str, Any], indent: int, lines: list[str]) -> None:
    pad = ' ' * indent
    if not all(type(key) is str for key in data):
        raise _NotPlain
    for key in sorted(data):  # PyYAML sorts keys
        name = _plain(key, indent)
        value = data[key]
        if isinstance(value, dict):
            if not value:
                lines.append(f'{pad}{name}: {{}}')
                continue
            lines.append(f'{pad}{name}:')
            _mapping(value, indent + 2, lines)
        elif isinstance(value, list):
            if not value:
                lines.append(f'{pad}{name}: []')
                continue
            lines.append(f'{pad}{name}:')
            for item in value:
                if isinstance(item, dict | list):
                    raise _NotPlain
                lines.append(f'{pad}- {_scalar(item, indent + 2)}')
        else:
            lines.append(f'{pad}{name}: {_scalar(value, indent + len(name) + 2)}')
