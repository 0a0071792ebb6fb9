"""The files ``reactops init`` writes, as :class:`string.Template` texts.

Placeholders: ``$name`` (the charm's name, ``hello-web``), ``$module`` (a Python name,
``hello_web``), ``$klass`` (the charm class, ``HelloWebCharm``), ``$title``
(``Hello web``), ``$style`` (``reactive`` or ``ops``) and ``$requirement`` (reactops'
line in requirements.txt, ``reactops>=0.1.0,<0.2``). Kept as Python strings so the
package needs no data files.
"""

from __future__ import annotations

__all__ = ['COMMON', 'OPS', 'REACTIVE']

CHARMCRAFT = """\
# What Juju and charmcraft read about this charm: its name, where it runs, its options.
name: $name
type: charm
title: $title
summary: $title, a machine charm written with reactops ($style style).
description: |
  $title greets with the message of its `greeting` option. Replace this text with
  what the charm operates.
base: ubuntu@24.04
platforms:
  amd64:

parts:
  charm:
    plugin: charm
    # reactops is installed into the charm's venv/, which dispatch puts on PYTHONPATH.
    charm-requirements: [requirements.txt]

config:
  options:
    greeting:
      type: string
      default: hello
      description: What the unit's status says; empty blocks the unit.
"""

DISPATCH = """\
#!/bin/sh
# Juju runs this for every hook and action; JUJU_DISPATCH_PATH says which.
JUJU_DISPATCH_PATH="$${JUJU_DISPATCH_PATH:-$$0}" PYTHONPATH=lib:venv exec ./src/charm.py
"""

REQUIREMENTS = """\
$requirement
"""

GITIGNORE = """\
*.charm
.unit-state.db
.reactops/
__pycache__/
venv/
"""

README = """\
# $title

A machine charm written with [reactops](https://pypi.org/project/reactops/) in the
$style style.

## Develop

```sh
python -m pytest tests           # the unit tests, and the integration tests in a local model
reactops check .                 # lint the flag graph (exit code 1 on errors)
reactops graph . --format svg -o graph.svg   # draw it (needs Graphviz)
reactops run .                   # deploy it into a local model and settle
reactops explain $name/0 HANDLER  # why a handler ran or did not
```

## Build and deploy

```sh
charmcraft pack
juju deploy ./${name}_amd64.charm
```

## Configuration

- `greeting` (string, default `hello`): what the unit's status says; empty blocks it.
"""

REACTIVE_CHARM = '''\
#!/usr/bin/env python3
"""Entry point of $title: the handlers live in reactive/."""

import reactops

if __name__ == '__main__':
    reactops.main()
'''

REACTIVE_HANDLERS = '''\
"""$title's handlers: each runs when its flags say the time has come.

reactops sets the config.* flags: config.set.greeting while the option is not empty,
config.changed.greeting in a hook where it changed.
"""

from reactops import (
    ActiveStatus,
    BlockedStatus,
    MaintenanceStatus,
    current_charm,
    set_flag,
    when,
    when_not,
)


@when_not('$name.installed')
def install() -> None:
    """Install the workload (packages, files, services) once per unit."""
    current_charm().unit.status = MaintenanceStatus('installing')
    set_flag('$name.installed')


@when('$name.installed', 'config.set.greeting')
def greet() -> None:
    """Say the greeting in the unit's status."""
    current_charm().unit.status = ActiveStatus(current_charm().config['greeting'])


@when('$name.installed')
@when_not('config.set.greeting')
def blocked() -> None:
    """Nothing to say: ask the operator for a greeting."""
    current_charm().unit.status = BlockedStatus('set the greeting option')
'''

REACTIVE_TESTS = '''\
"""$title's tests: flags and config in, one hook, flags and status out."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops import ActiveStatus, BlockedStatus
from reactops.testing import Context, State

CHARM_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def ctx() -> Context:
    return Context(CHARM_DIR)


def test_install_greets(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())

    assert out.flags == {'$name.installed': None}
    assert out.unit_status == ActiveStatus('hello')


def test_a_new_greeting(ctx: Context) -> None:
    installed = ctx.run(ctx.on.install(), State())

    out = ctx.run(ctx.on.config_changed(), installed.replace(config={'greeting': 'hi'}))

    assert out.unit_status == ActiveStatus('hi')


def test_an_empty_greeting_blocks(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(), State(config={'greeting': ''}))

    assert out.unit_status == BlockedStatus('set the greeting option')
'''

