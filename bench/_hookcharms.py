"""The small charm of ``bench_hooks.py``, written three ways, and fast fake hook tools.

One charm logic: ``install`` sets a maintenance status; ``config-changed`` reads the
``port`` option and sets an active status naming it; ``update-status`` sets an active
status; ``db-relation-changed`` reads the remote side's ``host``, publishes
``database=bench`` in this unit's bag and sets an active status naming the host.

It is written as an ops-style charm (run on ``ops`` and, with only its import changed, on
reactops) and as a reactive charm with an interface layer for the ``db`` endpoint (run on
charms.reactive through a layer-basic-like ``hooks/<hook>`` script, and with only its
imports changed on reactops through ``src/charm.py``).

The ``builtin`` shape is the reactive charm on reactops' built-in ``pgsql`` layer: it asks
for a database and waits for the server's answer. The pgsql protocol decides readiness
from *every* joined server unit's bag, where the ``benchdb`` layer reads the hook's remote
unit only, so at 50 units it needs 50 ``relation-get`` calls the other shapes do not. Its
like-for-like reference is the ``pgsql`` shape: the same handlers on charms.reactive with
a charm-local ``pgsql`` requires layer that reads the same bags and decides the same way.
For these two shapes the fake server units answer as a PostgreSQL charm would
(``$BENCH_PGSQL``: ``master``, ``database``, ``allowed-units``), so the handlers run to
the end (request, answer read, active status) on every relation-changed.

The hook tools are ``/bin/sh`` scripts, so one call costs about what starting a shell
costs and the benchmark measures the frameworks, not the fakes. Every call appends one
line (the tool's name and arguments) to ``$BENCH_CALLS``; the remote units and their data
come from ``$BENCH_UNITS`` (how many) and ``$BENCH_SEQ`` (changes the data every run, so
each relation-changed carries new data for every framework).
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

__all__ = ['HOOKS', 'MUST_CALL', 'VARIANTS', 'Variant', 'build_tools', 'build_variant',
           'must_call']

METADATA = """\
name: bench
summary: The small charm of reactops' hook benchmark.
description: Installs, reads one option, and uses one database relation.
requires:
  db:
    interface: benchdb
"""

CONFIG = """\
options:
  port:
    type: int
    default: 8080
    description: The port to serve on.
"""

OPS_CHARM = '''\
#!/usr/bin/env python3
"""The bench charm, ops style."""

import {module} as ops


class BenchCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)

    def _on_install(self, event):
        self.unit.status = ops.MaintenanceStatus('installed')

    def _on_config_changed(self, event):
        self.unit.status = ops.ActiveStatus(f'serving on port {{self.config["port"]}}')

    def _on_update_status(self, event):
        self.unit.status = ops.ActiveStatus('ready')

    def _on_db_changed(self, event):
        host = event.relation.data[event.unit].get('host')
        if host:
            event.relation.data[self.unit]['database'] = 'bench'
            self.unit.status = ops.ActiveStatus(f'database at {{host}}')


if __name__ == '__main__':
    ops.main(BenchCharm)
'''

# The reactive charm's handlers; {imports} differs between charms.reactive and reactops.
REACTIVE_HANDLERS = '''\
"""The bench charm, reactive style."""

{imports}


@when_not('bench.installed')
def install():
    {status}('maintenance', 'installed')
    set_flag('bench.installed')


@hook('config-changed')
def configure():
    {status}('active', f'serving on port {{{config}["port"]}}')


@hook('update-status')
def update_status():
    {status}('active', 'ready')


@when('db.available')
def use_db():
    db = endpoint_from_flag('db.available')
    host = db.host()
    if host:
        db.publish('bench')
        {status}('active', f'database at {{host}}')
    clear_flag('db.available')
'''

# The same logic on reactops with its built-in ``pgsql`` interface layer for ``db`` (no
# interface code in the charm): the endpoint class is found among reactops.layers.
BUILTIN_HANDLERS = '''\
"""The bench charm, reactive style, on reactops' built-in pgsql layer."""

from reactops import (ActiveStatus, MaintenanceStatus, WaitingStatus, current_charm,
                      endpoint_from_flag, hook, set_flag, when, when_not)


@when_not('bench.installed')
def install():
    current_charm().unit.status = MaintenanceStatus('installed')
    set_flag('bench.installed')


@hook('config-changed')
def configure():
    port = current_charm().config['port']
    current_charm().unit.status = ActiveStatus(f'serving on port {port}')


@hook('update-status')
def update_status():
    current_charm().unit.status = ActiveStatus('ready')


