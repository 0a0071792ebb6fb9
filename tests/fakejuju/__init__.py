"""Fake Juju hook tools on PATH, answering from a JSON model state and recording every call.

``FakeJuju(root)`` links every hook tool's name in ``root/bin`` to one launcher of
``tool.py`` and writes the model to ``root/state.json``. Put :meth:`FakeJuju.env` in the
environment (the ``fake_juju`` fixture in ``tests/conftest.py`` does) and the code under test
runs the fakes as it would run Juju's tools. The model's shape is described in ``tool.py``."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reactops._private.jujurules import FILES

from .tool import TOOLS

__all__ = ['FakeJuju', 'TOOLS']

_TOOL_SOURCE = Path(__file__).with_name('tool.py')
_RULES_DIR = Path(__file__).resolve().parents[2] / 'reactops' / '_private'
_EXECUTABLE = '_fakejuju_tool'
# Compiled tool.py, shared by every FakeJuju (Python checks it against the source's mtime).
_PYCACHE = Path(tempfile.gettempdir()) / f'fakejuju-pycache-{os.getuid()}'


def default_state(unit: str) -> dict[str, Any]:
    """A model where *unit* was just installed: no relations, nothing set."""
    unknown = {'status': 'unknown', 'message': '', 'data': {}}
    return {
        'unit': unit, 'leader': False, 'model_uuid': '00000000-0000-4000-8000-000000000000',
        'config': {}, 'relations': {}, 'status': {'unit': dict(unknown), 'app': dict(unknown)},
        'status_history': [], 'workload_version': '', 'opened_ports': {}, 'storage': {},
        'storage_added': {}, 'resources': {}, 'networks': {},
        'addresses': {'private-address': '10.0.0.10', 'public-address': '203.0.113.10'},
        'goal_state': {'units': {unit: {'status': 'active'}}, 'relations': {}},
        'credential': None, 'action': None, 'secrets': {}, 'next_secret': 1, 'logs': [],
        'leader_settings': {}, 'charm_state': {}, 'metrics': [], 'reboot': None, 'fail': {},
    }


class FakeJuju:
    """One unit's view of a fake Juju model: hook tools on PATH, a state file, a call log."""

    def __init__(self, root: Path, *, unit: str = 'demo/0', model: str = 'test-model',
                 version: str = '3.6.1', state: Mapping[str, Any] | None = None):
        self.root = Path(root)
        self.bin_dir = self.root / 'bin'
        self.state_path = self.root / 'state.json'
        self.log_path = self.root / 'calls.jsonl'
        self.charm_dir = self.root / 'charm'
        self.unit = unit
        self.model = model
        self.version = version
        for directory in (self.bin_dir, self.charm_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self._install()
        self.set_state({**default_state(unit), **(state or {})})
        self.log_path.write_text('')

    def _install(self) -> None:
        # Every tool name links to one launcher that runs tool.main under this interpreter:
        # faster than "python3" from PATH (a pyenv shim, say), and an imported tool.py is
        # compiled once, into a shared cache even under PYTHONDONTWRITEBYTECODE (a script run
        # directly is compiled on every call). -S: no site-packages, none are needed.
        launcher = self.bin_dir / _EXECUTABLE
        launcher.write_text(
            f'#!{sys.executable} -S\n'
            f'import sys\n'
            f'sys.dont_write_bytecode = False\n'
            f'sys.pycache_prefix = {str(_PYCACHE)!r}\n'
            f'sys.path.insert(0, {str(_TOOL_SOURCE.parent)!r})\n'
            f'sys.path.insert(1, {str(self.bin_dir)!r})\n'
            f'from tool import main\n'
            f'sys.exit(main(sys.argv))\n')
        launcher.chmod(0o755)
        # The rule book tool.py follows; beside the launcher, not the whole reactops package.
        for name in FILES:
            shutil.copyfile(_RULES_DIR / name, self.bin_dir / name)
        for name in TOOLS:
            link = self.bin_dir / name
            if not link.is_symlink():
                link.symlink_to(_EXECUTABLE)

    def env(self, **juju: str) -> dict[str, str]:
        """PATH with the fakes first, the fakes' own variables, and a unit's ``JUJU_*``.

        Keyword arguments add or override ``JUJU_*`` variables:
        ``env(JUJU_DISPATCH_PATH='hooks/install')``. As Juju does, ``JUJU_DISPATCH_PATH``
        and ``JUJU_HOOK_NAME`` are always set (empty when no hook is given; the hook name
        follows a ``hooks/<name>`` dispatch path unless given).
        """
        dispatch_path = juju.get('JUJU_DISPATCH_PATH', '')
        hook_name = dispatch_path[len('hooks/'):] if dispatch_path.startswith('hooks/') else ''
        return {
            'JUJU_DISPATCH_PATH': dispatch_path,
            'JUJU_HOOK_NAME': hook_name,
            'PATH': f'{self.bin_dir}{os.pathsep}{os.environ.get("PATH", os.defpath)}',
            'FAKEJUJU_STATE': str(self.state_path),
            'FAKEJUJU_LOG': str(self.log_path),
            'JUJU_UNIT_NAME': self.unit,
            'JUJU_MODEL_NAME': self.model,
            'JUJU_MODEL_UUID': self.state().get('model_uuid', ''),
            'JUJU_VERSION': self.version,
            'JUJU_CHARM_DIR': str(self.charm_dir),
            'JUJU_AVAILABILITY_ZONE': 'zone-a',
            'JUJU_MACHINE_ID': '0',
            **juju,
        }

    # -- what the tools saw ------------------------------------------------------------

    def calls(self) -> list[dict[str, Any]]:
        """Every tool run so far, in order: ``{"tool", "argv", "stdin"}``."""
        lines = self.log_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line]

    def argvs(self, tool: str | None = None) -> list[list[str]]:
        """The argv of every run (of *tool* only, if given), tool name first."""
        return [c['argv'] for c in self.calls() if tool is None or c['tool'] == tool]

    def clear_calls(self) -> None:
        """Forget the calls so far (the model is kept)."""
        self.log_path.write_text('')

    # -- the model ---------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """The model as the tools left it (read afresh)."""
        result: dict[str, Any] = json.loads(self.state_path.read_text())
        return result

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Replace the whole model."""
        tmp = self.state_path.with_suffix('.new')
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        tmp.replace(self.state_path)

    def update(self, **sections: Any) -> None:
        """Replace top-level parts of the model: ``update(leader=True, config={...})``."""
        self.set_state({**self.state(), **sections})

    def add_relation(self, endpoint: str, relation_id: int, app: str,
                     units: Iterable[str] = (), *, data: Mapping[str, Mapping[str, str]]
                     | None = None, peer: bool = False) -> str:
        """Add a relation to the model and return its key (``db:3``)."""
        key = f'{endpoint}:{relation_id}'
        relations = self.state()['relations']
        relations[key] = {'app': app, 'units': list(units), 'peer': peer,
                          'data': {k: dict(v) for k, v in (data or {}).items()}}
        self.update(relations=relations)
        return key

    def fail(self, tool: str, code: int = 1, stderr: str = 'ERROR injected failure',
             stdout: str = '') -> None:
        """Make *tool* answer exactly this from now on, whatever its arguments."""
        failures = self.state().get('fail', {})
        failures[tool] = {'code': code, 'stderr': stderr, 'stdout': stdout}
        self.update(fail=failures)

    def respond(self, tool: str, stdout: str) -> None:
        """Make *tool* succeed printing *stdout* (e.g. output Juju would never print)."""
        self.fail(tool, code=0, stderr='', stdout=stdout)

    def heal(self, tool: str | None = None) -> None:
        """Undo :meth:`fail`/:meth:`respond` for *tool* (for every tool if None)."""
        failures = self.state().get('fail', {})
        self.update(fail={} if tool is None else
                    {k: v for k, v in failures.items() if k != tool})
