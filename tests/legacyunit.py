"""A built legacy charm on one fake unit, run as Juju runs it: every hook and action is a
real process of the charm's ``dispatch`` (which calls ``reactops.legacy.main()``), with the
fake hook tools of ``tests/fakejuju`` and fake package tools (``apt-get``, ``apt-mark``,
``dpkg-query``) first on ``PATH``."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from fakejuju import FakeJuju

REPO = Path(__file__).resolve().parents[1]
CHARMS = Path(__file__).resolve().parent / 'charms'

# One script plays every package tool (by its name), keeping what is installed in a JSON
# file and appending each argv to a log; a package listed in $FAKEAPT_FAILING fails to
# install (exit status 1 and apt-get's message).
_PACKAGE_TOOL = """\
import json, os, sys
tool = os.path.basename(sys.argv[0])
root = os.environ['FAKEAPT_ROOT']
with open(os.path.join(root, 'calls.jsonl'), 'a') as log:
    log.write(json.dumps([tool] + sys.argv[1:]) + '\\n')
path = os.path.join(root, 'installed.json')
installed = []
if os.path.exists(path):
    with open(path) as f:
        installed = json.load(f)
args = [a for a in sys.argv[1:] if not a.startswith('-')]
if tool == 'apt-get' and args[:1] == ['install']:
    failing = set(os.environ.get('FAKEAPT_FAILING', '').split()) & set(args[1:])
    if failing:
        sys.exit('E: Unable to locate package %s' % sorted(failing)[0])
    with open(path, 'w') as f:
        json.dump(sorted(set(installed) | set(args[1:])), f)
elif tool == 'dpkg-query' and args:
    if args[0] not in installed:
        sys.exit('dpkg-query: no packages found matching %s' % args[0])
    print('2.4.1-0ubuntu3')
elif tool == 'dpkg-query':
    print('\\n'.join(installed))
"""
PACKAGE_TOOLS = ('apt-get', 'apt-mark', 'dpkg-query', 'add-apt-repository')


class PackageTools:
    """Fake package tools in ``root``: what ran, and what is installed."""

    def __init__(self, root: Path):
        self.root = root
        self.bin_dir = root / 'bin'
        self.bin_dir.mkdir(parents=True, exist_ok=True)
        script = self.bin_dir / '_fakeapt'
        script.write_text(f'#!{sys.executable} -S\n{_PACKAGE_TOOL}')
        script.chmod(0o755)
        for name in PACKAGE_TOOLS:
            if not (self.bin_dir / name).is_symlink():
                (self.bin_dir / name).symlink_to('_fakeapt')
        (root / 'calls.jsonl').write_text('')

    def env(self) -> dict[str, str]:
        return {'FAKEAPT_ROOT': str(self.root)}

    def calls(self, tool: str | None = None) -> list[list[str]]:
        lines = (self.root / 'calls.jsonl').read_text().splitlines()
        return [argv for argv in map(json.loads, lines) if tool is None or argv[0] == tool]

    def installed(self) -> list[str]:
        path = self.root / 'installed.json'
        return json.loads(path.read_text()) if path.exists() else []

    def remove(self, package: str) -> None:
        """Take *package* away behind the charm's back."""
        (self.root / 'installed.json').write_text(
            json.dumps([p for p in self.installed() if p != package]))