@when('db.connected')
@when_not('db.master.available')
def request_database():
    endpoint_from_flag('db.connected').set_database('bench')
    current_charm().unit.status = WaitingStatus('waiting for the database')


@when('db.master.available')
def use_db():
    master = endpoint_from_flag('db.master.available').master
    current_charm().unit.status = ActiveStatus(f'database at {master.host}')
'''

# The builtin shape's handlers on charms.reactive (the pgsql shape): the same flags and
# calls as BUILTIN_HANDLERS, with the charm-local layer of PGSQL_REQUIRES.
PGSQL_HANDLERS = '''\
"""The bench charm, reactive style, on a charm-local pgsql layer."""

from charmhelpers.core.hookenv import config, status_set
from charms.reactive import endpoint_from_flag, hook, set_flag, when, when_not


@when_not('bench.installed')
def install():
    status_set('maintenance', 'installed')
    set_flag('bench.installed')


@hook('config-changed')
def configure():
    status_set('active', f'serving on port {config()["port"]}')


@hook('update-status')
def update_status():
    status_set('active', 'ready')


@when('db.connected')
@when_not('db.master.available')
def request_database():
    endpoint_from_flag('db.connected').set_database('bench')
    status_set('waiting', 'waiting for the database')


@when('db.master.available')
def use_db():
    master = endpoint_from_flag('db.master.available').master
    status_set('active', f'database at {master["host"]}')
'''

# The client side of pgsql on charms.reactive, as far as the bench charm uses it: the
# same readiness rule as reactops.layers.pgsql (every answering server unit must name our
# database and allow this unit), so it reads the same bags.
PGSQL_REQUIRES = '''\
"""The requires side of ``pgsql``, as much as the bench charm uses."""

import re

from charms.reactive import Endpoint, toggle_flag

CONNINFO = r"""(\\w+)\\s*=\\s*(?:'((?:\\\\.|[^'\\\\])*)'|(\\S*))(?=\\s|\\Z)"""


class PgsqlRequires(Endpoint):
    def manage_flags(self):
        joined = self.is_joined
        toggle_flag(self.expand_name('{endpoint_name}.connected'), joined)
        toggle_flag(self.expand_name('{endpoint_name}.master.available'),
                    joined and self.master is not None)

    def set_database(self, dbname):
        for relation in self.relations:
            relation.to_publish_raw['database'] = dbname
        self.manage_flags()

    @property
    def master(self):
        for relation in self.relations:
            answering = [unit for unit in relation.joined_units
                         if 'master' in unit.received_raw or 'standbys' in unit.received_raw]
            if not answering or not all(self._ready(relation, u) for u in answering):
                continue
            for unit in answering:
                parts = {key: quoted or plain for key, quoted, plain
                         in re.findall(CONNINFO, unit.received_raw.get('master', ''))}
                if all(parts.get(k) for k in ('host', 'port', 'dbname', 'user', 'password')):
                    return parts
        return None

    def _ready(self, relation, unit):
        theirs, ours = unit.received_raw, relation.to_publish_raw
        allowed = (theirs.get('allowed-units') or '').split()
        return (__import__('os').environ['JUJU_UNIT_NAME'] in allowed
                and all(ours.get(k, '') == theirs.get(k, '')
                        for k in ('database', 'roles', 'extensions')))
'''

INTERFACE_REQUIRES = '''\
"""The requires side of the bench's ``benchdb`` interface."""

{imports}


class BenchDbRequires(Endpoint):
    @when('endpoint.{{endpoint_name}}.changed.host')
    def _host_changed(self):
        clear_flag(self.expand_name('endpoint.{{endpoint_name}}.changed.host'))
        set_flag(self.expand_name('{{endpoint_name}}.available'))

    def host(self):
        """The host the remote unit of this hook published."""
        for relation in self.relations:
            for unit in relation.joined_units:
                if unit.unit_name == {remote_unit}:
                    return unit.received_raw.get('host')
        return None

    def publish(self, database):
        for relation in self.relations:
            relation.to_publish_raw['database'] = database
'''

_CHARMS_REACTIVE_IMPORTS = """\
from charmhelpers.core.hookenv import config, status_set
from charms.reactive import clear_flag, endpoint_from_flag, hook, set_flag, when, when_not"""

_REACTOPS_IMPORTS = """\
from reactops import (ActiveStatus, MaintenanceStatus, clear_flag, current_charm,
                      endpoint_from_flag, hook, set_flag, when, when_not)


def status_set(state, message):
    kind = ActiveStatus if state == 'active' else MaintenanceStatus
    current_charm().unit.status = kind(message)"""

# layer-basic's hooks/<hook>: put lib/ on the path, then run charms.reactive's main().
LAYER_BASIC_HOOK = """\
#!{python}
import sys
sys.path.append('lib')
import charmhelpers.osplatform
charmhelpers.osplatform.get_platform = lambda: 'ubuntu'  # charmhelpers knows Ubuntu only
from charms.reactive import main
main()
"""

REACTOPS_ENTRY = '''\
#!/usr/bin/env python3
"""The bench charm's entry point on reactops (reactive handlers under reactive/)."""

