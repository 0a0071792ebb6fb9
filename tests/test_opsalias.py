"""The `ops` and `scenario` import names answered by reactops (reactops._private.opsalias).

Each case runs in a fresh interpreter, since what it checks is what a new process sees.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _python(code: str, *, env: dict[str, str] | None = None, path: list[Path] = (),
            site: bool = True) -> subprocess.CompletedProcess[str]:
    """Run *code* in a new interpreter with reactops importable and *path* in front."""
    pythonpath = ':'.join([*(str(p) for p in path), str(REPO)])
    full_env = {'PYTHONPATH': pythonpath, 'PATH': '/usr/bin:/bin', **(env or {})}
    args = [sys.executable, *([] if site else ['-S']), '-c', code]
    return subprocess.run(args, capture_output=True, text=True, env=full_env, check=False)


INSTALL = 'from reactops._private import opsalias; opsalias.install()\n'


def test_ops_is_reactops_and_its_submodules_are_the_same_objects() -> None:
    result = _python(INSTALL + (
        'import ops, ops.model, ops.framework, reactops, reactops.model;'
        'from ops.charm import CharmBase;'
        'import reactops.charm;'
        'print(ops is reactops, ops.model is reactops.model,'
        '      CharmBase is reactops.charm.CharmBase, ops.framework.__name__)'), site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['True', 'True', 'True', 'reactops.framework']


def test_scenario_is_reactops_testing() -> None:
    result = _python(INSTALL + (
        'import scenario, ops.testing, reactops.testing;'
        'print(scenario is reactops.testing, ops.testing is reactops.testing)'), site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['True', 'True']


def test_a_patch_through_one_name_is_seen_through_the_other() -> None:
    result = _python(INSTALL + (
        'import ops.model, reactops.model;'
        'ops.model.MARKER = 42;'
        'print(reactops.model.MARKER)'), site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '42'


def test_a_missing_submodule_fails_as_it_would_on_ops() -> None:
    result = _python(INSTALL + (
        'import ops\n'
        'try:\n'
        '    import ops.no_such_module\n'
        'except ModuleNotFoundError as e:\n'
        '    print(type(e).__name__, e.name)\n'), site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['ModuleNotFoundError', 'ops.no_such_module']


def _fake_real_ops(tmp_path: Path) -> Path:
    package = tmp_path / 'site' / 'ops'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text('REAL = True\n')
    (package / 'model.py').write_text('REAL_MODEL = True\n')
    return package.parent


def test_a_real_ops_on_the_path_wins(tmp_path: Path) -> None:
    site = _fake_real_ops(tmp_path)
    result = _python(INSTALL + (
        'import ops, ops.model; print(getattr(ops, "REAL", False), ops.model.__name__,'
        ' getattr(ops.model, "REAL_MODEL", False))'), path=[site], site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['True', 'ops.model', 'True']


def test_reactops_can_be_forced_over_a_real_ops(tmp_path: Path) -> None:
    site = _fake_real_ops(tmp_path)
    result = _python(INSTALL + 'import ops; print(ops.__name__)', path=[site],
                     env={'REACTOPS_OPS': 'reactops'}, site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'reactops'


def test_the_alias_can_be_switched_off() -> None:
    result = _python(INSTALL + (
        'try:\n'
        '    import ops\n'
        'except ModuleNotFoundError:\n'
        '    print("no ops")\n'), env={'REACTOPS_OPS': 'off'}, site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'no ops'


def test_install_is_idempotent_and_uninstall_removes_the_finder() -> None:
    result = _python(INSTALL + (
        'import sys; opsalias.install()\n'
        'n = sum(isinstance(f, opsalias.OpsAliasFinder) for f in sys.meta_path)\n'
        'opsalias.uninstall()\n'
        'print(n, opsalias.installed())'), site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['1', 'None']


def test_without_the_finder_ops_is_not_importable() -> None:
    # -S: no site-packages, so neither the .pth file nor any real ops is seen.
    result = _python('import importlib.util; print(importlib.util.find_spec("ops"))', site=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'None'


def test_the_pth_file_installs_the_finder() -> None:
    line = (REPO / 'reactops-ops.pth').read_text().strip()
    assert line.startswith('import ')  # site.py executes only lines that start with import
    result = _python(line + '\nimport sys; print("reactops" in sys.modules)\n'
                     'import ops; print(ops.__name__)', site=False)
    assert result.returncode == 0, result.stderr
    # The package itself is loaded only when somebody imports ops.
    assert result.stdout.split() == ['False', 'reactops']


@pytest.mark.parametrize('name', ['ops', 'scenario'])
def test_the_finder_ignores_every_other_name(name: str) -> None:
    from reactops._private.opsalias import OpsAliasFinder

    finder = OpsAliasFinder()
    assert finder.find_spec('json') is None
    assert finder.find_spec(f'{name}x') is None
