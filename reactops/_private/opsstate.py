"""Carry a unit's state over from ops: its pickled snapshots, read once as plain data only.

ops keeps a unit's stored state and deferred events in the file reactops uses
(``<charm_dir>/.unit-state.db``), in tables of the same shape: ``snapshot(handle, data)``
and ``notice(sequence, event_path, observer_path, method_name)``. Only the snapshot values
differ: ops pickles them, reactops writes JSON. :func:`carry_over` runs when reactops
first opens such a file, inside the store's opening transaction, and rewrites every
pickled snapshot as JSON; the notices are plain text already and stay as they are, in
their order. The dispatch that commits is the one that completes the upgrade; a hook that
fails leaves ops' file exactly as it was, and reactops never writes pickle.

Unpickling can run any code a pickle names, so a snapshot is read in three steps, each of
which refuses what plain data never needs:

1. every opcode is checked (:mod:`pickletools` reads them without running anything);
   objects, extensions, persistent ids and buffers are refused before unpickling starts;
2. the unpickler resolves only the names older pickle protocols use to build a set, a
   frozenset or bytes, each wrapped to accept nothing but plain arguments;
3. the result is walked: only None, bool, int, float, str, bytes, list, tuple, dict, set
   and frozenset, with no value that contains itself.

A refusal raises :class:`~reactops.errors.StateStoreCorruptError` naming the file and the
handle, before anything is written. This module is imported only by that first hook.
"""

from __future__ import annotations

import io
import pickle
import pickletools

from ..errors import StateStoreCorruptError, StateStoreError
from . import codec as _codec
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn

    Execute = Callable[..., Any]

__all__ = ['OpsStateRefused', 'carry_over', 'read_snapshot']

#: Opcodes that only push plain values, build containers, or manage the memo and frames.
_PLAIN_OPCODES = frozenset({
    'PROTO', 'FRAME', 'STOP', 'MARK', 'POP', 'POP_MARK', 'DUP',
    'PUT', 'BINPUT', 'LONG_BINPUT', 'GET', 'BINGET', 'LONG_BINGET', 'MEMOIZE',
    'NONE', 'NEWTRUE', 'NEWFALSE', 'INT', 'BININT', 'BININT1', 'BININT2',
    'LONG', 'LONG1', 'LONG4', 'FLOAT', 'BINFLOAT',
    'STRING', 'BINSTRING', 'SHORT_BINSTRING',
    'UNICODE', 'BINUNICODE', 'SHORT_BINUNICODE', 'BINUNICODE8',
    'BINBYTES', 'SHORT_BINBYTES', 'BINBYTES8',
    'EMPTY_LIST', 'APPEND', 'APPENDS', 'LIST',
    'EMPTY_TUPLE', 'TUPLE', 'TUPLE1', 'TUPLE2', 'TUPLE3',
    'EMPTY_DICT', 'DICT', 'SETITEM', 'SETITEMS',
    'EMPTY_SET', 'ADDITEMS', 'FROZENSET',
})
#: Opcodes that name a callable: allowed only for the names in _CONSTRUCTORS (step 2).
_NAMING_OPCODES = frozenset({'GLOBAL', 'STACK_GLOBAL', 'REDUCE'})

_PLAIN_TYPES = (type(None), bool, int, float, str, bytes)
_CONTAINER_TYPES = (list, tuple, dict, set, frozenset)
#: More values than any stored state or event holds; the walk stops there.
_MAX_VALUES = 1_000_000


class OpsStateRefused(StateStoreCorruptError):
    """A snapshot in ops' state file holds something other than plain data.

    It is refused rather than unpickled, since unpickling it could run code.
    """


def carry_over(execute: Execute, filename: str) -> int:
    """Rewrite every pickled snapshot in the open store as JSON; return how many.

    *execute* runs one SQL statement in the store's transaction (the store's own error
    handling); *filename* names the file in errors. Every snapshot is read and checked
    before the first one is written, so a refusal leaves the file untouched even within
    the transaction.
    """
    rows = execute('SELECT handle, data FROM snapshot ORDER BY handle').fetchall()
    converted: list[tuple[str, str]] = []
    for handle, data in rows:
        if not isinstance(data, bytes):
            continue  # not ops' (a pickle is always a BLOB); the store's decode judges it
        value = read_snapshot(data, filename=filename, handle=handle)
        converted.append((_codec.encode(value, where=f'snapshot {handle!r}'), handle))
    for text, handle in converted:
        execute('UPDATE snapshot SET data=? WHERE handle=?', (text, handle))
    return len(converted)