import reactops

if __name__ == '__main__':
    reactops.main()
'''

HOOKS = {
    # label -> (hook name, remote units)
    'install': ('install', 0),
    'config-changed': ('config-changed', 0),
    'update-status': ('update-status', 0),
    'relation-changed 1': ('db-relation-changed', 1),
    'relation-changed 10': ('db-relation-changed', 10),
    'relation-changed 50': ('db-relation-changed', 50),
}

# Hook tools the charm logic itself needs (whatever framework runs it), juju-log aside.
MUST_CALL = {
    'install': ['status-set'],
    'config-changed': ['config-get', 'status-set'],
    'update-status': ['status-set'],
    'db-relation-changed': ['relation-get', 'relation-set', 'status-set'],
}


def must_call(style: str, hook: str, units: int) -> list[str]:
    """The hook tools the *style* of charm needs for *hook* with *units* remote units.

    The pgsql protocol (the builtin and pgsql shapes) needs the joined units
    (``relation-list``) and every one's bag (one ``relation-get`` each) on
    relation-changed; the benchdb charms need the remote unit's bag only.
    """
    if style in ('builtin', 'pgsql') and hook == 'db-relation-changed':
        return ['relation-list', *['relation-get'] * units, 'relation-set', 'status-set']
    return MUST_CALL[hook]

# One /bin/sh script behind every tool name; answers as Juju would for this charm.
TOOL_SCRIPT = r"""#!/bin/sh
tool=${0##*/}
echo "$tool $*" >> "$BENCH_CALLS"
case $tool in
  config-get) echo '{"port": 8080}' ;;
  relation-ids) echo '["db:1"]' ;;
  relation-list)
    i=0; sep=''; printf '['
    while [ $i -lt "${BENCH_UNITS:-0}" ]; do
      printf '%s"db/%s"' "$sep" $i; sep=', '; i=$((i+1))
    done
    echo ']' ;;
  relation-get)
    for last; do :; done
    case $last in
      bench/*) echo '{"private-address": "10.0.0.9", "ingress-address": "10.0.0.9"}' ;;
      *) if [ -n "$BENCH_PGSQL" ]; then  # a PostgreSQL server unit's answer
           printf '{"host": "db-%s.%s.internal", "private-address": "10.1.0.1", ' \
             "$BENCH_SEQ" "${last#db/}"
           printf '"database": "bench", "allowed-units": "bench/0", "master": '
           printf '"dbname=bench host=db-%s.%s.internal password=pw port=5432 user=u"}\n' \
             "$BENCH_SEQ" "${last#db/}"
         else
           printf '{"host": "db-%s.%s.internal", "private-address": "10.1.0.1"}\n' \
             "$BENCH_SEQ" "${last#db/}"
         fi ;;
    esac ;;
  relation-set)
    case "$*" in
      *--help*) echo 'usage: relation-set [--file FILE] key=value ...' ;;
      *--file*) cat >/dev/null ;;
    esac ;;
  is-leader) echo 'false' ;;
  unit-get) echo '"10.0.0.9"' ;;
  network-get)
    echo '{"bind-addresses": [], "ingress-addresses": ["10.0.0.9"],'
    echo ' "egress-subnets": ["10.0.0.9/32"]}' ;;
  goal-state) echo '{"units": {}, "relations": {}}' ;;
  status-get) echo '{"status": "unknown", "message": ""}' ;;
  action-get) echo '{}' ;;
  leader-get) echo '{}' ;;
esac
exit 0
"""
TOOL_NAMES = ('juju-log', 'config-get', 'status-set', 'status-get', 'relation-ids',
              'relation-list', 'relation-get', 'relation-set', 'is-leader', 'unit-get',
              'network-get', 'goal-state', 'action-get', 'leader-get', 'leader-set',
              'open-port', 'close-port', 'opened-ports', 'application-version-set',
              'juju-reboot', 'storage-list', 'storage-get', 'credential-get', 'state-get',
              'state-set', 'state-delete')


class Variant:
    """One way of writing and running the charm: which directory, which command."""

    def __init__(self, key: str, label: str, framework: str, style: str):
        self.key, self.label, self.framework, self.style = key, label, framework, style

    def command(self, charm_dir: Path, hook: str) -> list[str]:
        """The argv Juju's agent would end up running for *hook*."""
        if self.framework == 'charms.reactive':
            return [sys.executable, str(charm_dir / 'hooks' / hook)]
        return [sys.executable, str(charm_dir / 'src' / 'charm.py')]


VARIANTS = (
    Variant('ops', 'ops style on ops', 'ops', 'ops'),
    Variant('reactive', 'reactive on charms.reactive', 'charms.reactive', 'reactive'),
    Variant('reactive-pgsql', 'reactive on charms.reactive, charm-local pgsql layer',
            'charms.reactive', 'pgsql'),
    Variant('reactops-ops', 'ops style on reactops', 'reactops', 'ops'),
    Variant('reactops-reactive', 'reactive on reactops', 'reactops', 'reactive'),
    Variant('reactops-builtin', 'reactive on reactops, built-in pgsql layer', 'reactops',
            'builtin'),
)


def build_tools(bin_dir: Path) -> None:
    """Write the fake tool script and one symlink per tool name into *bin_dir*."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / '_tool'
    script.write_text(TOOL_SCRIPT)
    script.chmod(0o755)
    for name in TOOL_NAMES:
        link = bin_dir / name
        if not link.exists():
            link.symlink_to('_tool')


def build_variant(variant: Variant, charm_dir: Path) -> None:
    """Write the charm of *variant* into *charm_dir*."""
    charm_dir.mkdir(parents=True, exist_ok=True)
    pgsql = variant.style in ('builtin', 'pgsql')
    metadata = METADATA.replace('benchdb', 'pgsql') if pgsql else METADATA
    (charm_dir / 'metadata.yaml').write_text(metadata)
    (charm_dir / 'config.yaml').write_text(CONFIG)
    if variant.style == 'builtin':
        _write(charm_dir / 'src' / 'charm.py', REACTOPS_ENTRY, executable=True)
        _write(charm_dir / 'reactive' / 'bench.py', BUILTIN_HANDLERS)
        return
    if variant.style == 'pgsql':
        hook_source = LAYER_BASIC_HOOK.format(python=sys.executable)
        for hook in {name for name, _ in HOOKS.values()}:
            _write(charm_dir / 'hooks' / hook, hook_source, executable=True)
        _write(charm_dir / 'reactive' / 'bench.py', PGSQL_HANDLERS)
        _write(charm_dir / 'hooks' / 'relations' / 'pgsql' / 'requires.py', PGSQL_REQUIRES)
        (charm_dir / 'hooks' / 'relations' / 'pgsql' / '__init__.py').write_text('')
        (charm_dir / 'hooks' / 'relations' / '__init__.py').write_text('')
        return
    if variant.style == 'ops':
        module = 'ops' if variant.framework == 'ops' else 'reactops'
        _write(charm_dir / 'src' / 'charm.py', OPS_CHARM.format(module=module), executable=True)
        return
    if variant.framework == 'charms.reactive':
        imports, status, config = _CHARMS_REACTIVE_IMPORTS, 'status_set', 'config()'
        remote = "__import__('os').environ.get('JUJU_REMOTE_UNIT')"
        iface_imports = 'from charms.reactive import Endpoint, clear_flag, set_flag, when'
        hook_source = LAYER_BASIC_HOOK.format(python=sys.executable)
        for hook in {name for name, _ in HOOKS.values()}:
            _write(charm_dir / 'hooks' / hook, hook_source, executable=True)
    else:
        imports, status = _REACTOPS_IMPORTS, 'status_set'
        config = 'current_charm().config'
        remote = "__import__('os').environ.get('JUJU_REMOTE_UNIT')"
        iface_imports = 'from reactops import Endpoint, clear_flag, set_flag, when'
        _write(charm_dir / 'src' / 'charm.py', REACTOPS_ENTRY, executable=True)
    _write(charm_dir / 'reactive' / 'bench.py',
           REACTIVE_HANDLERS.format(imports=imports, status=status, config=config))
    _write(charm_dir / 'hooks' / 'relations' / 'benchdb' / 'requires.py',
           INTERFACE_REQUIRES.format(imports=iface_imports, remote_unit=remote))
    (charm_dir / 'hooks' / 'relations' / 'benchdb' / '__init__.py').write_text('')
    (charm_dir / 'hooks' / 'relations' / '__init__.py').write_text('')


def _write(path: Path, text: str, *, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    if executable:
        os.chmod(path, 0o755)