OPS_CHARM = '''\
#!/usr/bin/env python3
"""$title: a machine charm in the ops style, on reactops' event core."""

from __future__ import annotations

import reactops
from reactops import ActiveStatus, BlockedStatus, MaintenanceStatus


class $klass(reactops.CharmBase):
    """Installs the workload and says the configured greeting in its status."""

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_install(self, event: reactops.InstallEvent) -> None:
        # Install the workload (packages, files, services) here.
        self.unit.status = MaintenanceStatus('installing')

    def _on_config_changed(self, event: reactops.ConfigChangedEvent) -> None:
        greeting = self.config['greeting']
        if greeting:
            self.unit.status = ActiveStatus(greeting)
        else:
            self.unit.status = BlockedStatus('set the greeting option')


if __name__ == '__main__':
    reactops.main($klass)
'''

OPS_TESTS = '''\
"""$title's tests: one event at a time, from a State to a State."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops import ActiveStatus, BlockedStatus, MaintenanceStatus
from reactops.testing import Context, State

CHARM_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def ctx() -> Context:
    # The charm class is found in src/charm.py, its metadata in charmcraft.yaml.
    return Context(CHARM_DIR)


def test_install(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())

    assert out.unit_status == MaintenanceStatus('installing')


def test_config_changed_greets(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(), State(config={'greeting': 'hi'}))

    assert out.unit_status == ActiveStatus('hi')


def test_an_empty_greeting_blocks(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(), State(config={'greeting': ''}))

    assert out.unit_status == BlockedStatus('set the greeting option')
'''

INTEGRATION_TESTS = '''\
"""$title's integration tests: the charm deployed in a model, as Juju runs it.

The juju fixture (from reactops' pytest plugin) is a fresh local model on this machine,
with Jubilant's methods; to run these tests on a real Juju instead, see reactops'
docs/integration-testing.md.
"""

from __future__ import annotations

from pathlib import Path

from reactops.testing import localjuju as jubilant
from reactops.testing.localjuju import LocalJuju

CHARM_DIR = Path(__file__).resolve().parents[2]
APP = '$name'


def test_deployed_it_greets(juju: LocalJuju) -> None:
    juju.deploy(CHARM_DIR, APP)

    status = juju.wait(jubilant.all_active, error=jubilant.any_error, timeout=120)

    assert status.apps[APP].units[f'{APP}/0'].workload_status.message == 'hello'


def test_an_empty_greeting_blocks_until_one_is_set(juju: LocalJuju) -> None:
    juju.deploy(CHARM_DIR, APP)
    juju.wait(jubilant.all_active, timeout=120)

    juju.config(APP, {'greeting': ''})
    juju.wait(jubilant.all_blocked, timeout=120)
    juju.config(APP, {'greeting': 'hi'})
    status = juju.wait(jubilant.all_active, timeout=120)

    assert status.apps[APP].app_status.message == 'hi'
'''

#: Files of every new charm: path -> template (dispatch is made executable).
COMMON = {
    'charmcraft.yaml': CHARMCRAFT,
    'dispatch': DISPATCH,
    'requirements.txt': REQUIREMENTS,
    '.gitignore': GITIGNORE,
    'README.md': README,
    # A package, so that pytest tells its test_charm.py from the unit tests' one.
    'tests/integration/__init__.py': '',
    'tests/integration/test_charm.py': INTEGRATION_TESTS,
}
#: The files of a reactive charm (``$module`` in a path is replaced too).
REACTIVE = {
    'src/charm.py': REACTIVE_CHARM,
    'reactive/$module.py': REACTIVE_HANDLERS,
    'tests/test_charm.py': REACTIVE_TESTS,
}
#: The files of an ops-style charm.
OPS = {
    'src/charm.py': OPS_CHARM,
    'tests/test_charm.py': OPS_TESTS,
}
