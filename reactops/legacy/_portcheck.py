"""``port_check``: what a legacy charm uses of charms.reactive / charmhelpers, and whether
reactops provides it.

The charm's Python files are read with :mod:`ast` (never imported): imports of
``charms.reactive*``, ``charmhelpers*`` and ``charms.layer*``, and the attributes used on
those modules. Each use is one of:

* ``supported``: the shim provides the name;
* ``unsupported``: the shim does not (the charm fails with
  :class:`~reactops.legacy.UnsupportedLegacyAPIError` when it runs that line);
* ``charm-library``: a ``charms.*`` module the charm ships in ``lib/``;
* ``needs-package``: another ``charmhelpers`` module, or a ``hookenv`` name the shim
  lacks; it works only if the charm packs charmhelpers itself (then charmhelpers' own
  code runs it, outside reactops' model).

The report also lists the executable handlers and the documented behaviour differences
that apply (see :mod:`._differences`).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._differences import DIFFERENCES, Difference
from ._shim import ALIASES

__all__ = ['ApiUse', 'PortReport', 'port_check']

_SKIP_DIRS = {'__pycache__', 'wheelhouse', '.venv', 'venv', '.tox', '.git', 'build', 'tests',
              'unit_tests'}
_PROVIDED_PACKAGES = {'charms', 'charms.reactive', 'charms.layer', 'charmhelpers',
                      'charmhelpers.core'}


@dataclass(frozen=True)
class ApiUse:
    """One legacy name used by the charm, where, and whether reactops provides it."""

    module: str
    name: str
    file: str
    line: int
    status: str

    @property
    def api(self) -> str:
        return f'{self.module}.{self.name}' if self.name else self.module


@dataclass
class PortReport:
    """What :func:`port_check` found in one charm."""

    charm_dir: str
    uses: list[ApiUse] = field(default_factory=list)
    external_handlers: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def unsupported(self) -> list[ApiUse]:
        """The uses the shim does not provide."""
        return [use for use in self.uses if use.status == 'unsupported']

    @property
    def ok(self) -> bool:
        """Whether every legacy name the charm uses is provided."""
        return not self.unsupported

    def summary(self) -> dict[str, dict[str, Any]]:
        """Each distinct API with its status and how often it is used."""
        found: dict[str, dict[str, Any]] = {}
        for use in self.uses:
            entry = found.setdefault(use.api, {'status': use.status, 'count': 0,
                                               'where': []})
            entry['count'] += 1
            entry['where'].append(f'{use.file}:{use.line}')
        return dict(sorted(found.items()))

    def to_json(self) -> str:
        """The report as JSON."""
        return json.dumps({
            'charm_dir': self.charm_dir, 'ok': self.ok, 'apis': self.summary(),
            'external_handlers': self.external_handlers,
            'differences': [asdict(d) for d in self.differences]}, indent=2)

    def to_text(self) -> str:
        """The report for people."""
        lines = [f'port-check of {self.charm_dir}: '
                 f'{"every legacy API used is provided" if self.ok else "UNSUPPORTED APIs used"}',
                 '', 'Legacy APIs used:']
        for api, entry in self.summary().items():
            where = ', '.join(entry['where'][:3]) + (' ...' if len(entry['where']) > 3 else '')
            lines.append(f'  {entry["status"]:<13} {api} ({entry["count"]}x: {where})')
        if not self.uses:
            lines.append('  (none)')
        if self.external_handlers:
            lines += ['', 'Executable handlers (run with the --test/--invoke protocol):']
            lines += [f'  {path}' for path in self.external_handlers]
        lines += ['', 'Behaviour differences that apply (docs/porting.md has the table):']
        for diff in self.differences:
            lines.append(f'  [{diff.id}] {diff.topic}: {diff.reactops}. Check: {diff.check}.')
        return '\n'.join(lines)


def port_check(charm_dir: str | os.PathLike[str]) -> PortReport:
    """Scan the legacy charm in *charm_dir* (see the module docstring)."""
    root = Path(charm_dir)
    if not root.is_dir():
        from ._errors import LegacyError

        raise LegacyError(f"{root} is not a directory: give the charm's directory (the one "
                          'with metadata.yaml and reactive/)')
    report = PortReport(str(root))
    lib_modules = _charm_library_modules(root)
    for path in _python_files(root):
        rel = str(path.relative_to(root))
        try:
            tree = ast.parse(path.read_text(encoding='utf-8', errors='replace'), rel)
        except SyntaxError as error:
            report.uses.append(ApiUse('(syntax error)', str(error.msg), rel,
                                      error.lineno or 0, 'unsupported'))
            continue
        for module, name, line in _legacy_uses(tree):
            report.uses.append(ApiUse(module, name, rel, line,
                                      _status(module, name, lib_modules)))
    from ._external import find_external_handlers

    report.external_handlers = [str(p.relative_to(root))
                                for p in find_external_handlers(root)]
    report.differences = _differences(report, root)
    return report


def _python_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith('.'))
        found += [Path(dirpath, f) for f in sorted(filenames) if f.endswith('.py')]
        found += [Path(dirpath, f) for f in sorted(filenames)
                  if '.' not in f and Path(dirpath).name in ('hooks', 'actions')
                  and _is_python_script(Path(dirpath, f))]
    return found


def _is_python_script(path: Path) -> bool:
    try:
        with open(path, 'rb') as f:
            return b'python' in f.readline()
    except OSError:
        return False


def _charm_library_modules(root: Path) -> set[str]:
    lib = root / 'lib'
    modules: set[str] = set()
    for path in lib.rglob('*.py') if lib.is_dir() else []:
        parts = list(path.relative_to(lib).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts.pop()
        modules.add('.'.join(parts))
    return modules


def _is_legacy(module: str) -> bool:
    return module == 'charmhelpers' or module.startswith(('charms.', 'charmhelpers.')) \
        or module == 'charms'


def _legacy_uses(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(module, name, line) for every legacy import and attribute use in *tree*."""
    aliases: dict[str, str] = {}  # local name -> legacy module
    uses: list[tuple[str, str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for item in node.names:
                if _is_legacy(item.name):
                    local = item.asname or item.name
                    aliases[local] = item.name
                    uses.append((item.name, '', node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and _is_legacy(node.module):
            for item in node.names:
                full = f'{node.module}.{item.name}'
                if _is_module(full):
                    aliases[item.asname or item.name] = full
                    uses.append((full, '', node.lineno))
                else:
                    uses.append((node.module, item.name, node.lineno))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is None:
                continue
            head, _, rest = dotted.partition('.')
            if head in aliases and rest:
                module = aliases[head]
                *more, name = rest.split('.')
                for part in more:  # charms.reactive.helpers.data_changed
                    if _is_module(f'{module}.{part}'):
                        module = f'{module}.{part}'
                    else:
                        break
                else:
                    uses.append((module, name, node.lineno))
    return sorted(set(uses), key=lambda u: (u[2], u[0], u[1]))


def _dotted(node: ast.Attribute) -> str | None:
    parts = [node.attr]
    value: ast.expr = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name):
        return None
    parts.append(value.id)
    return '.'.join(reversed(parts))


def _is_module(name: str) -> bool:
    return name in ALIASES or name in _PROVIDED_PACKAGES or \
        name.startswith('charmhelpers.') and name.count('.') <= 2 and name.split('.')[-1] in (
            'core', 'fetch', 'contrib', 'cli', 'payload', 'hookenv', 'unitdata', 'host',
            'templating', 'osplatform', 'decorators', 'sysctl', 'kernel', 'strutils',
            'services', 'hugepage', 'fstab')


def _status(module: str, name: str, lib_modules: set[str]) -> str:
    if module in ALIASES:
        if not name:
            return 'supported'
        target = importlib.import_module(ALIASES[module])
        if name in vars(target) or name in getattr(target, '__all__', ()):
            return 'supported'
        # hookenv names the shim lacks come from charmhelpers when the charm packs it.
        return 'needs-package' if module == 'charmhelpers.core.hookenv' else 'unsupported'
    full = f'{module}.{name}' if name else module
    if full in ALIASES or (module in _PROVIDED_PACKAGES and not name):
        return 'supported'
    if module == 'charms' or module.startswith('charms.'):
        if full in lib_modules or module in lib_modules:
            return 'charm-library'
        return 'unsupported'
    return 'needs-package'


def _differences(report: PortReport, root: Path) -> list[Difference]:
    used = {use.name for use in report.uses} | {
        f'{use.module.rsplit(".", 1)[-1]}.{use.name}' for use in report.uses} | {
        use.module.rsplit('.', 1)[-1] + '.' + use.name.split('(')[0] for use in report.uses}
    used.add('*')
    if report.external_handlers:
        used.add('external')
    if _declares_relations(root):
        used.add('relations')
    return [d for d in DIFFERENCES if any(t in used for t in d.triggers)]


def _declares_relations(root: Path) -> bool:
    path = root / 'metadata.yaml'
    if not path.exists():
        return False
    import yaml

    data = yaml.safe_load(path.read_text()) or {}
    return any(data.get(role) for role in ('provides', 'requires', 'peers'))
