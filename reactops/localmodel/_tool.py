"""The local model's hook tools: one program, installed under every tool's name.

The tool it plays is ``basename(argv[0])``. It answers from, and writes to, the model's
SQLite file named by ``$REACTOPS_MODEL_DB``. Who is asking is the hook that the token in
``$REACTOPS_HOOK_TOKEN`` was issued to (:func:`issue_hook_token`, valid while that hook
runs), never a variable a hook could set to act as another unit: a ``$JUJU_UNIT_NAME`` that
names another unit is refused. Juju's rules (which bag a unit may read or write, what only
the leader may do) come from ``jujurules``, the rule book every Juju stand-in shares.

It parses argv the way Juju's tools do (``_toolcli``: flags anywhere, ``--`` ends them,
``--format smart|json|yaml``) and fails like them: exit 2 and ``ERROR ...`` for a bad
command line, exit 1 when Juju would refuse.

Relation and leader settings written by a hook are *pending* (in table ``pending``) until
the hook succeeds; the runner then commits them. The writing unit reads its own pending
values, as it would on Juju.

This file is copied into ``<model-dir>/bin`` with ``_toolcli.py`` (:data:`FILES`) and the
rule book (``jujurules.FILES``), and run without ``site``: standard library only, never an
import of reactops (every hook-tool call pays for what it imports).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys

TYPE_CHECKING = False  # typing costs an import on every tool run; only mypy needs it
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from reactops._private import jujurules as rules
    from reactops.localmodel import _toolcli as cli
elif __package__:  # imported as reactops.localmodel._tool
    from .._private import jujurules as rules
    from . import _toolcli as cli
else:  # run from <model-dir>/bin, where install_tools puts copies of FILES
    import _toolcli as cli
    import jujurules as rules

SPECS, TOOLS, UNSUPPORTED, Refused = cli.SPECS, cli.TOOLS, cli.UNSUPPORTED, cli.Refused
parse, render, key_values, no_more, flat_map = (cli.parse, cli.render, cli.key_values,
                                                cli.no_more, cli.flat_map)
STATUSES = ('maintenance', 'blocked', 'waiting', 'active')
PORT = re.compile(r'^(?:(\d+)(?:-(\d+))?(?:/(tcp|udp))?|icmp)$')
LEADER_REL = -1  # the relation id under which pending leader settings are kept
TOKEN_KEY = 'hook-token:'  # meta key prefix: a running hook's token -> "<hook id> <unit>"
#: The files of this program, copied together into ``<model-dir>/bin`` (the rule book's
#: come from ``jujurules.FILES``).
FILES = ('_tool.py', '_toolcli.py', '_toolclient.py')
__all__ = ['FILES', 'TOOLS', 'Caller', 'connect', 'issue_hook_token', 'main', 'revoke_hook_token',
           'run']


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """Open the model file *path* the one way every opener uses (the model's own
    connection, the tool server's, a tool run as a process): autocommit (each statement
    commits, ``BEGIN IMMEDIATE`` groups), a write-ahead log, ``synchronous=NORMAL``.

    Why: ``synchronous`` is a setting of the connection, not of the file, and SQLite's
    default (FULL) syncs the log on every commit: 0.68 ms a write commit against 0.014 ms
    with NORMAL (measured, ext4 on a virtual disk; every tool call that writes commits).
    NORMAL syncs only when the log is copied into the file, and a killed process loses
    nothing (its commits are in the OS's cache). OFF, a larger cache and in-memory temp
    tables were measured too and gain nothing more (the model is a few hundred KB and
    never sorts through temp tables), while OFF could leave the file corrupt after a power
    cut rather than merely short of its last commits; so they are not used.
    """
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute('PRAGMA journal_mode=WAL')  # kept in the file; cheap to ask again
    db.execute('PRAGMA synchronous=NORMAL')
    return db

class Caller:
    """Who runs a tool, as the tool sees it: the hook's environment, its standard input
    (read only when a tool asks for ``--file -``) and its working directory. A tool run as
    a process is its own caller; the model's tool server gets these from the client."""

    def __init__(self, env: Mapping[str, str], cwd: str,
                 read_stdin: Callable[[], str]):
        self.env, self.cwd, self.read_stdin = env, cwd, read_stdin


class Ctx:
    """One tool run: the unit, its hook, the parsed command line and the database."""

    def __init__(self, tool: str, opts: dict[str, Any], args: list[str],
                 db: sqlite3.Connection, caller: Caller):
        self.tool, self.opts, self.args, self.db = tool, opts, args, db
        self.env = caller.env
        self.caller = caller
        self.hook_id, self.unit = hook_identity(db, caller.env)
        self.app = rules.app_of(self.unit)
        row = db.execute('SELECT address FROM units WHERE name=?', (self.unit,)).fetchone()
        if row is None:
            raise Refused(f'unit "{self.unit}" is no longer in the local model')
        self.address = str(row[0])

    def one(self, sql: str, *params: object) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @property
    def leader(self) -> bool:
        return bool(self.one('SELECT leader FROM apps WHERE name=?', self.app) == self.unit)

    def stdin_or_file(self) -> dict[str, str]:
        path = self.opts.get('file')
        if path is None:
            return {}
        try:
            if path == '-':
                text = self.caller.read_stdin()
            else:
                with open(os.path.join(self.caller.cwd, path), encoding='utf-8') as file:
                    text = file.read()
        except OSError as e:
            raise Refused(f'cannot read {path}: {e.strerror}') from None
        return flat_map(text)

    # relations

    def is_peer(self, rel_id: int) -> bool:
        return self.other_app(rel_id) == self.app

    def relation(self, required: bool = True) -> tuple[int, str] | None:
        """(id, this unit's endpoint) of ``-r`` or of the hook's relation."""
        raw = self.opts.get('relation') or self.env.get('JUJU_RELATION_ID')
        if not raw:
            if required:
                raise Refused('no relation id specified', 2)
            return None
        number = rules.relation_number(str(raw))
        if number is None:
            raise Refused(f'invalid value "{raw}" for option -r: invalid relation id', 2)
        row = self.db.execute('SELECT app1, ep1, app2, ep2 FROM relations WHERE id=?',
                              (number,)).fetchone()
        if row is None or self.app not in (row[0], row[2]):
            raise Refused(f'invalid value "{raw}" for option -r: relation not found', 2)
        return number, row[1] if row[0] == self.app else row[3]

    def other_app(self, rel_id: int) -> str:
        app1, app2 = self.db.execute('SELECT app1, app2 FROM relations WHERE id=?',
                                     (rel_id,)).fetchone()
        return str(app2 if app1 == self.app else app1)

    def bag(self, rel_id: int, owner: str) -> dict[str, str] | None:
        """A bag as this unit sees it: its own pending writes first."""
        if owner in (self.unit, self.app) and self.hook_id:
            pending = self.one('SELECT data FROM pending WHERE hook_id=? AND rel_id=? AND '
                               'owner=?', self.hook_id, rel_id, owner)
            if pending is not None:
                return dict(json.loads(pending))
        data = self.one('SELECT data FROM bags WHERE rel_id=? AND owner=?', rel_id, owner)
        return None if data is None else dict(json.loads(data))

    def write_pending(self, rel_id: int, owner: str, values: dict[str, str]) -> None:
        bag = self.bag(rel_id, owner) or {}
        for key, value in values.items():
            if value:
                bag[key] = value
            else:
                bag.pop(key, None)
        self.db.execute('INSERT OR REPLACE INTO pending(hook_id, rel_id, owner, data) '
                        'VALUES (?, ?, ?, ?)', (self.hook_id, rel_id, owner, json.dumps(bag)))


def issue_hook_token(db: sqlite3.Connection, hook_id: int, unit: str) -> str:
    """A fresh secret naming hook *hook_id* of *unit*, for ``$REACTOPS_HOOK_TOKEN``; the
    tools act as *unit* only for a caller that holds it, until :func:`revoke_hook_token`."""
    import secrets  # only the model issues tokens: a tool run never pays for this import

    token = secrets.token_hex(16)
    db.execute('INSERT INTO meta(key, value) VALUES (?, ?)',
               (TOKEN_KEY + token, f'{hook_id} {unit}'))
    return token


def revoke_hook_token(db: sqlite3.Connection, token: str) -> None:
    """End *token*'s validity (its hook has ended)."""
    db.execute('DELETE FROM meta WHERE key=?', (TOKEN_KEY + token,))


def hook_identity(db: sqlite3.Connection, env: Mapping[str, str]) -> tuple[int, str]:
    """(hook id, unit) of the running hook whose token the caller (environment *env*)
    holds."""
    token = env.get('REACTOPS_HOOK_TOKEN', '')
    row = db.execute('SELECT value FROM meta WHERE key=?', (TOKEN_KEY + token,)).fetchone() \
        if token else None
    if row is None:
        raise Refused('not called by a running hook of the local model (REACTOPS_HOOK_TOKEN '
                      'is missing or has expired)')
    ident, _, unit = str(row[0]).partition(' ')
    claimed = env.get('JUJU_UNIT_NAME', unit)
    if claimed != unit:
        raise Refused(f'permission denied: this hook runs as unit "{unit}" and cannot act as '
                      f'"{claimed}" (JUJU_UNIT_NAME)')
    return int(ident), unit


HANDLERS: dict[str, Callable[[Ctx], object]] = {}


def answers(*tools: str) -> Callable[[Callable[[Ctx], object]], Callable[[Ctx], object]]:
    def register(func: Callable[[Ctx], object]) -> Callable[[Ctx], object]:
        for tool in tools:
            HANDLERS[tool] = func
        return func
    return register


@answers('relation-ids')
def relation_ids(c: Ctx) -> object:
    name = c.args[0] if c.args else c.env.get('JUJU_RELATION')
    if not name:
        raise Refused('no endpoint name specified', 2)
    no_more(c.args[1:])
    current = c.env.get('JUJU_RELATION_ID', '').rpartition(':')[2]
    rows = c.db.execute('SELECT id, dying FROM relations WHERE (app1=? AND ep1=?) OR '
                        '(app2=? AND ep2=?) ORDER BY id', (c.app, name, c.app, name))
    return [f'{name}:{i}' for i, dying in rows if not dying or str(i) == current]


@answers('relation-list')
def relation_list(c: Ctx) -> object:
    rel_id, _ = c.relation()  # type: ignore[misc]
    no_more(c.args)
    if c.opts.get('app'):
        return c.other_app(rel_id)
    rows = c.db.execute('SELECT remote FROM members WHERE rel_id=? AND unit=?',
                        (rel_id, c.unit))
    return sorted((r for (r,) in rows), key=unit_order)


def unit_order(name: str) -> tuple[str, int]:
    app, _, n = name.partition('/')
    return app, int(n) if n.isdigit() else 0


@answers('relation-get')
def relation_get(c: Ctx) -> object:
    rel_id, _ = c.relation()  # type: ignore[misc]
    args = list(c.args)
    key = args.pop(0) if args else '-'
    app = bool(c.opts.get('app'))
    if args:
        member = args.pop(0)
    elif c.env.get('JUJU_REMOTE_UNIT') and not app:
        member = c.env['JUJU_REMOTE_UNIT']
    elif c.env.get('JUJU_REMOTE_APP'):
        member, app = c.env['JUJU_REMOTE_APP'], True
    else:
        raise Refused('no unit or application specified', 2)
    no_more(args)
    if app:
        member = rules.app_of(member)
    peer = c.is_peer(rel_id)
    kind = rules.bag_kind(c.unit, member, is_app=app, peer=peer)
    if rules.read_refusal(kind, leader=c.leader, peer=peer):
        raise Refused(f'cannot read settings for {"application" if app else "unit"} '
                      f'"{member}" in relation {rel_id}: permission denied')
    bag = c.bag(rel_id, member)
    if bag is None and member.split('/')[0] in (c.app, c.other_app(rel_id)):
        bag = {}  # a member that has written nothing yet
    if bag is None:
        raise Refused(f'cannot read settings for unit "{member}" in relation {rel_id}: '
                      f'settings not found')
    return bag if key == '-' else bag.get(key)


@answers('relation-set')
def relation_set(c: Ctx) -> object:
    rel_id, _ = c.relation()  # type: ignore[misc]
    values = {**c.stdin_or_file(), **key_values(c.args)}
    app = bool(c.opts.get('app'))
    refusal = rules.leader_refusal('relation-set --app' if app else 'relation-set',
                                   leader=c.leader)
    if refusal:
        raise Refused(refusal)
    c.write_pending(rel_id, c.app if app else c.unit, values)
    return None


@answers('relation-model-get')
def relation_model_get(c: Ctx) -> object:
    c.relation()
    no_more(c.args)
    return {'uuid': c.one("SELECT value FROM meta WHERE key='uuid'")}


@answers('config-get')
def config_get(c: Ctx) -> object:
    config = json.loads(c.one('SELECT config FROM apps WHERE name=?', c.app))
    if c.args:
        no_more(c.args[1:])
        return config.get(c.args[0])
    return config if c.opts.get('all') else {k: v for k, v in config.items() if v is not None}


@answers('is-leader')
def is_leader(c: Ctx) -> object:
    no_more(c.args)
    return c.leader


@answers('leader-get')
def leader_get(c: Ctx) -> object:
    settings = c.bag(LEADER_REL, c.app) or {}
    key = c.args[0] if c.args and c.args[0] != '-' else None
    no_more(c.args[1:])
    return settings if key is None else settings.get(key)


@answers('leader-set')
def leader_set(c: Ctx) -> object:
    refusal = rules.leader_refusal('leader-set', leader=c.leader)
    if refusal:
        raise Refused(refusal)
    c.write_pending(LEADER_REL, c.app, {**c.stdin_or_file(), **key_values(c.args)})
    return None


@answers('status-set')
def status_set(c: Ctx) -> object:
    if not c.args:
        raise Refused('invalid args, require <status> [message]', 2)
    if c.args[0] not in STATUSES:
        raise Refused(f'invalid status "{c.args[0]}", expected one of '
                      f'[{" ".join(STATUSES)}]', 2)
    no_more(c.args[2:])
    message = c.args[1] if len(c.args) > 1 else ''
    if c.opts.get('application'):
        refusal = rules.leader_refusal('status-set --application', leader=c.leader)
        if refusal:
            raise Refused(refusal)
        c.db.execute('UPDATE apps SET status=?, message=? WHERE name=?',
                     (c.args[0], message, c.app))
    else:
        c.db.execute('UPDATE units SET status=?, message=? WHERE name=?',
                     (c.args[0], message, c.unit))
    return None


@answers('status-get')
def status_get(c: Ctx) -> object:
    no_more(c.args)
    include = bool(c.opts.get('include-data'))
    smart = c.opts.get('format', 'smart') == 'smart'

    def details(status: str, message: str) -> dict[str, object]:
        return {'status': status, 'message': message, 'status-data': {}} if include \
            else {'status': status}

    unit = c.db.execute('SELECT status, message FROM units WHERE name=?', (c.unit,)).fetchone()
    if not c.opts.get('application'):
        return unit[0] if smart and not include else details(*unit)
    refusal = rules.leader_refusal('status-get --application', leader=c.leader)
    if refusal:
        raise Refused(refusal)
    app = c.db.execute('SELECT status, message FROM apps WHERE name=?', (c.app,)).fetchone()
    if smart and not include:
        return app[0]
    units = {name: details(s, m) for name, s, m in c.db.execute(
        'SELECT name, status, message FROM units WHERE app=?', (c.app,))}
    return {'application-status': {**details(*app), 'units': units}}


@answers('application-version-set')
def application_version_set(c: Ctx) -> object:
    if not c.args:
        raise Refused('no version specified', 2)
    no_more(c.args[1:])
    c.db.execute('UPDATE apps SET version=? WHERE name=?', (c.args[0], c.app))
    return None


@answers('juju-log')
def juju_log(c: Ctx) -> object:
    if not c.args:
        raise Refused('no message specified', 2)
    level = 'DEBUG' if c.opts.get('debug') else str(c.opts.get('log-level', 'INFO')).upper()
    c.db.execute('INSERT INTO logs(hook_id, unit, level, message) VALUES (?, ?, ?, ?)',
                 (c.hook_id, c.unit, level, ' '.join(c.args)))
    return None


def port_spec(text: str) -> str:
    match = PORT.match(text.lower())
    if not match:
        raise Refused('expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp; '
                      f'got "{text}"', 2)
    start, end, protocol = match.groups()
    if start is None:
        return 'icmp'
    return f'{start}-{end}/{protocol or "tcp"}' if end else f'{start}/{protocol or "tcp"}'


def ports_of(c: Ctx) -> list[str]:
    return list(json.loads(c.one('SELECT ports FROM units WHERE name=?', c.unit)))


@answers('open-port', 'close-port')
def open_port(c: Ctx) -> object:
    if not c.args:
        raise Refused('no port or range specified', 2)
    spec = port_spec(c.args[0])
    no_more(c.args[1:])
    ports = set(ports_of(c))
    ports = ports | {spec} if c.tool == 'open-port' else ports - {spec}
    c.db.execute('UPDATE units SET ports=? WHERE name=?',
                 (json.dumps(sorted(ports, key=port_order)), c.unit))
    return None


def port_order(spec: str) -> tuple[str, int]:
    number, _, protocol = spec.partition('/')
    return protocol, int(number.split('-')[0]) if number != 'icmp' else 0


@answers('opened-ports')
def opened_ports(c: Ctx) -> object:
    no_more(c.args)
    ports = ports_of(c)
    return [f'{p} (*)' for p in ports] if c.opts.get('endpoints') else ports


@answers('unit-get')
def unit_get(c: Ctx) -> object:
    if not c.args or c.args[0] not in ('private-address', 'public-address'):
        raise Refused(f'unknown setting "{c.args[0] if c.args else ""}"', 2)
    no_more(c.args[1:])
    return c.address


@answers('network-get')
def network_get(c: Ctx) -> object:
    if not c.args:
        raise Refused('no arguments specified', 2)
    c.relation(required=False)
    no_more(c.args[1:])
    values = {'bind-address': c.address, 'ingress-address': c.address,
              'egress-subnets': [f'{c.address}/32']}
    keys = [k for k in values if c.opts.get(k)]
    if c.opts.get('primary-address'):
        return c.address
    if keys:
        return values[keys[0]] if len(keys) == 1 else {k: values[k] for k in keys}
    return {'bind-addresses': [{'mac-address': '', 'interface-name': 'lo',
                                'addresses': [{'hostname': '', 'value': c.address,
                                               'cidr': f'{c.address}/32'}]}],
            'egress-subnets': values['egress-subnets'], 'ingress-addresses': [c.address]}


@answers('goal-state')
def goal_state(c: Ctx) -> object:
    no_more(c.args)
    units = {name: {'status': 'active', 'since': ''} for (name,) in c.db.execute(
        'SELECT name FROM units WHERE app=?', (c.app,))}
    return {'units': units, 'relations': {}}


# actions


def action(c: Ctx) -> tuple[int, dict[str, Any]]:
    ident = int(c.env.get('REACTOPS_ACTION_ID') or 0)
    row = c.db.execute('SELECT params, results, logs FROM actions WHERE id=? AND unit=?',
                       (ident, c.unit)).fetchone()
    if row is None:
        raise Refused('not running an action')
    return ident, {'params': json.loads(row[0]), 'results': json.loads(row[1]),
                   'logs': json.loads(row[2])}


@answers('action-get')
def action_get(c: Ctx) -> object:
    value: Any = action(c)[1]['params']
    no_more(c.args[1:])
    for part in c.args[0].split('.') if c.args else ():
        value = value.get(part) if isinstance(value, dict) else None
    return value


@answers('action-set')
def action_set(c: Ctx) -> object:
    ident, act = action(c)
    results = act['results']
    for key, value in key_values(c.args).items():
        *path, last = key.split('.')
        node = results
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    c.db.execute('UPDATE actions SET results=? WHERE id=?', (json.dumps(results), ident))
    return None


@answers('action-log')
def action_log(c: Ctx) -> object:
    ident, act = action(c)
    if not c.args:
        raise Refused('no message specified', 2)
    c.db.execute('UPDATE actions SET logs=? WHERE id=?',
                 (json.dumps([*act['logs'], ' '.join(c.args)]), ident))
    return None


@answers('action-fail')
def action_fail(c: Ctx) -> object:
    ident, _ = action(c)
    no_more(c.args[1:])
    message = c.args[0] if c.args else 'action failed without reason given'
    c.db.execute("UPDATE actions SET status='failed', message=? WHERE id=?", (message, ident))
    return None


# the unit's server-side state


def unit_state(c: Ctx) -> dict[str, str]:
    return dict(json.loads(c.one('SELECT state FROM units WHERE name=?', c.unit)))


@answers('state-get')
def state_get(c: Ctx) -> object:
    values = unit_state(c)
    key = c.args[0] if c.args and c.args[0] != '-' else None
    no_more(c.args[1:])
    if key is not None and key not in values and c.opts.get('strict'):
        raise Refused(f'"{key}" not found')
    return values if key is None else values.get(key)


@answers('state-set', 'state-delete')
def state_set(c: Ctx) -> object:
    values = unit_state(c)
    if c.tool == 'state-delete':
        if not c.args:
            raise Refused('no key specified', 2)
        no_more(c.args[1:])
        values.pop(c.args[0], None)
    else:
        values.update({**c.stdin_or_file(), **key_values(c.args)})
    c.db.execute('UPDATE units SET state=? WHERE name=?', (json.dumps(values), c.unit))
    return None


def run(argv: list[str], caller: Caller, db: sqlite3.Connection | None = None,
        ) -> tuple[int, str, str]:
    """Run the tool named by ``argv[0]`` for *caller*; return (exit status, stdout,
    stderr). The tool opens the model file ``$REACTOPS_MODEL_DB`` unless given *db*
    (the tool server's connection, in autocommit mode)."""
    tool = os.path.basename(argv[0])
    trace = caller.env.get('REACTOPS_TOOL_TRACE')
    if trace:  # a file to append each call's argv to, for debugging a charm's tool use
        with open(os.path.join(caller.cwd, trace), 'a', encoding='utf-8') as f:
            f.write(json.dumps([tool, *argv[1:]]) + '\n')
    if tool in UNSUPPORTED:
        return 1, '', (f'ERROR {tool} is not supported by the reactops local model; '
                       f'test this part of the charm on Juju\n')
    if tool not in SPECS:
        return 2, '', f'ERROR the reactops local model has no hook tool {tool!r}\n'
    own = db is None
    if db is None:
        path = caller.env.get('REACTOPS_MODEL_DB')
        if not path or not os.path.exists(path):
            return 1, '', ('ERROR not in a hook of the reactops local model '
                           '(REACTOPS_MODEL_DB names no model file)\n')
        db = connect(path)
    try:
        db.execute('BEGIN IMMEDIATE')
        try:
            opts, args = parse(tool, argv[1:])
            out = render(HANDLERS[tool](Ctx(tool, opts, args, db, caller)),
                         opts.get('format', 'smart'))
        except BaseException:
            db.execute('ROLLBACK')
            raise
        db.execute('COMMIT')
    except Refused as e:
        err = f'ERROR {e}\n'
        if e.code == 2:
            err += f'Usage: {tool} [options] {SPECS[tool][1]}'.rstrip() + '\n'
        return e.code, '', err
    finally:
        if own:
            db.close()
    return 0, out, ''


def main(argv: list[str]) -> int:
    """Run the tool named by ``argv[0]`` as this process; return its exit status."""
    code, out, err = run(argv, Caller(os.environ, os.getcwd(), sys.stdin.read))
    sys.stderr.write(err)
    sys.stdout.write(out)
    return code


if __name__ == '__main__':
    sys.exit(main(sys.argv))
