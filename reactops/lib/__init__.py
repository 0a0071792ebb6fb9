"""``ops.lib``: libraries that packages ship under ``<package>/opslib/<lib>/``, found by metadata.

Deprecated in ops (since 2.1) in favour of charm libraries and plain imports; kept so old
charms run. A library declares ``LIBNAME``, ``LIBAPI``, ``LIBPATCH`` and ``LIBAUTHOR`` as
literal assignments in its first 100 lines; ``use(name, api, author)`` imports the
highest patch of that API found on ``sys.path``.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from importlib.machinery import ModuleSpec
from importlib.util import module_from_spec
from pkgutil import get_importer
from types import ModuleType

__all__ = ('autoimport', 'use')

logger = logging.getLogger(__name__)

# (name, author) -> the libraries found, highest (api, patch) first; None until searched.
_libraries: dict[tuple[str, str], list[_Lib]] | None = None

_MAX_LIB_LINES = 99  # metadata must appear within the first 100 lines
_NEEDED_KEYS: dict[str, type] = {'NAME': str, 'AUTHOR': str, 'API': int, 'PATCH': int}
_LIB_LINE = re.compile(r"""^LIB([A-Z]+)\s*=\s*([0-9]+|['"][a-zA-Z0-9_.\-@]+['"])""")
_NAME = re.compile(r'^[a-z][a-z0-9]+$')
_AUTHOR = re.compile(r'^[A-Za-z0-9_+.-]+@[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.[a-z]{2,3}$')
_DEPRECATED = 'ops.lib is deprecated, prefer charm libraries instead'


def use(name: str, api: int, author: str) -> ModuleType:
    """Import library *name* at API version *api* by *author* (an email address).

    Raises :class:`TypeError` or :class:`ValueError` for a malformed argument, and
    :class:`ImportError` when no such library (or no such API of it) is on ``sys.path``.
    """
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=2)
    if not isinstance(name, str):
        raise TypeError(f'invalid library name: {name!r} (must be a str)')
    if not isinstance(author, str):
        raise TypeError(f'invalid library author: {author!r} (must be a str)')
    if not isinstance(api, int):
        raise TypeError(f'invalid library API: {api!r} (must be an int)')
    if api < 0:
        raise ValueError(f'invalid library api: {api} (must be ≥0)')
    if not _NAME.match(name):
        raise ValueError(f'invalid library name: {name!r} (chars and digits only)')
    if not _AUTHOR.match(author):
        raise ValueError(f'invalid library author email: {author!r}')
    if _libraries is None:
        autoimport()
    assert _libraries is not None
    found = _libraries.get((name, author), [])
    for lib in found:
        if lib.api == api:
            return lib.import_module()
    if found:
        others = ', '.join(str(lib.api) for lib in found)
        message = f'cannot find "{name}" from "{author}" with API version {api} (have {others})'
    else:
        message = f'cannot find library "{name}" from "{author}"'
    raise ImportError(message, name=name)


def autoimport() -> None:
    """Search ``sys.path`` for libraries again (after installing a package at run time)."""
    warnings.warn(_DEPRECATED, DeprecationWarning, stacklevel=2)
    global _libraries
    found: dict[tuple[str, str], list[_Lib]] = {}
    for spec in _find_all_specs(sys.path):
        lib = _parse_lib(spec)
        if lib is not None:
            found.setdefault((lib.name, lib.author), []).append(lib)
    for versions in found.values():
        versions.sort(reverse=True)
    _libraries = found


def _find_all_specs(path: Iterable[str]) -> Iterator[ModuleSpec]:
    """The module spec of every ``<top>/opslib/<lib>`` package under the directories of *path*."""
    for directory in path:
        directory = directory or '.'
        try:
            tops = os.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            logger.debug('Cannot look for ops.lib packages under %r: %s', directory, error)
            continue
        for top in tops:
            opslib = os.path.join(directory, top, 'opslib')
            try:
                names = os.listdir(opslib)
            except OSError:
                continue
            finder = get_importer(opslib)
            if finder is None or not hasattr(finder, 'find_spec'):
                logger.debug('No finder for %r', opslib)
                continue
            for lib_name in names:
                spec = finder.find_spec(f'{top}.opslib.{lib_name}')
                if spec is None or spec.loader is None:  # not a package, or a namespace one
                    continue
                yield spec


def _parse_lib(spec: ModuleSpec) -> _Lib | None:
    """The library *spec* declares in its metadata lines, or None if it declares none."""
    if spec.origin is None:
        logger.warning('No origin for %r: cannot read its ops.lib metadata', spec.name)
        return None
    info: dict[str, object] = {}
    try:
        with open(spec.origin, encoding='utf-8') as source:
            for number, line in enumerate(source):
                if len(info) == len(_NEEDED_KEYS):
                    break
                if number > _MAX_LIB_LINES:
                    logger.debug('%s: ops.lib metadata not within %d lines', spec.origin,
                                 _MAX_LIB_LINES + 1)
                    return None
                match = _LIB_LINE.match(line)
                if match is None or match[1] not in _NEEDED_KEYS:
                    continue
                value = ast.literal_eval(match[2])
                if not isinstance(value, _NEEDED_KEYS[match[1]]):
                    logger.debug('%s: LIB%s must be a %s', spec.origin, match[1],
                                 _NEEDED_KEYS[match[1]].__name__)
                    return None
                info[match[1]] = value
    except Exception as error:  # unreadable, not text, ...: not a library
        logger.debug('Cannot read %r: %s', spec.origin, error)
        return None
    if len(info) != len(_NEEDED_KEYS):
        logger.debug('%s: missing ops.lib metadata %s', spec.origin,
                     ', '.join(sorted(set(_NEEDED_KEYS) - set(info))))
        return None
    return _Lib(spec, str(info['NAME']), str(info['AUTHOR']), int(str(info['API'])),
                int(str(info['PATCH'])))


class _Lib:
    """One library found on the path: its spec and metadata; imported on first use."""

    def __init__(self, spec: ModuleSpec, name: str, author: str, api: int, patch: int):
        self.spec = spec
        self.name = name
        self.author = author
        self.api = api
        self.patch = patch
        self._module: ModuleType | None = None

    def __repr__(self) -> str:
        return f'<_Lib {self}>'

    def __str__(self) -> str:
        return f'{self.name} by {self.author}, API {self.api}, patch {self.patch}'

    def _key(self) -> tuple[str, str, int, int]:
        return (self.name, self.author, self.api, self.patch)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Lib):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: _Lib) -> bool:
        if not isinstance(other, _Lib):
            return NotImplemented
        return self._key() < other._key()

    def import_module(self) -> ModuleType:
        """The library's module, executed once."""
        if self._module is None:
            assert self.spec.loader is not None
            module = module_from_spec(self.spec)
            self.spec.loader.exec_module(module)
            self._module = module
        return self._module
