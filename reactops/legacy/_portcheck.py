"""``port_check``: what a legacy charm uses of charms.reactive / charmhelpers, whether
reactops provides it, and what to check when porting it.

The charm's Python files are read with :mod:`ast` (never imported, :mod:`._portscan`).
Files that reactops replaces are not read: layer-basic's ``charms.layer`` package,
``basic.py`` and ``execd.py``, layer-options' ``options.py``, and hooks that are
layer-basic's hook template (reported as hooks to point at ``reactops.legacy.main()``).
Each legacy name used is one of:

* ``supported``: the shim provides it (for a module called, ``layer.options('apt')``:
  the shim's module is callable);
* ``unsupported``: the shim does not (the charm fails with
  :class:`~reactops.legacy.UnsupportedLegacyAPIError` when it runs that line);
* ``charm-library``: a ``charms.*`` module the charm ships in ``lib/``;
* ``needs-package``: a ``charmhelpers`` name reactops leaves to charmhelpers itself; it
  works only if the charm packs charmhelpers (the report says whether it does).

The report also lists the executable handlers and the documented behaviour differences
whose usages the charm has (see :mod:`._differences`), each with where it applies.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._differences import DIFFERENCES, Difference
from ._portscan import FileScan, module_test, scan
from ._shim import ALIASES

__all__ = ['ApiUse', 'PortReport', 'port_check']

_SKIP_DIRS = {'__pycache__', 'wheelhouse', '.venv', 'venv', '.tox', '.git', 'build', 'tests',
              'unit_tests'}
#: Files of layers that reactops replaces with its own modules: never read.
REPLACED = {
    'lib/charms/layer/__init__.py': "layer-basic's charms.layer package",
    'lib/charms/layer/basic.py': "layer-basic's bootstrap",
    'lib/charms/layer/execd.py': "layer-basic's exec.d runner, used only by its bootstrap",
    'lib/charms/layer/options.py': "layer-options' reader",
}
# Packages a copy of which the charm may pack (on sys.path: lib/, venv/) and that
# port-check leaves unread: their code is theirs, not the charm's.
_PACKED = ('charmhelpers', 'charms/reactive')
# What layer-basic's hook template uses: a hook using nothing else is that template.
_TEMPLATE = frozenset({
    ('charms.layer', ''), ('charms.layer', 'basic'), ('charms.layer.basic', ''),
    ('charms.layer.basic', 'bootstrap_charm_deps'), ('charms.layer.basic',
                                                    'init_config_states'),
    ('charms.layer.basic', 'clear_config_states'), ('charmhelpers.core.hookenv', ''),
    ('charmhelpers.core', ''), ('charmhelpers.core', 'hookenv'),
    ('charmhelpers.core.hookenv', 'atstart'), ('charmhelpers.core.hookenv', 'atexit'),
    ('charms.reactive', ''), ('charms.reactive', 'main'),
})
# What layer-basic puts in every charm's wheelhouse.txt (its own dependencies and
# charmhelpers'): not the charm's, and nothing to pack unless it uses charmhelpers.
_BASIC_WHEELHOUSE = frozenset({'pip', 'jinja2', 'pyyaml', 'setuptools', 'setuptools-scm',
                               'charmhelpers', 'charms-reactive', 'wheel', 'netaddr'})
_PROVIDED = {'charms', 'charms.reactive', 'charms.layer', 'charmhelpers', 'charmhelpers.core'}
_LAYER_MODULE = 'reactops.legacy.layer'  # what charms.layer is under the shim


@dataclass(frozen=True)
class ApiUse:
    """One legacy name used by the charm, where, and whether reactops provides it."""

    module: str
    name: str
    file: str
    line: int
    status: str
    called: bool = False

    @property
    def api(self) -> str:
        if self.name:
            return f'{self.module}.{self.name}'
        return f'{self.module}(...)' if self.called else self.module


@dataclass
class PortReport:
    """What :func:`port_check` found in one charm.

    *differences* holds every difference that applies, those with nothing to check too
    (:attr:`Difference.quiet`); *where* gives, per difference id, the usages that made it
    apply. *template_hooks* are hooks still in layer-basic's template, *replaced* the files
    reactops stands in for, *charmhelpers* where the charm packs charmhelpers (or None).
    """

    charm_dir: str
    uses: list[ApiUse] = field(default_factory=list)
    external_handlers: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    where: dict[str, list[str]] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    template_hooks: list[str] = field(default_factory=list)
    charmhelpers: str | None = None

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

    def shown(self, all_differences: bool = False) -> list[Difference]:
        """The differences to show: those with something to check, or all that apply."""
        return [d for d in self.differences if all_differences or not d.quiet]

    def to_json(self, all_differences: bool = False) -> str:
        """The report as JSON."""
        return json.dumps({
            'charm_dir': self.charm_dir, 'ok': self.ok, 'apis': self.summary(),
            'external_handlers': self.external_handlers, 'replaced': self.replaced,
            'template_hooks': self.template_hooks, 'charmhelpers': self.charmhelpers,
            'differences': [{**asdict(d), 'where': self.where.get(d.id, [])}
                            for d in self.shown(all_differences)],
            'hidden_differences': [d.id for d in self.differences
                                   if d not in self.shown(all_differences)]}, indent=2)

    def to_text(self, all_differences: bool = False) -> str:
        """The report for people."""
        from ._portreport import report_text

        return report_text(self, all_differences)


def port_check(charm_dir: str | os.PathLike[str]) -> PortReport:
    """Scan the legacy charm in *charm_dir* (see the module docstring)."""
    root = Path(charm_dir)
    if not root.is_dir():
        from ._errors import LegacyError

        raise LegacyError(f"{root} is not a directory: give the charm's directory (the one "
                          'with metadata.yaml and reactive/)')
    report = PortReport(str(root), charmhelpers=_packed_charmhelpers(root))
    lib_modules = _charm_library_modules(root)
    is_module = module_test(lambda name: name in ALIASES)
    markers: dict[str, list[str]] = {}
    handler_files: list[str] = []
    endpoint_layers: list[str] = []  # files defining an Endpoint subclass, probably
    for path in _python_files(root):
        rel = path.relative_to(root).as_posix()
        if rel in REPLACED:
            report.replaced.append(rel)
            continue
        try:
            tree = ast.parse(path.read_text(encoding='utf-8', errors='replace'), rel)
        except SyntaxError as error:
            report.uses.append(ApiUse('(syntax error)', str(error.msg), rel,
                                      error.lineno or 0, 'unsupported'))
            continue
        found = scan(tree, is_module, in_actions=rel.startswith('actions/'))
        if _is_template_hook(rel, found):
            report.template_hooks.append(rel)
            continue
        for use in found.uses:
            report.uses.append(ApiUse(use.module, use.name, rel, use.line,
                                      _status(use.module, use.name, use.called, lib_modules),
                                      use.called))
        for marker, lines in found.markers.items():
            markers.setdefault(marker, []).extend(f'{rel}:{n}' for n in lines)
        if 'handlers' in found.markers:
            handler_files.append(rel)
        if any(u.module.startswith('charms.reactive') and u.name == 'Endpoint'
               for u in found.uses):
            endpoint_layers.append(rel)
    from ._external import find_external_handlers

    report.external_handlers = [p.relative_to(root).as_posix()
                                for p in find_external_handlers(root)]
    markers.update(_charm_markers(root, report, handler_files))
    markers['endpoint-flags'] = _endpoint_flags(root, markers, endpoint_layers)
    markers['needs-package'] = [f'{u.file}:{u.line}' for u in report.uses
                                if u.status == 'needs-package']
    for difference in DIFFERENCES:
        where = [w for m in difference.markers for w in markers.get(m, ())]
        if where and not (difference.when_unpacked and report.charmhelpers):
            report.differences.append(difference)
            report.where[difference.id] = list(dict.fromkeys(where))
    return report


def _python_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIP_DIRS and not d.startswith('.')
            and not (rel in ('lib', 'venv') and d == 'charmhelpers')
            and not (rel in ('lib/charms', 'venv/charms') and d == 'reactive'))
        found += [Path(dirpath, f) for f in sorted(filenames) if f.endswith('.py')]
        found += [Path(dirpath, f) for f in sorted(filenames)
                  if '.' not in f and Path(dirpath).name in ('hooks', 'actions')
                  and _is_python_script(Path(dirpath, f))]
    return found


def _is_python_script(path: Path) -> bool:
    return 'python' in _first_line(path)


def _first_line(path: Path) -> str:
    try:
        with open(path, 'rb') as f:
            return f.readline(200).decode(errors='replace')
    except OSError:
        return ''


def _is_template_hook(rel: str, found: FileScan) -> bool:
    """A hook that is layer-basic's template: bootstrap, then charms.reactive's main()."""
    parts = rel.split('/')
    if len(parts) != 2 or parts[0] != 'hooks' or parts[1].endswith('.py'):
        return False
    used = {(u.module, u.name) for u in found.uses}
    return ('charms.reactive', 'main') in used and used <= _TEMPLATE


def _charm_library_modules(root: Path) -> set[str]:
    lib = root / 'lib'
    modules: set[str] = set()
    for path in lib.rglob('*.py') if lib.is_dir() else []:
        parts = list(path.relative_to(lib).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts.pop()
        modules.add('.'.join(parts))
    return modules


def _packed_charmhelpers(root: Path) -> str | None:
    """Where the charm packs charmhelpers so that a hook imports it, if it does."""
    for sub in ('lib', 'venv'):
        if (root / sub / 'charmhelpers' / '__init__.py').is_file():
            return f'{sub}/charmhelpers'
    return None


def _status(module: str, name: str, called: bool, lib_modules: set[str]) -> str:
    if module == 'charms.layer' and name:
        return _layer_status(name, lib_modules)
    if module in ALIASES:
        target = importlib.import_module(ALIASES[module])
        if not name:
            return 'supported' if callable(target) or not called else 'unsupported'
        if _provides(target, name):
            return 'supported'
        # charmhelpers names reactops leaves out come from charmhelpers itself, if packed.
        return 'needs-package' if module.startswith('charmhelpers.') else 'unsupported'
    full = f'{module}.{name}' if name else module
    if full in ALIASES or (module in _PROVIDED and not name):
        return 'supported'
    if module == 'charms' or module.startswith('charms.'):
        if module.startswith('charms.reactive'):
            return 'unsupported'
        return 'charm-library' if full in lib_modules or module in lib_modules \
            else 'unsupported'
    return 'needs-package'


def _provides(module: Any, name: str) -> bool:
    """Whether reactops' *module* has *name*, also one it makes when first used (a
    module ``__getattr__``); one it refuses raises an AttributeError."""
    if name in vars(module) or name in getattr(module, '__all__', ()):
        return True
    try:
        getattr(module, name)
    except AttributeError:
        return False
    return True


def _layer_status(name: str, lib_modules: set[str]) -> str:
    """``charms.layer.<name>``: reactops' own module or name, else a library the charm
    ships (imported when first named), else missing."""
    if f'charms.layer.{name}' in ALIASES:
        return 'supported'
    layer = importlib.import_module(_LAYER_MODULE)
    if name in getattr(layer, '__all__', ()):
        return 'supported'
    return 'charm-library' if f'charms.layer.{name}' in lib_modules else 'unsupported'


def _charm_markers(root: Path, report: PortReport, handler_files: list[str]
                   ) -> dict[str, list[str]]:
    """The markers of the charm as a whole (see :mod:`._differences`)."""
    found: dict[str, list[str]] = {}
    if handler_files:
        found['handlers'] = handler_files
    if len(handler_files) > 1:
        found['handler-modules'] = handler_files
    if report.external_handlers:
        found['external'] = list(report.external_handlers)
    if _relations(root):
        found['relations'] = ['metadata.yaml']
    extra = _wheelhouse_packages(root)
    if extra:
        found['wheelhouse'] = [f'wheelhouse.txt: {", ".join(extra)}']
    actions = root / 'actions'
    env_actions = [f'actions/{p.name}' for p in sorted(actions.iterdir()) if p.is_file()
                   and _first_line(p).startswith('#!/usr/local/sbin/charm-env')] \
        if actions.is_dir() and not (root / 'dispatch').exists() else []
    if env_actions:
        found['charm-env'] = env_actions
    execd = root / 'exec.d'
    if execd.is_dir() and any(execd.iterdir()):
        found['exec.d'] = [f'exec.d/{p.name}' for p in sorted(execd.iterdir())]
    return found


def _endpoint_flags(root: Path, markers: dict[str, list[str]], endpoint_layers: list[str]
                    ) -> list[str]:
    """Where the charm reads ``endpoint.<name>.*`` flags of an endpoint whose interface
    layer is no Endpoint (a RelationBase layer, or none): charms.reactive never set them."""
    layers = set(endpoint_layers)
    found = []
    for name, (interface, role) in _relations(root).items():
        if f'hooks/relations/{interface}/{role}.py' not in layers:
            found += markers.get(f'endpoint-flag:{name}', [])
    return found


def _relations(root: Path) -> dict[str, tuple[str, str]]:
    """Each relation endpoint of the metadata: (interface, role file name)."""
    data = _metadata(root)
    found = {}
    for role, file in (('provides', 'provides'), ('requires', 'requires'), ('peers', 'peers')):
        endpoints = data.get(role)
        for name, spec in endpoints.items() if isinstance(endpoints, dict) else ():
            interface = spec.get('interface') if isinstance(spec, dict) else None
            if isinstance(interface, str):
                found[str(name)] = (interface, file)
    return found


def _metadata(root: Path) -> dict[str, Any]:
    path = root / 'metadata.yaml'
    if not path.is_file():
        return {}
    import yaml

    data = yaml.safe_load(path.read_text(encoding='utf-8', errors='replace'))
    return data if isinstance(data, dict) else {}


def _wheelhouse_packages(root: Path) -> list[str]:
    """The packages of ``wheelhouse.txt`` that layer-basic did not put there."""
    path = root / 'wheelhouse.txt'
    if not path.is_file():
        return []
    packages = []
    for line in path.read_text(encoding='utf-8', errors='replace').splitlines():
        line = line.split('#', 1)[0].strip()
        name = re.split(r'[\s<>=!~;\[@]', line, maxsplit=1)[0]
        if name and re.sub(r'[._]', '-', name.lower()) not in _BASIC_WHEELHOUSE:
            packages.append(name)
    return packages
