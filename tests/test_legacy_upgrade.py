"""In-place upgrade from charms.reactive, from a hand-built state file: the first reactops
hook carries on with the flags, data hashes and memory charms.reactive left.

(``tests/compat/test_compat_upgrade.py`` does the same from a state file that
charms.reactive itself wrote.)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from test_legacy_charm import LegacyUnit

from reactops.legacy._upgrade import MARKER_KEY, map_legacy_keys, relative_handler_id
from reactops.storage import SQLiteStorage

# Where Juju kept the charm on the unit that ran charms.reactive (not where the test runs).
OLD_CHARM = '/var/lib/juju/agents/unit-legacy-built-0/charm'


def _md5_json(value: object) -> str:
    return hashlib.md5(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _charms_reactive_state(charm_dir: Path) -> None:
    """The kv table as charms.reactive left it after install (charmhelpers' layout)."""
    keys = {
        'reactive.states.app.installed': None, 'reactive.states.app.configured': None,
        'reactive.states.app.started': None, 'reactive.states.notify.done': 'notify',
        f'reactive.invoked.{OLD_CHARM}/reactive/legacy_built.py:25:first_run': True,
        'reactive.dispatch.phase': 'other', 'reactive.dispatch.removed_state': True,
        'reactive.state_watch': {'iteration': 0, 'changes': [], 'pending': []},
        'reactive.data_changed.db.host': _md5_json('10.1.1.1'),
        'installed-by': 'legacy-built/0',
    }
    with sqlite3.connect(charm_dir / '.unit-state.db') as db:
        db.execute('CREATE TABLE kv (key TEXT PRIMARY KEY, data TEXT)')
        db.executemany('INSERT INTO kv VALUES (?, ?)',
                       [(k, json.dumps(v)) for k, v in keys.items()])
    (charm_dir / '.unit-state.db').chmod(0o600)
    (charm_dir / '.juju-persistent-config').write_text(json.dumps({'port': 8080, 'motd': ''}))


def test_the_first_reactops_hook_carries_on_from_charms_reactive(tmp_path: Path) -> None:
    unit = LegacyUnit(tmp_path)
    _charms_reactive_state(unit.juju.charm_dir)

    unit.hook('upgrade-charm')
    # Not again: install_hook (@hook install), first_run (@only_once, mapped from the old
    # absolute id), install/configure_port/start (flags set), notify.sh (notify.done).
    assert unit.ran() == ['upgraded', 'start', 'PgsqlRequires._not_joined']
    kv = unit.kv()
    assert kv[MARKER_KEY] is True
    assert kv['reactive.invoked.reactive/legacy_built.py:25:first_run'] is True
    assert not any(k.startswith(('reactive.dispatch.', 'reactive.state_watch',
                                 f'reactive.invoked.{OLD_CHARM}')) for k in kv)
    assert kv['installed-by'] == 'legacy-built/0'
    assert unit.tools('open-port') == []  # config.changed.port: unchanged since last hook

    # hookenv.config().previous() comes from charmhelpers' .juju-persistent-config.
    unit.juju.update(config={'port': 9000, 'motd': ''})
    unit.hook('config-changed')
    assert unit.ran() == ['configure_port', 'PgsqlRequires._not_joined']
    assert unit.tools('close-port') == [['close-port', '8080/tcp']]


def test_mapping_the_keys_of_charms_reactive(tmp_path: Path) -> None:
    storage = SQLiteStorage(':memory:')
    charm = tmp_path / 'charm'
    storage.kv_set(f'reactive.invoked.{charm}/reactive/a.py:3:once', True)
    storage.kv_set('reactive.invoked.reactive/b.py:4:already_relative', True)
    storage.kv_set('reactive.invoked./usr/lib/python3/site.py:1:elsewhere', True)
    storage.kv_set('reactive.files_changed./etc/app.conf', 'hash-1')
    storage.kv_set('reactops.files_seen.reactive/a.py:9:watch_b:/etc/app.conf', 'hash-0')
    storage.kv_set('reactive.flag_set_triggers.x', {'set_flag': ['y']})

    done = map_legacy_keys(storage, charm, [
        ('reactive/a.py:8:watch_a', ['/etc/app.conf', '/etc/never-hashed']),
        ('reactive/a.py:9:watch_b', ['/etc/app.conf'])])

    keys = dict(storage.kv_items())
    assert keys['reactive.invoked.reactive/a.py:3:once'] is True
    assert 'reactive.invoked.reactive/b.py:4:already_relative' in keys
    assert 'reactive.invoked./usr/lib/python3/site.py:1:elsewhere' in keys  # not the charm's
    # Each watcher starts from the hash charms.reactive stored; one it had seen is kept.
    assert keys['reactops.files_seen.reactive/a.py:8:watch_a:/etc/app.conf'] == 'hash-1'
    assert keys['reactops.files_seen.reactive/a.py:9:watch_b:/etc/app.conf'] == 'hash-0'
    assert 'reactops.files_seen.reactive/a.py:8:watch_a:/etc/never-hashed' not in keys
    assert 'reactive.flag_set_triggers.x' not in keys
    assert done['invoked'] == ['reactive/a.py:3:once'] and done['removed'] == 1


def test_handler_ids_found_under_a_moved_charm_directory() -> None:
    charm = Path('/srv/charm')
    assert relative_handler_id('/srv/charm/reactive/x.py:1:f', charm) == 'reactive/x.py:1:f'
    assert relative_handler_id('/old/place/hooks/relations/pg/requires.py:5:g', charm) == \
        'hooks/relations/pg/requires.py:5:g'
    assert relative_handler_id('reactive/x.py:1:f', charm) is None
