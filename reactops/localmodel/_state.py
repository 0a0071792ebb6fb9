"""The local model's state: one SQLite file holding everything Juju would know.

Applications, units, leadership, config, relations with their members and data bags,
statuses, opened ports, action runs, the pending hook queue and each unit's hook log;
for a Kubernetes charm, its ``oci-image`` resources and each unit's containers.
The hook-tool program (``_tool.py``) reads and writes the same tables directly.

The store is tuned for a throw-away model on a developer's machine, and opened the same
way by every connection (``_tool.connect``): a write-ahead log with ``synchronous=NORMAL``,
so a commit costs no fsync (measured: 0.014 ms a write commit against 0.68 ms with
SQLite's default, which the tool server's connection had). A killed ``reactops`` process
leaves the file whole (a test kills a settle mid-hook and opens the model again); a power
cut may lose the last commits, never mix them. ``synchronous=OFF``, a larger page cache
and in-memory temp tables were measured and gain nothing more here.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReactopsError
from ._tool import connect

__all__ = ['App', 'Container', 'HookRun', 'LocalModelError', 'ModelState', 'Relation', 'Unit',
           'unit_address_data']

SCHEMA_VERSION = '1'
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS apps (
    name TEXT PRIMARY KEY, charm TEXT NOT NULL, config TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unknown', message TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '', leader TEXT, next_unit INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS units (
    name TEXT PRIMARY KEY, app TEXT NOT NULL, seq INTEGER NOT NULL, address TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unknown', message TEXT NOT NULL DEFAULT '',
    error_hook TEXT, ports TEXT NOT NULL DEFAULT '[]', state TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS relations (
    id INTEGER PRIMARY KEY, app1 TEXT NOT NULL, ep1 TEXT NOT NULL, app2 TEXT NOT NULL,
    ep2 TEXT NOT NULL, interface TEXT NOT NULL, dying INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS members (
    rel_id INTEGER NOT NULL, unit TEXT NOT NULL, remote TEXT NOT NULL,
    PRIMARY KEY (rel_id, unit, remote));
CREATE TABLE IF NOT EXISTS bags (
    rel_id INTEGER NOT NULL, owner TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (rel_id, owner));
CREATE TABLE IF NOT EXISTS pending (
    hook_id INTEGER NOT NULL, rel_id INTEGER NOT NULL, owner TEXT NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (hook_id, rel_id, owner));
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, unit TEXT NOT NULL, hook TEXT NOT NULL,
    env TEXT NOT NULL, rel_id INTEGER);
CREATE TABLE IF NOT EXISTS hooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, unit TEXT NOT NULL, hook TEXT NOT NULL,
    seconds REAL, code INTEGER, output TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, hook_id INTEGER NOT NULL, unit TEXT NOT NULL,
    level TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, unit TEXT NOT NULL, name TEXT NOT NULL,
    params TEXT NOT NULL, results TEXT NOT NULL DEFAULT '{}', logs TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'running', message TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS resources (
    app TEXT NOT NULL, name TEXT NOT NULL, image TEXT NOT NULL, PRIMARY KEY (app, name));
CREATE TABLE IF NOT EXISTS containers (
    unit TEXT NOT NULL, name TEXT NOT NULL, resource TEXT NOT NULL, sockets TEXT NOT NULL,
    seen TEXT NOT NULL DEFAULT '', PRIMARY KEY (unit, name));
"""
#: Relation id under which an application's leader settings are kept (never a real id).
LEADER_REL = -1


def unit_address_data(address: str) -> dict[str, str]:
    """The keys Juju writes into a unit's own bag of every relation it enters: the unit's
    address, as the remote units reach it (``private-address``, ``ingress-address``), and
    the subnet its traffic comes from (``egress-subnets``)."""
    return {'private-address': address, 'ingress-address': address,
            'egress-subnets': f'{address}/32'}


class LocalModelError(ReactopsError):
    """The local model cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class App:
    """An application: its charm's source directory, config and application status."""

    name: str
    charm: str
    config: dict[str, Any]
    status: str
    message: str
    version: str
    leader: str | None


@dataclass(frozen=True)
class Unit:
    """A unit: its workload status, and the hook it is stuck on while in error."""

    name: str
    app: str
    address: str
    status: str
    message: str
    error_hook: str | None
    ports: list[str]


@dataclass(frozen=True)
class Relation:
    """A relation between two endpoints (the same app twice for a peer relation)."""

    id: int
    app1: str
    ep1: str
    app2: str
    ep2: str
    interface: str
    dying: bool

    @property
    def is_peer(self) -> bool:
        return self.app1 == self.app2

    def endpoint_of(self, app: str) -> str:
        """This relation's endpoint name on *app*'s side."""
        return self.ep1 if app == self.app1 else self.ep2

    def other(self, app: str) -> str:
        """The application at the other end, seen from *app*."""
        return self.app2 if app == self.app1 else self.app1


