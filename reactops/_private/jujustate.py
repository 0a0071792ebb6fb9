"""Juju's controller-side state store (``state-get``/``state-set``/``state-delete``).

:class:`reactops.storage.JujuStorage` keeps the framework's snapshots here instead of in
a local file (podspec charms, whose pod may be replaced, used it). Each value is YAML
text, stored under its handle path; only plain data round-trips: the loader and dumper
are PyYAML's safe ones plus tuples, so nothing stored can name a Python class to build.
Tool failures surface as :class:`subprocess.CalledProcessError`, as in ops.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import yaml

__all__ = ['JujuStateBackend', 'StateDumper', 'StateLoader']

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, 'CSafeDumper', yaml.SafeDumper)


class StateLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (the C one when available) that also reads tuples."""


class StateDumper(_SafeDumper):  # type: ignore[misc, valid-type]
    """PyYAML's safe dumper (the C one when available) that also writes tuples."""


def _load_tuple(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> tuple[Any, ...]:
    return tuple(loader.construct_sequence(node))


def _dump_tuple(dumper: yaml.SafeDumper, value: tuple[Any, ...]) -> yaml.Node:
    return dumper.represent_sequence('tag:yaml.org,2002:python/tuple', value)


StateLoader.add_constructor('tag:yaml.org,2002:python/tuple', _load_tuple)
StateDumper.add_representer(tuple, _dump_tuple)


def _run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    tool = shutil.which(argv[0])
    if tool is None:
        raise FileNotFoundError(argv[0])
    return subprocess.run([tool, *argv[1:]], encoding='utf-8', check=True, **kwargs)


class JujuStateBackend:
    """Read and write single keys of Juju's per-unit state with the hook tools."""

    def set(self, key: str, value: Any) -> None:
        """Store *value* under *key* (``state-set --file -`` with a one-key YAML map)."""
        text = yaml.dump(value, Dumper=StateDumper, default_flow_style=None)
        request = yaml.dump({key: text}, Dumper=StateDumper, default_style='|',
                            default_flow_style=False)
        _run(['state-set', '--file', '-'], input=request)

    def get(self, key: str) -> Any:
        """Return the value under *key*; raise :class:`KeyError` when Juju has none."""
        out = _run(['state-get', key], stdout=subprocess.PIPE).stdout
        if out in ('', '\n'):
            raise KeyError(key)
        loader = StateLoader(out)  # a safe loader that also reads tuples; no yaml.load
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()

    def delete(self, key: str) -> None:
        """Forget *key* (no error if it was not set)."""
        _run(['state-delete', key])
