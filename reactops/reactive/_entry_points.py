"""Installed packages' entry points of one group, read without :mod:`importlib.metadata`.

Finding an interface layer that an installed package provides is on the path of every
hook of a charm with relations, and ``importlib.metadata`` costs such a hook 20-35 ms to
import (it brings in email, zipfile and csv), then reads every installed distribution's
metadata. Entry points need much less: the ``*.dist-info`` and ``*.egg-info`` folders on
``sys.path``, and the ``entry_points.txt`` in each.

:func:`entry_points` reads exactly those, in the order and with the de-duplication
``importlib.metadata.entry_points()`` uses (the first distribution of a name on
``sys.path`` wins), and remembers the answer while ``sys.path`` and its folders stay as
they were. Where the scan
cannot see what ``importlib.metadata`` would (a zip file on ``sys.path``, or an import
finder that lists distributions of its own) it asks ``importlib.metadata`` instead.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

__all__ = ['InstalledEntryPoint', 'entry_points']


class InstalledEntryPoint:
    """One ``name = module:attribute`` line of a distribution's entry points."""

    __slots__ = ('distribution', 'group', 'name', 'value')

    def __init__(self, name: str, value: str, group: str, distribution: str):
        self.name = name
        self.value = value
        self.group = group
        self.distribution = distribution

    def load(self) -> Any:
        """Import the module and return the (dotted) attribute the value names."""
        import importlib

        module_name, _, attribute = self.value.partition(':')
        target: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.split('[', 1)[0].strip().split('.')):
            target = getattr(target, part)
        return target

    def __repr__(self) -> str:
        return (f'InstalledEntryPoint(name={self.name!r}, value={self.value!r}, '
                f'group={self.group!r}, distribution={self.distribution!r})')


_GROUPS: dict[tuple[str, tuple[tuple[str, int], ...]], tuple[InstalledEntryPoint, ...]] = {}


def entry_points(group: str, name: str | None = None) -> list[InstalledEntryPoint]:
    """The entry points of *group* (only those called *name*, if given) of the
    distributions installed on ``sys.path``, in ``importlib.metadata``'s order."""
    key = (group, tuple((path, _mtime(path)) for path in sys.path))
    found = _GROUPS.get(key)
    if found is None:
        found = _GROUPS[key] = tuple(_read_group(group))
    return [entry for entry in found if name is None or entry.name == name]


def _mtime(path: str) -> int:
    # A folder's time changes when a distribution is installed in it or removed from it.
    try:
        return os.stat(path or '.').st_mtime_ns
    except OSError:
        return -1


def _read_group(group: str) -> Iterator[InstalledEntryPoint]:
    if not _scan_sees_everything():
        yield from _from_importlib_metadata(group)
        return
    seen: set[str] = set()
    for info_dir, distribution in _distribution_dirs(sys.path):
        normalized = _normalize(distribution)
        if normalized in seen:
            continue
        seen.add(normalized)
        try:
            with open(os.path.join(info_dir, 'entry_points.txt'), encoding='utf-8') as file:
                text = file.read()
        except OSError:  # no entry points (or an egg-info file rather than a folder)
            continue
        if f'[{group}]' in text:
            yield from _parse(text, group, distribution)


def _scan_sees_everything() -> bool:
    """Whether the folders on ``sys.path`` hold every distribution Python can find."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, 'find_distributions', None):
            return False
    return not any(entry and os.path.isfile(entry) for entry in sys.path)


def _distribution_dirs(paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(metadata folder, distribution name) for each ``*.dist-info``/``*.egg-info`` on
    *paths*, folder by folder, each folder's entries in the order the system lists them."""
    for path in paths:
        try:
            children = os.listdir(path or '.')
        except OSError:
            continue
        for child in children:
            stem, dot, suffix = child.rpartition('.')
            if dot and suffix.lower() in ('dist-info', 'egg-info'):
                yield os.path.join(path, child), stem.partition('-')[0]


def _normalize(name: str) -> str:
    """A distribution name as ``importlib.metadata`` compares them: lower case, each run
    of ``-``, ``_`` and ``.`` one underscore."""
    out: list[str] = []
    for char in name.lower():
        if char in '-_.':
            if not out or out[-1] != '_':
                out.append('_')
        else:
            out.append(char)
    return ''.join(out)


def _parse(text: str, group: str, distribution: str) -> Iterator[InstalledEntryPoint]:
    """The ``name = value`` lines of section ``[group]`` of an ``entry_points.txt``."""
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(('#', ';')):
            continue
        if line.startswith('[') and line.endswith(']'):
            section = line[1:-1].strip()
            continue
        if section == group and '=' in line:
            name, _, value = line.partition('=')
            yield InstalledEntryPoint(name.strip(), value.strip(), group, distribution)


def _from_importlib_metadata(group: str) -> Iterator[InstalledEntryPoint]:
    import importlib.metadata

    for entry in importlib.metadata.entry_points(group=group):
        distribution = getattr(getattr(entry, 'dist', None), 'name', None) or '?'
        yield InstalledEntryPoint(entry.name, entry.value, group, distribution)