@dataclass(frozen=True)
class Container:
    """A workload container of a unit: its image (the ``oci-image`` resource, and what that
    names), the folder its manager's socket is in (``<sockets>/<name>/pebble.socket``, what
    the unit's hooks get as ``REACTOPS_CONTAINERS_DIR``), and the ``last-repeated`` time of
    the last notice seen from its manager."""

    unit: str
    name: str
    resource: str
    image: str
    sockets: str
    seen: str


@dataclass(frozen=True)
class HookRun:
    """One hook (or action) a unit ran, with its exit code and combined output."""

    id: int
    unit: str
    hook: str
    seconds: float | None
    code: int | None
    output: str


class ModelState:
    """The model's SQLite file, opened for the command's lifetime (autocommit: each
    statement commits, :meth:`transaction` groups several)."""

    def __init__(self, path: Path):
        self.path = path
        #: Queue ids of the hooks running now: a change they cannot have seen queues the
        #: same hook again rather than counting on the one in flight.
        self.in_flight: set[int] = set()
        try:
            # A write-ahead log synced at checkpoints only, as every opener of the file
            # (the tool server, a tool process) opens it: see _tool.connect for the
            # measurements behind the choice and what a crash or a kill can cost.
            self.db = connect(path)
            self.db.executescript(_SCHEMA)
            version = self.meta('schema')
        except sqlite3.DatabaseError as e:
            raise LocalModelError(f'{path} is not a reactops local model ({e}); remove it or '
                                  f'choose another --model-dir') from None
        if version is None:
            self.set_meta('schema', SCHEMA_VERSION)
            self.set_meta('uuid', str(uuid.uuid4()))
        elif version != SCHEMA_VERSION:
            raise LocalModelError(f'{path} holds a local model of format {version}, this '
                                  f'reactops reads format {SCHEMA_VERSION}; remove the '
                                  f'directory and run again')

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group statements: all of them or none."""
        self.db.execute('BEGIN IMMEDIATE')
        try:
            yield
        except BaseException:
            self.db.execute('ROLLBACK')
            raise
        self.db.execute('COMMIT')

    def one(self, sql: str, *params: object) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def meta(self, key: str) -> str | None:
        value = self.one('SELECT value FROM meta WHERE key=?', key)
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute('INSERT OR REPLACE INTO meta VALUES (?, ?)', (key, value))

    # applications and units

    def apps(self) -> list[App]:
        rows = self.db.execute('SELECT name, charm, config, status, message, version, leader '
                               'FROM apps ORDER BY name')
        return [App(n, c, json.loads(cfg), s, m, v, ld) for n, c, cfg, s, m, v, ld in rows]

    def app(self, name: str) -> App:
        for app in self.apps():
            if app.name == name:
                return app
        known = ', '.join(a.name for a in self.apps()) or 'none'
        raise LocalModelError(f'no application {name!r} in the local model (applications: '
                              f'{known}); deploy it with "reactops run"')

    def add_app(self, name: str, charm: str, config: dict[str, Any]) -> None:
        self.db.execute('INSERT INTO apps(name, charm, config) VALUES (?, ?, ?)',
                        (name, charm, json.dumps(config)))

    def set_config(self, app: str, config: dict[str, Any]) -> None:
        self.db.execute('UPDATE apps SET config=? WHERE name=?', (json.dumps(config), app))

    def new_unit(self, app: str) -> str:
        """Add the next unit of *app*; the first unit ever added becomes the leader."""
        number = int(self.one('SELECT next_unit FROM apps WHERE name=?', app))
        seq = int(self.meta('units_ever') or 0)  # addresses are never reused
        self.set_meta('units_ever', str(seq + 1))
        name = f'{app}/{number}'
        address = f'10.{1 + seq // 250}.0.{1 + seq % 250}'
        self.db.execute('INSERT INTO units(name, app, seq, address) VALUES (?, ?, ?, ?)',
                        (name, app, seq, address))
        self.db.execute('UPDATE apps SET next_unit=?, leader=COALESCE(leader, ?) WHERE name=?',
                        (number + 1, name, app))
        return name

    def units(self, app: str | None = None) -> list[Unit]:
        rows = self.db.execute(
            'SELECT name, app, address, status, message, error_hook, ports FROM units '
            'WHERE ?1 IS NULL OR app=?1 ORDER BY app, seq', (app,))
        return [Unit(n, a, ad, s, m, e, json.loads(p)) for n, a, ad, s, m, e, p in rows]

    def unit(self, name: str) -> Unit:
        for unit in self.units():
            if unit.name == name:
                return unit
        known = ', '.join(u.name for u in self.units()) or 'none'
        raise LocalModelError(f'no unit {name!r} in the local model (units: {known})')

    def set_error(self, unit: str, hook: str | None) -> None:
        self.db.execute('UPDATE units SET error_hook=? WHERE name=?', (hook, unit))

    # Kubernetes charms: images and containers

    def set_images(self, app: str, images: dict[str, str]) -> None:
        """Record what each ``oci-image`` resource of *app* names."""
        self.db.executemany('INSERT OR REPLACE INTO resources VALUES (?, ?, ?)',
                            [(app, name, image) for name, image in images.items()])

    def add_container(self, unit: str, name: str, resource: str, sockets: str) -> None:
        self.db.execute('INSERT INTO containers(unit, name, resource, sockets) '
                        'VALUES (?, ?, ?, ?)', (unit, name, resource, sockets))

    def containers(self, unit: str | None = None) -> list[Container]:
        """The containers of *unit* (of every unit when None), by unit and name."""
        rows = self.db.execute(
            "SELECT c.unit, c.name, c.resource, COALESCE(r.image, ''), c.sockets, c.seen "
            'FROM containers c JOIN units u ON u.name=c.unit '
            'LEFT JOIN resources r ON r.app=u.app AND r.name=c.resource '
            'WHERE ?1 IS NULL OR c.unit=?1 ORDER BY u.app, u.seq, c.name', (unit,))
        return [Container(*row) for row in rows]

    def set_seen(self, unit: str, name: str, seen: str) -> None:
        self.db.execute('UPDATE containers SET seen=? WHERE unit=? AND name=?',
                        (seen, unit, name))

    # relations

    def relations(self, app: str | None = None) -> list[Relation]:
        rows = self.db.execute(
            'SELECT id, app1, ep1, app2, ep2, interface, dying FROM relations '
            'WHERE ?1 IS NULL OR app1=?1 OR app2=?1 ORDER BY id', (app,))
        return [Relation(i, a1, e1, a2, e2, f, bool(d)) for i, a1, e1, a2, e2, f, d in rows]

    def add_relation(self, app1: str, ep1: str, app2: str, ep2: str, interface: str) -> int:
        next_id = int(self.meta('next_relation') or 0)
        self.set_meta('next_relation', str(next_id + 1))
        self.db.execute('INSERT INTO relations VALUES (?, ?, ?, ?, ?, ?, 0)',
                        (next_id, app1, ep1, app2, ep2, interface))
        return next_id

    def mark_dying(self, rel_id: int) -> None:
        self.db.execute('UPDATE relations SET dying=1 WHERE id=?', (rel_id,))

    def drop_relation(self, rel_id: int) -> None:
        for table, column in (('relations', 'id'), ('members', 'rel_id'), ('bags', 'rel_id')):
            self.db.execute(f'DELETE FROM {table} WHERE {column}=?', (rel_id,))

    def members(self, rel_id: int, unit: str) -> list[str]:
        rows = self.db.execute('SELECT remote FROM members WHERE rel_id=? AND unit=? '
                               'ORDER BY remote', (rel_id, unit))
        return [r for (r,) in rows]

    def set_member(self, rel_id: int, unit: str, remote: str, joined: bool) -> None:
        if joined:
            self.db.execute('INSERT OR IGNORE INTO members VALUES (?, ?, ?)',
                            (rel_id, unit, remote))
        else:
            self.db.execute('DELETE FROM members WHERE rel_id=? AND unit=? AND remote=?',
                            (rel_id, unit, remote))

    def bag(self, rel_id: int, owner: str) -> dict[str, str]:
        data = self.one('SELECT data FROM bags WHERE rel_id=? AND owner=?', rel_id, owner)
        return {} if data is None else dict(json.loads(data))

    def seed_unit_bag(self, rel_id: int, unit: str) -> None:
        """Put into *unit*'s bag of the relation what Juju puts there when the unit enters
        it (:func:`unit_address_data`); keys the bag already has keep their values."""
        address = str(self.one('SELECT address FROM units WHERE name=?', unit))
        self.set_bag(rel_id, unit, {**unit_address_data(address), **self.bag(rel_id, unit)})

    def ensure_bag(self, rel_id: int, owner: str) -> None:
        self.db.execute('INSERT OR IGNORE INTO bags VALUES (?, ?, ?)', (rel_id, owner, '{}'))

    def take_pending(self, hook_id: int) -> list[tuple[int, str, dict[str, str]]]:
        """The bags a hook wrote, as (relation id, owner, new content); forgets them."""
        rows = self.db.execute('SELECT rel_id, owner, data FROM pending WHERE hook_id=?',
                               (hook_id,)).fetchall()
        self.db.execute('DELETE FROM pending WHERE hook_id=?', (hook_id,))
        return [(r, o, dict(json.loads(d))) for r, o, d in rows]

    def set_bag(self, rel_id: int, owner: str, data: dict[str, str]) -> None:
        self.db.execute('INSERT OR REPLACE INTO bags VALUES (?, ?, ?)',
                        (rel_id, owner, json.dumps(data, sort_keys=True)))

    # the hook queue

    def enqueue(self, unit: str, hook: str, env: dict[str, str] | None = None,
                rel_id: int | None = None) -> None:
        """Queue *hook* for *unit*, unless the same hook with the same context waits."""
        text = json.dumps(env or {}, sort_keys=True)
        waiting = {ident for (ident,) in self.db.execute(
            'SELECT id FROM queue WHERE unit=? AND hook=? AND env=?', (unit, hook, text))}
        if not waiting - self.in_flight:
            self.db.execute('INSERT INTO queue(unit, hook, env, rel_id) VALUES (?, ?, ?, ?)',
                            (unit, hook, text, rel_id))

    def queued_for_relation(self, rel_id: int) -> int:
        return int(self.one('SELECT COUNT(*) FROM queue WHERE rel_id=?', rel_id))

    def next_hook(self, skip_units: set[str]) -> tuple[int, str, str, dict[str, str]] | None:
        """The oldest queued hook of a unit not in *skip_units*."""
        for ident, unit, hook, env in self.db.execute(
                'SELECT id, unit, hook, env FROM queue ORDER BY id').fetchall():
            if unit not in skip_units:
                return int(ident), unit, hook, dict(json.loads(env))
        return None

    def dequeue(self, ident: int) -> None:
        self.db.execute('DELETE FROM queue WHERE id=?', (ident,))

    def queued(self, unit: str | None = None) -> int:
        return int(self.one('SELECT COUNT(*) FROM queue WHERE ?1 IS NULL OR unit=?1', unit))

    # hook log, juju-log lines, actions

    def start_hook(self, unit: str, hook: str) -> int:
        cursor = self.db.execute('INSERT INTO hooks(unit, hook) VALUES (?, ?)', (unit, hook))
        return int(cursor.lastrowid or 0)

    def finish_hook(self, hook_id: int, seconds: float, code: int, output: str) -> None:
        self.db.execute('UPDATE hooks SET seconds=?, code=?, output=? WHERE id=?',
                        (seconds, code, output, hook_id))

    def hook_runs(self, unit: str) -> list[HookRun]:
        rows = self.db.execute('SELECT id, unit, hook, seconds, code, output FROM hooks '
                               'WHERE unit=? ORDER BY id', (unit,))
        return [HookRun(*row) for row in rows]

    def logs(self, hook_id: int) -> list[tuple[str, str]]:
        return [(str(level), str(message)) for level, message in self.db.execute(
            'SELECT level, message FROM logs WHERE hook_id=? ORDER BY id', (hook_id,))]

    def start_action(self, unit: str, name: str, params: dict[str, Any]) -> int:
        cursor = self.db.execute('INSERT INTO actions(unit, name, params) VALUES (?, ?, ?)',
                                 (unit, name, json.dumps(params)))
        return int(cursor.lastrowid or 0)

    def action(self, ident: int) -> dict[str, Any]:
        row = self.db.execute('SELECT unit, name, params, results, logs, status, message '
                              'FROM actions WHERE id=?', (ident,)).fetchone()
        unit, name, params, results, logs, status, message = row
        return {'id': ident, 'unit': unit, 'action': name, 'params': json.loads(params),
                'results': json.loads(results), 'log': json.loads(logs), 'status': status,
                'message': message}

    def finish_action(self, ident: int, succeeded: bool, reason: str = '') -> None:
        """Close an action run; a failed one keeps its ``action-fail`` message, else gets
        *reason*."""
        self.db.execute("UPDATE actions SET status=CASE WHEN status='running' AND ? THEN "
                        "'completed' ELSE 'failed' END, message=CASE WHEN ? OR message!='' "
                        "THEN message ELSE ? END WHERE id=?",
                        (succeeded, succeeded, reason, ident))

    def failure(self, hook_id: int) -> str:
        """Why a hook failed, in one line: its exit status and its output's last line
        (for a Python charm, the exception)."""
        code, output = self.db.execute('SELECT code, output FROM hooks WHERE id=?',
                                       (hook_id,)).fetchone()
        last = next((line.strip() for line in reversed(str(output).splitlines())
                     if line.strip()), '')
        if len(last) > 300:
            last = f'{last[:300]}... (cut; the log has all of it)'
        return f'exit status {code}' + (f': {last}' if last else '')
