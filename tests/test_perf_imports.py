"""A hook imports no json, re, enum or pathlib unless the charm's own code needs them.

Issue 21, item 3: ``json`` brings ``re``, ``re`` brings ``enum`` (together about 6 ms of a
3.11 hook), and ``pathlib`` brings ``fnmatch``, ``urllib.parse`` and ``ipaddress`` (3.4
ms). These guards count modules, never time; ``bench/`` has the timings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from charmrun import REPO, CharmUnit
from test_perf_guards import (
    INTERFACE,
    OPS_CHARM,
    REACTIVE_ENTRY,
    REACTIVE_HANDLERS,
    RELATION_HOOK,
    _unit,
)

# The standard modules a hook should not pay for, and what brings each one in.
KEPT_OUT = {'json', 're', 'enum', 'pathlib', 'urllib.parse', 'ipaddress', 'fnmatch'}

# Every module outside reactops/reactive and reactops/layers that an ops-style hook loads.
HOOK_MODULES = [
    'reactops', 'reactops.main', 'reactops._main', 'reactops.charm', 'reactops.framework',
    'reactops.storage', 'reactops.stored', 'reactops.meta', 'reactops.jujucontext',
    'reactops.jujuversion', 'reactops.errors', 'reactops.model', 'reactops.model._model',
    'reactops.model._relations', 'reactops.model._units', 'reactops.model._config',
    'reactops.model._status', 'reactops.model._bags', 'reactops._private.backend',
    'reactops._private.hooktools', 'reactops._private.hooktool_runner',
    'reactops._private.codec', 'reactops._private.fastjson', 'reactops._private.lazypath',
    'reactops._private.jujunames', 'reactops._private.meta_validate',
    'reactops._private.opsalias',
]


def _imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.rsplit('|', 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith('import time:')}


def _run(unit: CharmUnit, dispatch_path: str, **juju_env: str) -> set[str]:
    """The modules one hook imports, as ``CharmUnit.run`` runs it but with ``python -S``:
    without site-packages, whose start-up hooks (an editable install's finder) would load
    pathlib and re before the hook and hide the hook's own imports of them."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('JUJU_', 'REACTOPS_'))}
    env.update(unit.juju.env(JUJU_DISPATCH_PATH=dispatch_path, **juju_env))
    env.update(PYTHONPATH=str(REPO), PYTHONPROFILEIMPORTTIME='1')
    result = subprocess.run(
        [sys.executable, '-S', str(unit.juju.charm_dir / 'src' / 'charm.py')], env=env,
        capture_output=True, text=True, timeout=60, cwd=unit.juju.charm_dir)
    assert result.returncode == 0, result.stderr
    return _imported(result)


def _hooks(unit: CharmUnit) -> dict[str, set[str]]:
    """The modules each hook of a settled unit imports (the first hook, which parses the
    metadata with PyYAML and so imports re, runs with site-packages and is not counted)."""
    unit.ok('hooks/install')
    return {hook: _run(unit, hook, **env)
            for hook, env in [('hooks/install', {}), ('hooks/config-changed', {}),
                              ('hooks/update-status', {}),
                              ('hooks/db-relation-changed', RELATION_HOOK)]}


def test_the_modules_an_ops_style_hook_loads_import_none_of_them() -> None:
    code = ('import sys\n'
            f'for name in {HOOK_MODULES!r}:\n'
            '    __import__(name)\n'
            'import reactops\n'
            'reactops.CharmBase, reactops.ActiveStatus, reactops.StoredState\n'
            'print(" ".join(sorted(sys.modules)))\n')
    result = subprocess.run([sys.executable, '-S', '-c', code], capture_output=True,
                            text=True, check=True, env={'PYTHONPATH': str(REPO)})
    assert set(result.stdout.split()) & KEPT_OUT == set()


def test_the_charm_dir_is_still_a_path_when_a_charm_reads_it(tmp_path: Path) -> None:
    charm = OPS_CHARM.replace(
        "self.unit.status = ops.ActiveStatus('ready')",
        "self.unit.status = ops.ActiveStatus(type(self.charm_dir).__name__ + ' '"
        " + str(self.charm_dir == self.framework.charm_dir))")
    unit = _unit(tmp_path, {'src/charm.py': charm})
    unit.ok('hooks/install')
    argvs = unit.ok('hooks/update-status')
    assert [argv[-1] for argv in argvs if argv[0] == 'status-set'] == ['PosixPath True']


def test_an_ops_style_hook_imports_none_of_them(tmp_path: Path) -> None:
    for hook, imported in _hooks(_unit(tmp_path, {'src/charm.py': OPS_CHARM})).items():
        assert (hook, imported & KEPT_OUT) == (hook, set())


def test_the_tinyweb_example_imports_only_what_its_own_code_needs(tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path / 'unit', REPO / 'examples' / 'tinyweb', 'tinyweb/0',
                     config={'port': 8080, 'greeting': 'hi'})
    unit.ok('hooks/install')
    for hook in ('hooks/install', 'hooks/config-changed', 'hooks/update-status'):
        imported = _run(unit, hook)
        assert 'logging' in imported  # the charm's own `import logging` brings re and enum
        assert (hook, imported & KEPT_OUT - {'re', 'enum'}) == (hook, set())


def test_a_reactive_hook_imports_none_of_them(tmp_path: Path) -> None:
    unit = _unit(tmp_path, {'src/charm.py': REACTIVE_ENTRY, 'reactive/guard.py': REACTIVE_HANDLERS,
                            'hooks/relations/guarddb/requires.py': INTERFACE})
    for hook, imported in _hooks(unit).items():
        assert 'reactops.reactive.dispatcher' in imported  # the handlers did run
        assert (hook, imported & KEPT_OUT) == (hook, set())


def test_the_metadata_enums_are_still_enums_when_asked_for() -> None:
    import enum

    from reactops import charm, meta

    loaded = meta.CharmMeta.from_yaml(
        'name: x\nrequires: {db: {interface: pg}}\npeers: {p: {interface: q}}\n'
        'assumes: [juju >= 3.1, {any-of: [k8s-api, {all-of: [a, b]}]}]\n')
    assert charm.RelationRole is meta.RelationRole and issubclass(meta.RelationRole, enum.Enum)
    assert loaded.requires['db'].role is meta.RelationRole.requires
    assert loaded.peers['p'].role.is_peer() and not loaded.requires['db'].role.is_peer()
    assert meta.RelationMeta(meta.RelationRole.provides, 'web', {'interface': 'http'}).role \
        is meta.RelationRole.provides
    with pytest.raises(TypeError, match='must be a RelationRole'):
        meta.RelationMeta('provides', 'web', {'interface': 'http'})  # type: ignore[arg-type]
    condition = meta.JujuAssumesCondition
    assert loaded.assumes == meta.JujuAssumes(['juju >= 3.1', meta.JujuAssumes(
        ['k8s-api', meta.JujuAssumes(['a', 'b'], condition.ALL)], condition.ANY)])
    assert loaded.assumes.condition is condition.ALL


def test_a_malformed_assumes_is_still_refused_when_the_metadata_loads() -> None:
    from reactops.errors import MetadataError
    from reactops.meta import CharmMeta

    with pytest.raises(MetadataError, match='assumes'):
        CharmMeta.from_yaml('name: x\nassumes: [{one-of: [a]}]\n')
