"""No pickle, no eval/exec of data, no unsafe YAML, no shell=True anywhere in the package:
a scan of every module's syntax tree (so comments and strings do not count, and aliases
such as ``from yaml import load`` do)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / 'reactops'
FORBIDDEN_MODULES = {'pickle', '_pickle', 'cPickle', 'marshal', 'shelve', 'dill',
                     'cloudpickle', 'jsonpickle'}
FORBIDDEN_BUILTINS = {'eval', 'exec', 'compile', 'execfile'}
UNSAFE_YAML = {'load', 'load_all', 'unsafe_load', 'unsafe_load_all', 'full_load',
               'full_load_all', 'Loader', 'UnsafeLoader', 'FullLoader', 'CLoader',
               'CUnsafeLoader', 'CFullLoader', 'UnsafeConstructor', 'FullConstructor'}
#: The one module that imports pickle: the reader of a state file ops wrote, carried over
#: once. It takes only these names from it (an Unpickler subclass whose find_class knows
#: plain-data constructors only); tests/test_ops_state_upgrade.py shows hostile pickles
#: refused with nothing run.
RESTRICTED_UNPICKLER = '_private/opsstate.py'
RESTRICTED_PICKLE_NAMES = {'Unpickler', 'UnpicklingError'}


def problems(source: str, filename: str = '<snippet>') -> list[str]:
    """Each forbidden use in *source*, as ``file:line: what``."""
    found = []
    yaml_names = {'yaml'}  # local names bound to the yaml module
    for node in ast.walk(ast.parse(source, filename)):
        where = f'{filename}:{getattr(node, "lineno", 0)}'
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split('.')[0] in FORBIDDEN_MODULES:
                    found.append(f'{where}: import {alias.name}')
                if alias.name == 'yaml':
                    yaml_names.add(alias.asname or 'yaml')
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or '').split('.')[0]
            if module in FORBIDDEN_MODULES:
                found.append(f'{where}: from {node.module} import ...')
            if module == 'yaml':
                found += [f'{where}: from yaml import {a.name}' for a in node.names
                          if a.name in UNSAFE_YAML]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in FORBIDDEN_BUILTINS:
            found.append(f'{where}: {node.func.id}()')
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in yaml_names and node.attr in UNSAFE_YAML:
            found.append(f'{where}: {node.value.id}.{node.attr}')
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == 'shell' and not (
                        isinstance(keyword.value, ast.Constant) and not keyword.value.value):
                    found.append(f'{where}: shell=')
    return found


def test_the_package_has_no_pickle_eval_exec_or_unsafe_yaml() -> None:
    files = sorted(PACKAGE.rglob('*.py'))
    assert len(files) > 50  # the scan really covers the package
    found = [p for f in files for p in problems(f.read_text(), str(f.relative_to(PACKAGE)))]
    allowed = f'{RESTRICTED_UNPICKLER}:'
    assert [p for p in found if not (p.startswith(allowed) and p.endswith(': import pickle'))
            ] == []


def test_the_ops_state_reader_only_subclasses_the_unpickler_and_restricts_names() -> None:
    tree = ast.parse((PACKAGE / RESTRICTED_UNPICKLER).read_text())
    uses = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == 'pickle']
    assert {node.attr for node in uses} == RESTRICTED_PICKLE_NAMES  # no load(s), no dump(s)
    bare = [node for node in ast.walk(tree) if isinstance(node, ast.Name)
            and node.id == 'pickle']
    assert len(bare) == len(uses)  # the module object is never passed on
    subclasses = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and any(
        isinstance(base, ast.Attribute) and base.attr == 'Unpickler' for base in node.bases)]
    assert len(subclasses) == 1
    methods = {item.name for item in subclasses[0].body if isinstance(item, ast.FunctionDef)}
    assert {'find_class', 'persistent_load'} <= methods
    unpickler_uses = [node for node in uses if node.attr == 'Unpickler']
    assert len(unpickler_uses) == 1  # only as that base class: never used unrestricted


@pytest.mark.parametrize('snippet', [
    'import pickle', 'from pickle import loads', 'import marshal as m', 'eval(text)',
    'exec(code)', 'compile(src, "f", "exec")', 'import yaml\nyaml.load(s)',
    'import yaml as y\ny.load(s, Loader=y.Loader)', 'from yaml import load',
    'from yaml import FullLoader', 'yaml.unsafe_load(s)', 'subprocess.run(c, shell=True)',
])
def test_the_scan_finds_each_forbidden_use(snippet: str) -> None:
    assert problems(snippet)


@pytest.mark.parametrize('snippet', [
    'yaml.safe_load(s)', 'yaml.SafeLoader', 'yaml.CSafeLoader', 'yaml.safe_dump(x)',
    're.compile("x")', 'loader.exec_module(module)', '# eval(x)', 'x = "pickle"',
    'subprocess.run(c, shell=False)',
])
def test_the_scan_allows_safe_uses(snippet: str) -> None:
    assert problems(snippet) == []