class LegacyUnit:
    """A copy of the built charm *charm* (a directory under ``tests/charms``) on a unit."""

    def __init__(self, root: Path, charm: str, *, unit: str,
                 config: Mapping[str, Any] | None = None):
        """The unit's config is the charm's defaults, updated with *config*."""
        values = {name: option.get('default') for name, option in yaml.safe_load(
            (CHARMS / charm / 'config.yaml').read_text())['options'].items()}
        values.update(config or {})
        self.juju = FakeJuju(root / 'juju', unit=unit, state={'config': values})
        shutil.copytree(CHARMS / charm, self.juju.charm_dir, dirs_exist_ok=True)
        self.root = root
        self.unit = unit
        self.packages = PackageTools(root / 'apt')
        self.extra_env: dict[str, str] = {}
        self.last: subprocess.CompletedProcess[str] | None = None

    def copy_to(self, root: Path) -> LegacyUnit:
        """A unit in *root* just as this one is now: charm files and state file, model,
        installed packages (a test starts from a state reached once per module)."""
        shutil.copytree(self.root, root, symlinks=True)
        twin = object.__new__(LegacyUnit)
        twin.juju = FakeJuju(root / 'juju', unit=self.unit, state=self.juju.state())
        twin.root, twin.unit = root, self.unit
        twin.packages = PackageTools(root / 'apt')
        twin.extra_env = dict(self.extra_env)
        twin.last = None
        return twin

    @property
    def charm_dir(self) -> Path:
        return self.juju.charm_dir

    def run(self, dispatch_path: str, *, ok: bool = True, program: Path | None = None,
            **env: str) -> subprocess.CompletedProcess[str]:
        """Run the charm's ``dispatch`` (or *program*, as a Juju without ``dispatch`` runs
        a hook or action file itself) for *dispatch_path* (``hooks/x``, ``actions/y``)."""
        self.juju.clear_calls()
        environ = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
        environ.update(self.juju.env(JUJU_DISPATCH_PATH=dispatch_path, **env))
        environ['PATH'] = f'{self.packages.bin_dir}{os.pathsep}{environ["PATH"]}'
        environ.update(self.packages.env())
        environ.update(self.extra_env)
        environ['PYTHONPATH'] = str(REPO)
        self.last = subprocess.run([sys.executable, str(program or self.charm_dir / 'dispatch')],
                                   env=environ, capture_output=True, text=True,
                                   cwd=self.charm_dir, timeout=60)
        if ok:
            assert self.last.returncode == 0, self.last.stderr
        return self.last

    def hook(self, name: str, *, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run(f'hooks/{name}', ok=ok, **env)

    def relation_hook(self, hook: str, relation: str, unit: str, **env: str) -> None:
        endpoint = relation.split(':')[0]
        self.hook(f'{endpoint}-relation-{hook}', JUJU_RELATION=endpoint,
                  JUJU_RELATION_ID=relation, JUJU_REMOTE_UNIT=unit,
                  JUJU_REMOTE_APP=unit.split('/')[0], **env)

    def action(self, name: str, params: Mapping[str, Any], *, ok: bool = True,
               direct: bool = False) -> dict[str, Any]:
        """Run action *name* (*direct*: its file itself, as a Juju without ``dispatch``
        does); return what Juju recorded (results, failed, message)."""
        self.juju.update(action={'params': dict(params), 'results': {}, 'logs': []})
        program = self.charm_dir / 'actions' / name if direct else None
        self.run(f'actions/{name}', ok=ok, program=program, JUJU_ACTION_NAME=name,
                 JUJU_ACTION_UUID='0d1c9d5e-5d2b-4a4e-9f3e-2c1d9a7b8e01')
        record: dict[str, Any] = self.juju.state()['action']
        return record

    # -- what Juju and the state file hold -------------------------------------------------

    def kv(self) -> dict[str, Any]:
        """The unit's committed kv table (empty before a first successful hook)."""
        path = self.charm_dir / '.unit-state.db'
        if not path.exists():
            return {}
        with sqlite3.connect(path) as db:
            if not db.execute("SELECT name FROM sqlite_master WHERE name='kv'").fetchone():
                return {}
            return {k: json.loads(v) for k, v in db.execute('SELECT key, data FROM kv')}

    def flags(self) -> list[str]:
        return sorted(k[len('reactive.states.'):] for k in self.kv()
                      if k.startswith('reactive.states.'))

    def statuses(self) -> list[tuple[str, str]]:
        """Every ``status-set`` of the last run, in order."""
        return [(argv[-2], argv[-1]) for argv in self.juju.argvs('status-set')]

    def status(self) -> tuple[str, str]:
        unit = self.juju.state()['status']['unit']
        return unit['status'], unit['message']

    def bag(self, relation: str, owner: str | None = None) -> dict[str, str]:
        data: dict[str, str] = self.juju.state()['relations'][relation]['data'].get(
            owner or self.unit, {})
        return data
