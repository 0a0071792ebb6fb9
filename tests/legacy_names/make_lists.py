"""Write the public names of charms.reactive 1.5.3 and of charmhelpers 1.2.1's ``hookenv``
and ``unitdata`` to ``<module>.txt`` files next to this script, one name a line, sorted.

Run it with an interpreter that has the real packages (``/tmp/ref/bin/python
tests/legacy_names/make_lists.py``; with ``--json`` it prints them instead).
``tests/test_legacy_names.py`` checks that every listed name exists under reactops'
legacy shim, and ``tests/compat/test_compat_names.py`` that the checked-in lists still
match the packages.

Which names count as public, for a module ``M`` of project ``P`` (``charms.reactive`` or
``charmhelpers``):

* no name starting with ``_``;
* no module, unless it is a submodule of ``M`` itself (``charms.reactive.bus`` counts for
  ``charms.reactive``; ``os``, ``json`` or ``charmhelpers.core.hookenv`` never do);
* no object made outside ``P`` (a function, class or instance whose defining module,
  or its type's, is not in ``P``: ``functools.partial``, ``charmhelpers.cli.cmdline`` in
  a charms.reactive module); plain data (strings, numbers, dicts, ``object()``
  markers) counts as the module's own;
* when ``M`` has ``__all__``: only the names in it, plus those ``M``'s own source binds at
  its top level (``def``, ``class``, assignment): names it merely imports are left out.

Then, for every public class that ``M`` defines (its ``__module__`` is ``M``), one
``Class.attr`` line per public attribute the class defines itself: the names in its own
``__dict__`` and those its own methods assign on ``self`` (``self.cursor = ...``).
Inherited attributes are listed under the class that defines them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

MODULES = (
    'charms.reactive',
    'charms.reactive.bus',
    'charms.reactive.cli',
    'charms.reactive.decorators',
    'charms.reactive.endpoints',
    'charms.reactive.flags',
    'charms.reactive.helpers',
    'charms.reactive.patterns.request_response',
    'charms.reactive.relations',
    'charms.reactive.trace',
    'charmhelpers.core.hookenv',
    'charmhelpers.core.unitdata',
)

HERE = Path(__file__).resolve().parent


def _allow_import() -> None:
    """charmhelpers refuses to import off Ubuntu; tell it it is on Ubuntu."""
    import charmhelpers.osplatform

    charmhelpers.osplatform.get_platform = lambda: 'ubuntu'  # type: ignore[assignment]


def _origin(value: Any) -> str | None:
    """The module that made *value* (its own, or its type's), or None for plain data."""
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type,
                          types.MethodType)):
        return getattr(value, '__module__', None)
    module = type(value).__module__
    return None if module == 'builtins' else module


def _top_level_names(module: types.ModuleType) -> set[str]:
    tree = ast.parse(Path(inspect.getfile(module)).read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def module_names(name: str) -> list[str]:
    """The public names of module *name* (see the module docstring)."""
    module = importlib.import_module(name)
    project = name.split('.')[0] if name.startswith('charmhelpers') else 'charms.reactive'
    declared = getattr(module, '__all__', None)
    own = _top_level_names(module) if declared is not None else set()
    found = []
    for attr in dir(module):
        if attr.startswith('_'):
            continue
        value = getattr(module, attr)
        if isinstance(value, types.ModuleType):
            if value.__name__ == f'{name}.{attr}':
                found.append(attr)
            continue
        origin = _origin(value)
        if origin is not None and not (origin == project or origin.startswith(project + '.')):
            continue
        if declared is not None and attr not in declared and attr not in own:
            continue
        found.append(attr)
    return sorted(found)


def _self_assignments(cls: type) -> set[str]:
    names: set[str] = set()
    for value in vars(cls).values():
        func = getattr(value, 'fget', None) or getattr(value, '__func__', None) or value
        if not isinstance(func, types.FunctionType):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(func))
        except (OSError, TypeError):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name) and node.value.id == 'self':
                names.add(node.attr)
    return names


def class_attributes(name: str) -> list[str]:
    """``Class.attr`` for every public class *name* defines (see the module docstring)."""
    module = importlib.import_module(name)
    lines = []
    for attr in module_names(name):
        cls = getattr(module, attr)
        if not isinstance(cls, type) or cls.__module__ != name:
            continue
        own = {a for a in vars(cls) if not a.startswith('_')} | \
            {a for a in _self_assignments(cls) if not a.startswith('_')}
        lines += [f'{attr}.{a}' for a in own]
    return sorted(lines)


def lists() -> dict[str, list[str]]:
    """Module name -> its lines (names, then ``Class.attr`` lines), for every module."""
    _allow_import()
    return {name: sorted(module_names(name) + class_attributes(name)) for name in MODULES}


def main() -> None:
    """Write every list next to this script (with ``--json``: print them instead)."""
    if sys.argv[1:] == ['--json']:
        print(json.dumps(lists()))
        return
    for name, lines in lists().items():
        (HERE / f'{name}.txt').write_text(''.join(f'{line}\n' for line in lines))
        print(f'{name}: {len(lines)} lines', file=sys.stderr)


if __name__ == '__main__':
    main()
