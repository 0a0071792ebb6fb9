"""The reactops pytest plugin: charm fixtures and readable State diffs.

Installed with reactops (entry point ``pytest11: reactops``), so every test run loads it;
it therefore imports nothing heavy until a fixture or a State comparison needs it.

Fixtures:

* ``charm_dir``: the charm under test, the nearest ancestor directory of the test file
  holding ``charmcraft.yaml`` or ``metadata.yaml`` (the test is skipped if there is none);
* ``charm_type``: the :class:`~reactops.charm.CharmBase` subclass in ``src/charm.py``, or
  ``None`` for a reactive charm without one;
* ``ctx``: a :class:`reactops.testing.Context` for that charm (the class if there is one,
  else the directory); override the fixture to build it differently;
* ``harness``: a :class:`reactops.testing.Harness` for the charm class;
* ``juju``: a :class:`reactops.testing.localjuju.LocalJuju`, a fresh local model in
  Jubilant's shape for integration tests; its workloads are stopped and its directory
  removed when the test ends.

``assert out == expected`` between two States (or two relations, secrets, ...) shows only
the fields that differ, the bag keys that differ and the flags added, removed or changed.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from reactops._private import opsalias

# Charms under test and the charm libraries they vendor say `import ops`: answer it.
opsalias.install()

__all__ = ['charm_dir', 'charm_type', 'ctx', 'find_charm_dir', 'harness', 'juju',
           'pytest_assertrepr_compare', 'state_diff']

_MARKERS = ('charmcraft.yaml', 'metadata.yaml')
_STATE_MODULE = 'reactops.testing._state'


# -- fixtures --------------------------------------------------------------------------


def find_charm_dir(start: Path) -> Path | None:
    """The nearest directory at or above *start* with ``charmcraft.yaml`` or
    ``metadata.yaml``, or ``None``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / marker).is_file() for marker in _MARKERS):
            return directory
    return None


@pytest.fixture
def charm_dir(request: pytest.FixtureRequest) -> Path:
    """The root directory of the charm this test belongs to."""
    test_file = Path(str(request.node.path))
    found = find_charm_dir(test_file.parent)
    if found is None:
        pytest.skip(f'reactops: no charmcraft.yaml or metadata.yaml in {test_file.parent} or '
                    'any directory above it, so there is no charm for the charm_dir fixture; '
                    'put the tests inside the charm, or override the charm_dir fixture')
    return found


@pytest.fixture
def charm_type(charm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> type[Any] | None:
    """The CharmBase subclass of ``src/charm.py``, or None if there is none (reactive)."""
    source = charm_dir / 'src' / 'charm.py'
    if not source.is_file():
        return None
    for sub in ('lib', 'src'):  # src ends up first, as in the charm's dispatch
        if (charm_dir / sub).is_dir():
            monkeypatch.syspath_prepend(str(charm_dir / sub))
    module = _import_charm_module(source)
    return _charm_class(module, source)


def _import_charm_module(source: Path) -> Any:
    # Reuse the module a test imported itself (`from charm import MyCharm`), so classes
    # compare equal; drop a `charm` module that belongs to another charm directory.
    loaded = sys.modules.get('charm')
    if loaded is not None:
        if Path(getattr(loaded, '__file__', '') or '').resolve() == source.resolve():
            return loaded
        del sys.modules['charm']
    return importlib.import_module('charm')


def _charm_class(module: Any, source: Path) -> type[Any] | None:
    from reactops.charm import CharmBase

    found = [obj for obj in vars(module).values()
             if inspect.isclass(obj) and issubclass(obj, CharmBase) and obj is not CharmBase
             and obj.__module__ == module.__name__]
    # A charm may define a base class and the charm proper: keep the most derived ones.
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) > 1:
        names = ', '.join(sorted(c.__name__ for c in leaves))
        pytest.fail(f'reactops: {source} defines several charm classes ({names}); override '
                    'the charm_type fixture to return the one to test', pytrace=False)
    return leaves[0] if leaves else None


@pytest.fixture
def ctx(charm_dir: Path, charm_type: type[Any] | None) -> Iterator[Any]:
    """A ``reactops.testing.Context`` for the charm: its class with the charm directory
    as ``charm_root``, or the directory itself for a reactive charm. Override the
    fixture to pass options (``app_name=``, ``juju_version=``, ...)."""
    context_type = importlib.import_module('reactops.testing._context').Context
    if charm_type is not None:
        context = context_type(charm_type, charm_root=charm_dir)
    else:
        context = context_type(charm_dir)
    yield context
    context.close()


@pytest.fixture
def harness(charm_dir: Path, charm_type: type[Any] | None) -> Iterator[Any]:
    """A ``reactops.testing.Harness`` for the charm class, cleaned up after the test."""
    if charm_type is None:
        pytest.skip(f'reactops: {charm_dir / "src" / "charm.py"} defines no CharmBase '
                    'subclass, and Harness needs one; use the ctx fixture for reactive charms')
    harness_type = importlib.import_module('reactops.testing').Harness
    instance = harness_type(charm_type)
    yield instance
    instance.cleanup()