def read_snapshot(data: bytes, *, filename: str = '<memory>', handle: str = '?') -> Any:
    """Return the plain value ops pickled in *data*, or raise :class:`OpsStateRefused`."""
    where = f'snapshot {handle!r} in the ops state file {filename}'
    _check_opcodes(data, where)
    try:
        value = _PlainUnpickler(io.BytesIO(data), where).load()
    except StateStoreError:
        raise
    except Exception as e:  # a malformed pickle fails in many ways; all mean "cannot read"
        _refuse(where, f'it cannot be unpickled as plain data ({type(e).__name__}: {e})')
    _check_plain(value, where)
    return value


def _check_opcodes(data: bytes, where: str) -> None:
    try:
        for opcode, arg, _ in pickletools.genops(data):
            name = opcode.name
            if name in _PLAIN_OPCODES or name in _NAMING_OPCODES and (
                    name != 'GLOBAL' or tuple(str(arg).split(' ', 1)) in _CONSTRUCTORS):
                continue
            if name == 'GLOBAL':
                _refuse(where, f'it refers to {str(arg).replace(" ", ".")}')
            _refuse(where, f'it uses the pickle opcode {name}, which builds objects')
    except ValueError as e:
        _refuse(where, f'it is not a valid pickle ({e})')


def _refuse(where: str, why: str) -> NoReturn:
    raise OpsStateRefused(
        f'{where}: {why}. reactops carries over only plain data (None, bool, int, float, '
        'str, bytes, list, tuple, dict, set, frozenset) and never unpickles anything else, '
        'since that could run code. Nothing was run or changed. If the value is trusted, '
        'convert it with ops; otherwise delete that snapshot row (and the notices naming '
        'it) from the file to drop it')


def _set(items: Any = ()) -> set[Any]:
    return set(_sequence(items))


def _frozenset(items: Any = ()) -> frozenset[Any]:
    return frozenset(_sequence(items))


def _bytes(*args: Any) -> bytes:
    if args:  # pickle writes only bytes() (empty); bytes(n) could allocate at will
        raise pickle.UnpicklingError('bytes() with arguments is not plain data')
    return b''


def _latin1(text: Any, encoding: Any = 'latin1') -> bytes:
    # Protocols 0-2 store bytes as the text that encodes to them in latin-1.
    if type(text) is not str or encoding not in ('latin1', 'latin-1'):
        raise pickle.UnpicklingError('_codecs.encode is allowed only for latin-1 bytes')
    return text.encode('latin-1')


def _sequence(items: Any) -> Any:
    if type(items) not in (list, tuple):
        raise pickle.UnpicklingError(f'a set built from {type(items).__name__}')
    return items


#: (module, name) as pickle writes them -> a plain-only stand-in for the callable.
_CONSTRUCTORS: dict[tuple[str, str], Callable[..., Any]] = {
    ('builtins', 'set'): _set,
    ('__builtin__', 'set'): _set,
    ('builtins', 'frozenset'): _frozenset,
    ('__builtin__', 'frozenset'): _frozenset,
    ('builtins', 'bytes'): _bytes,
    ('__builtin__', 'bytes'): _bytes,
    ('_codecs', 'encode'): _latin1,
}


class _PlainUnpickler(pickle.Unpickler):
    """An unpickler whose only names are the plain-data constructors above."""

    def __init__(self, file: io.BytesIO, where: str):
        super().__init__(file)
        self._where = where

    def find_class(self, module: str, name: str) -> Any:
        constructor = _CONSTRUCTORS.get((module, name))
        if constructor is None:
            _refuse(self._where, f'it refers to {module}.{name}')
        return constructor

    def persistent_load(self, pid: Any) -> NoReturn:
        _refuse(self._where, 'it refers to a persistent id')


def _check_plain(value: Any, where: str) -> None:
    """Walk *value* without recursion; refuse a non-plain type or a value inside itself."""
    on_path: set[int] = set()  # the containers between the top and the current value
    stack: list[tuple[Any, bool]] = [(value, False)]
    visits = 0
    while stack:
        item, leaving = stack.pop()
        if leaving:
            on_path.discard(id(item))
            continue
        visits += 1
        if visits > _MAX_VALUES:  # shared values could make a small pickle endless
            _refuse(where, f'it holds more than {_MAX_VALUES} values')
        kind = type(item)
        if kind in _PLAIN_TYPES:
            continue
        if kind not in _CONTAINER_TYPES:
            _refuse(where, f'it holds a {kind.__module__}.{kind.__qualname__}')
        if id(item) in on_path:
            _refuse(where, 'it holds a value that contains itself')
        on_path.add(id(item))
        stack.append((item, True))
        children = (*item.keys(), *item.values()) if kind is dict else item
        stack.extend((child, False) for child in children)