# -- readable diffs ----------------------------------------------------------------------


@pytest.fixture
def juju() -> Iterator[Any]:
    """A fresh local model with Jubilant's methods, stopped and removed after the test."""
    from .localjuju import LocalJuju

    with LocalJuju() as model:
        yield model


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object,
                              right: object) -> list[str] | None:
    """Explain ``==`` between two reactops testing objects field by field."""
    if op != '==' or _STATE_MODULE not in sys.modules:
        return None  # the types cannot exist: nothing imported them
    if type(left) is not type(right) or not _is_state_object(left):
        return None
    state: Any = left
    fields = [f.name for f in dataclasses.fields(state)
              if getattr(left, f.name) != getattr(right, f.name)]
    # The first line names every differing field: pytest may truncate the rest (use -vv).
    return [f'{type(left).__name__} objects differ in {", ".join(fields) or "identity"} '
            '(+ only on the left, - only on the right, ~ different):',
            *state_diff(left, right)]


def _is_state_object(obj: object) -> bool:
    return (dataclasses.is_dataclass(obj) and not isinstance(obj, type)
            and type(obj).__module__.startswith(_STATE_MODULE))


def state_diff(left: Any, right: Any, indent: str = '  ') -> list[str]:
    """The lines that show how two State objects (of one type) differ, field by field."""
    lines: list[str] = []
    for f in dataclasses.fields(left):
        a, b = getattr(left, f.name), getattr(right, f.name)
        if a == b:
            continue
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            lines += [f'{indent}{f.name}:', *_mapping_diff(a, b, indent + '  ')]
        elif isinstance(a, frozenset | tuple) and isinstance(b, frozenset | tuple):
            lines += [f'{indent}{f.name}:', *_collection_diff(a, b, indent + '  ')]
        else:
            lines.append(f'{indent}{f.name}: {a!r} != {b!r}')
    return lines or [f'{indent}(no field differs)']


def _mapping_diff(a: Mapping[Any, Any], b: Mapping[Any, Any], indent: str) -> list[str]:
    lines = [f'{indent}+ {key!r} = {a[key]!r}' for key in _sorted(set(a) - set(b))]
    lines += [f'{indent}- {key!r} = {b[key]!r}' for key in _sorted(set(b) - set(a))]
    for key in _sorted(set(a) & set(b)):
        x, y = a[key], b[key]
        if x == y:
            continue
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            lines += [f'{indent}~ {key!r}:', *_mapping_diff(x, y, indent + '  ')]
        else:
            lines.append(f'{indent}~ {key!r}: {x!r} != {y!r}')
    return lines


def _collection_diff(a: frozenset[Any] | tuple[Any, ...], b: frozenset[Any] | tuple[Any, ...],
                     indent: str) -> list[str]:
    left, right = _by_key(a), _by_key(b)
    lines = [f'{indent}+ {key}' for key in _sorted(set(left) - set(right))]
    lines += [f'{indent}- {key}' for key in _sorted(set(right) - set(left))]
    for key in _sorted(set(left) & set(right)):
        x, y = left[key], right[key]
        if x == y:
            continue
        if _is_state_object(x) and type(x) is type(y):
            lines += [f'{indent}~ {key}:', *state_diff(x, y, indent + '  ')]
        else:
            lines.append(f'{indent}~ {key}: {x!r} != {y!r}')
    return lines


def _by_key(items: frozenset[Any] | tuple[Any, ...]) -> dict[str, Any]:
    """Index items by what identifies them (a relation by id, a secret by id, ...);
    a tuple (the deferred events) by position."""
    out: dict[str, Any] = {}
    for position, item in enumerate(items):
        if isinstance(items, tuple):
            key = f'[{position}] {_identity(item) or repr(item)}'
        else:
            key = _identity(item) or repr(item)
        while key in out:  # two items claim one id: keep both visible
            key += "'"
        out[key] = item
    return out


def _identity(item: Any) -> str | None:
    name = type(item).__name__
    if hasattr(item, 'endpoint') and hasattr(item, 'id'):
        return f'{name}(id={item.id}, endpoint={item.endpoint!r})'
    if name == 'Secret':
        return f'Secret({item.id!r})'
    if name == 'Storage':
        return f'Storage({item.name}/{item.index})'
    if name == 'DeferredEvent':
        return f'DeferredEvent({item.handle_path!r})'
    if name == 'StoredState':
        return f'StoredState({item.owner_path or "<charm>"}.{item.name})'
    if name == 'Network':
        return f'Network({item.binding_name!r})'
    if name == 'Resource':
        return f'Resource({item.name!r})'
    return None


def _sorted(keys: Any) -> list[Any]:
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)
