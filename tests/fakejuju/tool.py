#!/usr/bin/env python3
"""A fake of every Juju hook tool, for tests: one script, installed under each tool's name.

The tool it plays is ``basename(argv[0])``. Each run appends one JSON line
``{"tool": ..., "argv": [tool, ...], "stdin": ...}`` to the file named by ``$FAKEJUJU_LOG``
(``stdin`` is ``null`` unless the tool read it), then answers like Juju from the JSON model
in ``$FAKEJUJU_STATE``, writing it back atomically when the tool changes something.

Like Juju's tools it parses flags anywhere on the line (``--`` ends them), rejects unknown
flags and bad arguments with exit status 2 and an ``ERROR ...`` line on stderr, and fails
with status 1 when Juju would refuse the request. ``state["fail"][tool] = {"code": 1,
"stderr": "ERROR boom", "stdout": ""}`` makes a tool answer that instead, whatever its
arguments; ``FAKEJUJU_FAULT_AT``, ``FAKEJUJU_KILL_AT`` and ``FAKEJUJU_PAUSE_AT`` fail, kill
or pause the Nth call of a hook (see :func:`injected`). Differences from Juju, on purpose:
changes apply at once (Juju commits them when the hook ends), and secrets have no ownership
or permission checks. Who may read and write which bag and what only the leader may do come
from ``reactops/_private/jujurules.py``, the rule book every Juju stand-in of the project
shares (a copy sits beside the launcher; imported in place when this is a package module).

The model (every key optional; ``tests/fakejuju/__init__.py`` writes a full one)::

    unit: "demo/0"                 leader: true          config: {"port": 8080}
    relations: {"db:3": {"app": "pg", "units": ["pg/0"], "model_uuid": "...",
                         "data": {"pg/0": {..}, "pg": {..}, "demo/0": {..}, "demo": {..}}}}
    status: {"unit": {"status", "message", "data"}, "app": {...}}   status_history: [...]
    workload_version   opened_ports: {"80/tcp": ["*"]}   storage: {"data/0": {"kind",
    "location"}}   storage_added: {"data": 1}   resources: {"name": "/path"}
    networks: {binding: <network-get output>}   addresses: {"private-address": ...}
    goal_state   credential   action: {"params", "results", "logs", "failed", "message"}
    secrets: {"secret:ID": {"owner", "label", "description", "expire", "rotate",
                            "revisions": {"1": {key: value}}, "tracked", "grants"}}
    logs: [{"level", "message"}]   leader_settings   charm_state   metrics   reboot
    model_uuid   fail
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sys

TYPE_CHECKING = False  # typing costs an import on every tool run; only the type checker needs it
if TYPE_CHECKING or __package__:
    from reactops._private import jujurules as rules
else:
    try:  # run by the launcher without site: the copy FakeJuju puts beside it
        import jujurules as rules
    except ImportError:  # run as a script from the source tree: the rule book by its path
        import importlib.util

        for _name in ('jujunames', 'jujurules'):
            _spec = importlib.util.spec_from_file_location(_name, os.path.join(
                os.path.dirname(os.path.realpath(__file__)), '..', '..', 'reactops',
                '_private', f'{_name}.py'))
            assert _spec is not None and _spec.loader is not None
            sys.modules[_name] = _module = importlib.util.module_from_spec(_spec)
            _spec.loader.exec_module(_module)
        import jujurules as rules
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

BOOL_WORDS = {'1': True, 't': True, 'T': True, 'true': True, 'TRUE': True, 'True': True,
              '0': False, 'f': False, 'F': False, 'false': False, 'FALSE': False,
              'False': False}
FORMATS = ('smart', 'json', 'yaml')
STATUSES = ('maintenance', 'blocked', 'waiting', 'active')
ROTATE_POLICIES = ('never', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly')
SECRET_KEY = rules.SECRET_KEY
ACTION_KEY = rules.ACTION_KEY
RESERVED_RESULT_KEYS = ('stdout', 'stdout-encoding', 'stderr', 'stderr-encoding')
PORT_SPEC = re.compile(r'^(?:(\d+)(?:-(\d+))?(?:/(tcp|udp))?|icmp)$')
DURATION = re.compile(r'^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$')
TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$')


class Refused(Exception):
    """Juju refused the request: exit status 1 (2 when *usage* is set: bad command line)."""

    def __init__(self, message: str, *, code: int = 1, usage: bool = False):
        super().__init__(message)
        self.code = code
        self.usage = usage


def bad(message: str, usage: bool = False) -> Refused:
    return Refused(message, code=2, usage=usage)


# -- the command line ------------------------------------------------------------------

# Per tool: flag name -> 'bool' or 'value' (aliases share a key after the colon), and the
# positional arguments for the usage line.
F = 'format'
SPECS: dict[str, tuple[dict[str, str], str]] = {
    'action-fail': ({}, '["<failure message>"]'),
    'action-get': ({F: 'value'}, '[<key>[.<key>...]]'),
    'action-log': ({}, '<message>'),
    'action-set': ({}, '<key>=<value> [<key>=<value> ...]'),
    'add-metric': ({'l': 'value:labels', 'labels': 'value'}, 'key1=value1 [key2=value2 ...]'),
    'application-version-set': ({}, '<new-version>'),
    'close-port': ({F: 'value', 'endpoints': 'value'}, '<port>[/<protocol>] or icmp'),
    'config-get': ({F: 'value', 'a': 'bool:all', 'all': 'bool'}, '[<key>]'),
    'credential-get': ({F: 'value'}, ''),
    'goal-state': ({F: 'value'}, ''),
    'is-leader': ({F: 'value'}, ''),
    'juju-log': ({F: 'value', 'debug': 'bool', 'l': 'value:log-level', 'log-level': 'value'},
                 '<message>'),
    'juju-reboot': ({'now': 'bool'}, ''),
    'leader-get': ({F: 'value'}, '[<key>]'),
    'leader-set': ({}, '<key>=<value> [...]'),
    'network-get': ({F: 'value', 'r': 'value:relation', 'relation': 'value',
                     'primary-address': 'bool', 'bind-address': 'bool',
                     'ingress-address': 'bool', 'egress-subnets': 'bool'}, '<binding-name>'),
    'open-port': ({F: 'value', 'endpoints': 'value'}, '<port>[/<protocol>] or icmp'),
    'opened-ports': ({F: 'value', 'endpoints': 'bool'}, ''),
    'relation-get': ({F: 'value', 'r': 'value:relation', 'relation': 'value', 'app': 'bool'},
                     '<key> <unit id>'),
    'relation-ids': ({F: 'value'}, '<name>'),
    'relation-list': ({F: 'value', 'r': 'value:relation', 'relation': 'value',
                       'app': 'bool'}, ''),
    'relation-model-get': ({F: 'value', 'r': 'value:relation', 'relation': 'value'}, ''),
    'relation-set': ({F: 'value', 'r': 'value:relation', 'relation': 'value', 'app': 'bool',
                      'file': 'value'}, 'key=value [key=value ...]'),
    'resource-get': ({}, '<resource name>'),
    'secret-add': ({'expire': 'value', 'rotate': 'value', 'description': 'value',
                    'label': 'value', 'file': 'value', 'owner': 'value'},
                   '[key[#base64|#file]=value...]'),
    'secret-get': ({F: 'value', 'label': 'value', 'peek': 'bool', 'refresh': 'bool'},
                   '<ID> [key[#base64]]'),
    'secret-grant': ({'unit': 'value', 'r': 'value:relation', 'relation': 'value'}, '<ID>'),
    'secret-ids': ({F: 'value'}, ''),
    'secret-info-get': ({F: 'value', 'label': 'value'}, '<ID>'),
    'secret-remove': ({'revision': 'value'}, '<ID>'),
    'secret-revoke': ({'app': 'value', 'application': 'value:app', 'unit': 'value',
                       'r': 'value:relation', 'relation': 'value'}, '<ID>'),
    'secret-set': ({'expire': 'value', 'rotate': 'value', 'description': 'value',
                    'label': 'value', 'file': 'value', 'owner': 'value'},
                   '<ID> [key[#base64]=value...]'),
    'state-delete': ({}, '<key>'),
    'state-get': ({F: 'value', 'strict': 'bool'}, '[<key>]'),
    'state-set': ({'file': 'value'}, 'key=value [key=value ...]'),
    'status-get': ({F: 'value', 'include-data': 'bool', 'application': 'bool'},
                   '[--include-data] [--application]'),
    'status-set': ({'application': 'bool'}, '<maintenance | blocked | waiting | active> '
                   '[message]'),
    'storage-add': ({}, '<charm storage name>[=count] ...'),
    'storage-get': ({F: 'value', 's': 'value'}, '[<key>]'),
    'storage-list': ({F: 'value'}, '[<storage-name>]'),
    'unit-get': ({F: 'value'}, '<setting>'),
}
TOOLS = tuple(sorted(SPECS))


def parse_argv(tool: str, argv: list[str]) -> tuple[dict[str, object], list[str]]:
    """Split *argv* into flags and positional arguments, the way Juju's gnuflag does."""
    spec = SPECS[tool][0]
    opts: dict[str, object] = {}
    args: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == '--':
            args += argv[i:]
            break
        if not arg.startswith('-') or arg == '-':
            args.append(arg)
            continue
        name, eq, value = arg.lstrip('-').partition('=')
        single = not arg.startswith('--')
        if name in ('h', 'help'):
            raise Refused(f'Usage: {tool} [options] {SPECS[tool][1]}'.rstrip(), code=0)
        kind = spec.get(name)
        if kind is None or (single and len(name) != 1):
            raise bad(f'option provided but not defined: {arg.partition("=")[0]}', usage=True)
        kind, _, key = kind.partition(':')
        if kind == 'bool':
            if eq and value not in BOOL_WORDS:
                raise bad(f'invalid boolean value {value!r} for option {arg.partition("=")[0]}')
            opts[key or name] = BOOL_WORDS[value] if eq else True
            continue
        if not eq:
            if i >= len(argv):
                raise bad(f'option needs an argument: {arg}', usage=True)
            value = argv[i]
            i += 1
        opts[key or name] = value
    fmt = opts.get(F, 'smart')
    if fmt not in FORMATS:
        raise bad(f'invalid value "{fmt}" for option --format: unknown format "{fmt}"')
    return opts, args


def key_values(args: list[str], allow_empty: bool = True) -> dict[str, str]:
    """Parse ``key=value`` arguments as Juju does (no duplicates, empty values allowed)."""
    result: dict[str, str] = {}
    for arg in args:
        key, eq, value = arg.partition('=')
        if not eq or not key or (not value and not allow_empty):
            raise bad(f'expected "key=value", got "{arg}"')
        if key in result:
            raise bad(f'key "{key}" specified more than once')
        result[key] = value
    return result


def no_more(args: list[str]) -> None:
    if args:
        raise bad('unrecognized args: ' + json.dumps(args))


def render(value: object, fmt: str) -> str:
    """Print *value* as Juju's formatters do; ``None`` prints nothing."""
    if value is None:
        return ''
    if fmt == 'smart':
        if isinstance(value, bool):
            return 'True\n' if value else 'False\n'
        if isinstance(value, (str, int, float)):
            return f'{value}\n'
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ''.join(f'{v}\n' for v in value)
    return json.dumps(value) + '\n'  # JSON is also YAML, which is all a fake needs


# -- the model -------------------------------------------------------------------------


class Hook:
    """One run of one tool against the model."""

    def __init__(self, tool: str, opts: dict[str, object], args: list[str],
                 state: dict[str, Any], stdin: str | None):
        self.tool = tool
        self.opts = opts
        self.args = args
        self.state = state
        self.stdin = stdin
        self.changed = False
        self.unit = state.get('unit') or os.environ.get('JUJU_UNIT_NAME', 'demo/0')
        self.app = rules.app_of(self.unit)

    def opt(self, name: str, default: object = None) -> object:
        return self.opts.get(name, default)

    def section(self, name: str, default: object) -> Any:
        """A part of the model the tool will change."""
        self.changed = True
        return self.state.setdefault(name, default)

    @property
    def leader(self) -> bool:
        return bool(self.state.get('leader', False))

    # relations

    def relation_key(self) -> str:
        """The relation of ``-r`` (``db:3`` or ``3``), or of the relation hook being run."""
        key = self.given_relation_key()
        if key is None:
            raise bad('no relation id specified')
        return key

    def given_relation_key(self) -> str | None:
        """Like :meth:`relation_key`, but ``None`` when no relation is given or implied."""
        given = self.opt('relation')
        raw = given if given is not None else os.environ.get('JUJU_RELATION_ID')
        if not raw:
            return None
        number = rules.relation_number(str(raw))
        if number is None:
            raise bad(f'invalid value "{raw}" for option -r: invalid relation id')
        for key in self.state.get('relations', {}):
            if key.rpartition(':')[2] == str(number):
                return str(key)
        raise bad(f'invalid value "{raw}" for option -r: relation not found')

    def relation(self, key: str) -> dict[str, Any]:
        rel: dict[str, Any] = self.state['relations'][key]
        return rel

    def is_peer(self, rel: dict[str, Any]) -> bool:
        return bool(rel.get('peer')) or rel.get('app') == self.app

    # key=value content from --file and arguments

    def file_values(self) -> dict[str, str]:
        path = self.opt('file')
        if path is None:
            return {}
        if path == '-':
            return parse_yaml_map(self.stdin or '')
        try:
            with open(str(path), encoding='utf-8') as f:
                return parse_yaml_map(f.read())
        except OSError as e:
            raise Refused(f'cannot read {path}: {e.strerror}') from None

    # secrets

    def find_secret(self, ident: str | None, label: str | None) -> tuple[str, dict[str, Any]]:
        secrets = self.state.get('secrets', {})
        if ident:
            bare = bare_secret_id(ident)
            for key, secret in secrets.items():
                if bare_secret_id(key) == bare:
                    return key, secret
        elif label:
            for key, secret in secrets.items():
                if secret.get('label') == label:
                    return key, secret
        raise Refused(f'secret "{ident or label}" not found')


def bare_secret_id(ident: str) -> str:
    return ident.rsplit('/', 1)[-1].rsplit(':', 1)[-1]


def parse_yaml_map(text: str) -> dict[str, str]:
    """A flat YAML map of strings: JSON, or ``key: value`` lines."""
    text = text.strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            key, colon, value = line.partition(':')
            if not colon:
                raise Refused(f"yaml: line {line!r}: could not find expected ':'") from None
            data[key.strip()] = value.strip().strip('"\'')
    if not isinstance(data, dict):
        raise Refused('yaml: cannot unmarshal into map[string]string')
    return {str(k): '' if v is None else str(v) for k, v in data.items()}


# -- the tools -------------------------------------------------------------------------
# Each takes the Hook and returns the value to print (None prints nothing).

HANDLERS: dict[str, Callable[[Hook], object]] = {}


def answers(*tools: str) -> Callable[[Callable[[Hook], object]], Callable[[Hook], object]]:
    """Register the decorated function as the fake of *tools*."""
    def register(handler: Callable[[Hook], object]) -> Callable[[Hook], object]:
        for tool in tools:
            HANDLERS[tool] = handler
        return handler
    return register


@answers('config-get')
def config_get(h: Hook) -> object:
    config = dict(h.state.get('config', {}))
    if h.args:
        key = h.args[0]
        if h.opt('all'):
            raise bad(f'cannot use argument --all together with key "{key}"')
        no_more(h.args[1:])
        return config.get(key)
    return config if h.opt('all') else {k: v for k, v in config.items() if v is not None}


@answers('is-leader')
def is_leader(h: Hook) -> object:
    no_more(h.args)
    return h.leader


@answers('unit-get')
def unit_get(h: Hook) -> object:
    if not h.args:
        raise bad('no setting specified')
    if h.args[0] not in ('private-address', 'public-address'):
        raise bad(f'unknown setting "{h.args[0]}"')
    no_more(h.args[1:])
    return h.state.get('addresses', {}).get(h.args[0], '10.0.0.10')


@answers('application-version-set')
def application_version_set(h: Hook) -> object:
    if not h.args:
        raise bad('no version specified')
    no_more(h.args[1:])
    h.section('workload_version', '')
    h.state['workload_version'] = h.args[0]
    return None


@answers('goal-state')
def goal_state(h: Hook) -> object:
    no_more(h.args)
    return h.state.get('goal_state') or {'units': {}, 'relations': {}}


@answers('credential-get')
def credential_get(h: Hook) -> object:
    no_more(h.args)
    if h.state.get('credential') is None:
        raise Refused('cannot access cloud credentials: application does not have trust')
    return h.state['credential']


@answers('juju-reboot')
def juju_reboot(h: Hook) -> object:
    no_more(h.args)
    if h.state.get('action') is not None:
        raise Refused('juju-reboot is not supported when running an action.')
    h.section('reboot', None)
    h.state['reboot'] = 'now' if h.opt('now') else 'after-hook'
    return None


@answers('relation-ids')
def relation_ids(h: Hook) -> object:
    name = h.args[0] if h.args else os.environ.get('JUJU_RELATION')
    if not name:
        raise bad('no endpoint name specified')
    no_more(h.args[1:])
    return sorted(k for k in h.state.get('relations', {}) if k.rpartition(':')[0] == name)


@answers('relation-list')
def relation_list(h: Hook) -> object:
    key = h.relation_key()
    no_more(h.args)
    rel = h.relation(key)
    return rel.get('app') if h.opt('app') else list(rel.get('units', []))


@answers('relation-get')
def relation_get(h: Hook) -> object:
    key = h.relation_key()
    rel = h.relation(key)
    args = list(h.args)
    name = args.pop(0) if args else '-'
    name = '' if name == '-' else name
    app = bool(h.opt('app'))
    if args:
        member = args.pop(0)
        if app and '/' in member:
            member = member.split('/')[0]
    elif os.environ.get('JUJU_REMOTE_UNIT') and not app:
        member = os.environ['JUJU_REMOTE_UNIT']
    elif os.environ.get('JUJU_REMOTE_APP'):
        member, app = os.environ['JUJU_REMOTE_APP'], True
    else:
        raise bad('no unit or application specified')
    no_more(args)
    peer = h.is_peer(rel)
    kind = rules.bag_kind(h.unit, member, is_app=app, peer=peer)
    if rules.read_refusal(kind, leader=h.leader, peer=peer):
        raise Refused(f'cannot read settings for {"application" if app else "unit"} '
                      f'"{member}" in relation "{key}": permission denied')
    data = rel.get('data', {})
    known = {h.unit, h.app, rel.get('app'), *rel.get('units', [])}
    if member not in data and member not in known:
        raise Refused(f'cannot read settings for unit "{member}" in relation "{key}": '
                      f'unit "{member}": settings not found')
    bag = dict(data.get(member, {}))
    return bag.get(name) if name else bag


@answers('relation-set')
def relation_set(h: Hook) -> object:
    key = h.relation_key()
    values = {**h.file_values(), **key_values(h.args)}
    app = bool(h.opt('app'))
    refusal = rules.leader_refusal('relation-set --app' if app else 'relation-set',
                                   leader=h.leader)
    if refusal:
        raise Refused(refusal)
    h.changed = True
    bag = h.relation(key).setdefault('data', {}).setdefault(h.app if app else h.unit, {})
    for name, value in values.items():
        if value:
            bag[name] = value
        else:
            bag.pop(name, None)
    return None


@answers('relation-model-get')
def relation_model_get(h: Hook) -> object:
    key = h.relation_key()
    no_more(h.args)
    return {'uuid': h.relation(key).get('model_uuid') or h.state.get('model_uuid', '')}


def status_details(entry: dict[str, Any], include_data: bool) -> dict[str, Any]:
    details: dict[str, object] = {'status': entry.get('status', 'unknown')}
    if include_data:
        details['message'] = entry.get('message', '')
        details['status-data'] = dict(entry.get('data', {}))
    return details


@answers('status-get')
def status_get(h: Hook) -> object:
    no_more(h.args)
    statuses = h.state.get('status', {})
    include = bool(h.opt('include-data'))
    smart = h.opt(F, 'smart') == 'smart'
    if h.opt('application'):
        refusal = rules.leader_refusal('status-get --application', leader=h.leader)
        if refusal:
            raise Refused(refusal)
        app = statuses.get('app', {})
        if not include and smart:
            return app.get('status', 'unknown')
        details = status_details(app, include)
        details['units'] = {h.unit: status_details(statuses.get('unit', {}), include)}
        return {'application-status': details}
    unit = statuses.get('unit', {})
    return unit.get('status', 'unknown') if not include and smart else status_details(
        unit, include)


@answers('status-set')
def status_set(h: Hook) -> object:
    if not h.args:
        raise bad('invalid args, require <status> [message]')
    status = h.args[0]
    if status not in STATUSES:
        raise bad(f'invalid status "{status}", expected one of [{" ".join(STATUSES)}]')
    no_more(h.args[2:])
    target = 'app' if h.opt('application') else 'unit'
    refusal = rules.leader_refusal('status-set --application', leader=h.leader) \
        if target == 'app' else None
    if refusal:
        raise Refused(refusal)
    message = h.args[1] if len(h.args) > 1 else ''
    statuses = h.section('status', {})
    statuses[target] = {'status': status, 'message': message, 'data': {}}
    h.section('status_history', []).append(
        {'target': target, 'status': status, 'message': message})
    return None


@answers('juju-log')
def juju_log(h: Hook) -> object:
    if not h.args:
        raise bad('no message specified')
    level = 'DEBUG' if h.opt('debug') else str(h.opt('log-level', 'INFO')).upper()
    h.section('logs', []).append({'level': level, 'message': ' '.join(h.args)})
    return None


def port_range(text: str) -> str:
    match = PORT_SPEC.match(text.lower())
    if not match:
        raise bad('expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp; '
                  f'got "{text}"')
    start, end, protocol = match.groups()
    if start is None:
        return 'icmp'
    return f'{start}-{end}/{protocol or "tcp"}' if end else f'{start}/{protocol or "tcp"}'


@answers('open-port', 'close-port')
def open_port(h: Hook) -> object:
    if not h.args:
        raise bad('no port or range specified')
    spec = port_range(h.args[0])
    no_more(h.args[1:])
    endpoints = [e.strip() for e in str(h.opt('endpoints', '*')).split(',')]
    ports = h.section('opened_ports', {})
    if h.tool == 'open-port':
        ports[spec] = sorted(set(ports.get(spec, [])) | set(endpoints))
    else:
        left = [] if endpoints == ['*'] else sorted(set(ports.get(spec, [])) - set(endpoints))
        if left:
            ports[spec] = left
        else:
            ports.pop(spec, None)
    return None


def port_sort_key(spec: str) -> tuple[str, int]:
    number, _, protocol = spec.partition('/')
    return (protocol, int(number.split('-')[0]) if number != 'icmp' else 0)


@answers('opened-ports')
def opened_ports(h: Hook) -> object:
    no_more(h.args)
    ports = h.state.get('opened_ports', {})
    if h.opt('endpoints'):
        return [f'{p} ({", ".join(ports[p])})' for p in sorted(ports, key=port_sort_key)]
    return sorted(ports, key=port_sort_key)


@answers('storage-list')
def storage_list(h: Hook) -> object:
    name = h.args[0] if h.args else None
    no_more(h.args[1:])
    return sorted(i for i in h.state.get('storage', {}) if name in (None, i.split('/')[0]))


@answers('storage-get')
def storage_get(h: Hook) -> object:
    ident = h.opt('s') or os.environ.get('JUJU_STORAGE_ID')
    if not ident:
        raise bad('no storage instance specified')
    storage = h.state.get('storage', {})
    if ident not in storage:
        raise bad(f'invalid value "{ident}" for option -s: storage not found')
    no_more(h.args[1:])
    values = {'kind': 'filesystem', 'location': ''}
    values.update(storage[ident])
    if not h.args:
        return values
    if h.args[0] not in values:
        raise Refused(f'invalid storage attribute "{h.args[0]}"')
    return values[h.args[0]]


@answers('storage-add')
def storage_add(h: Hook) -> object:
    if not h.args:
        raise bad('storage add requires a storage directive')
    added = h.section('storage_added', {})
    for arg in h.args:
        name, eq, count = arg.partition('=')
        if eq and not count.isdigit():
            raise bad(f'cannot parse count: "{count}"')
        added[name] = added.get(name, 0) + (int(count) if eq else 1)
    return None


@answers('resource-get')
def resource_get(h: Hook) -> object:
    if not h.args:
        raise bad('missing required resource name')
    no_more(h.args[1:])
    path = h.state.get('resources', {}).get(h.args[0])
    if path is None:
        raise Refused(f'could not download resource: resource "{h.args[0]}" not found')
    return path


@answers('network-get')
def network_get(h: Hook) -> object:
    if not h.args or not h.args[0]:
        raise bad('no arguments specified')
    h.given_relation_key()
    binding = h.args[0]
    no_more(h.args[1:])
    info = h.state.get('networks', {}).get(binding)
    if not info:
        raise Refused(f'no network config found for binding "{binding}"')
    keys = [k for k in ('bind-address', 'ingress-address', 'egress-subnets') if h.opt(k)]
    if not keys:
        return info
    addresses = [a.get('value') for b in info.get('bind-addresses', [])
                 for a in b.get('addresses', [])]
    values = {'bind-address': addresses[0] if addresses else None,
              'ingress-address': (info.get('ingress-addresses') or addresses or [None])[0],
              'egress-subnets': info.get('egress-subnets', [])}
    return values[keys[0]] if len(keys) == 1 else {k: values[k] for k in keys}


# actions


def running_action(h: Hook) -> dict[str, Any]:
    action: dict[str, Any] | None = h.state.get('action')
    if action is None:
        raise Refused('not running an action')
    return action


@answers('action-get')
def action_get(h: Hook) -> object:
    params = running_action(h).get('params', {})
    if not h.args:
        return params
    no_more(h.args[1:])
    value: object = params
    for part in h.args[0].split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


@answers('action-set')
def action_set(h: Hook) -> object:
    action = running_action(h)
    for arg in h.args:
        key, eq, value = arg.partition('=')
        if not eq:
            raise bad(f'argument "{arg}" must be of the form key...=value')
        for part in key.split('.'):
            if not ACTION_KEY.match(part):
                raise bad(f'key "{part}" must start and end with lowercase alphanumeric, '
                          f'and contain only lowercase alphanumeric, hyphens and periods')
            if part in RESERVED_RESULT_KEYS:
                raise bad(f'cannot set reserved action key "{part}"')
        *path, last = key.split('.')
        node = action.setdefault('results', {})
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    h.changed = True
    return None


@answers('action-log')
def action_log(h: Hook) -> object:
    if not h.args:
        raise bad('no message specified')
    running_action(h).setdefault('logs', []).append(' '.join(h.args))
    h.changed = True
    return None


@answers('action-fail')
def action_fail(h: Hook) -> object:
    action = running_action(h)
    no_more(h.args[1:])
    action['failed'] = True
    action['message'] = (h.args[0] if h.args else
                         'action failed without reason given, check action for errors')
    h.changed = True
    return None


# secrets


def secret_content(h: Hook, args: list[str]) -> dict[str, str]:
    content = h.file_values()
    for arg in args:
        key, eq, value = arg.partition('=')
        if not eq:
            raise bad(f'expected "key=value", got "{arg}"')
        key, _, suffix = key.partition('#')
        if not SECRET_KEY.match(key):
            raise bad(f'key "{key}" not valid')
        if suffix == 'file':
            try:
                with open(value, encoding='utf-8') as f:
                    value = f.read()
            except OSError as e:
                raise bad(f'cannot read file "{value}": {e.strerror}') from None
        elif suffix == 'base64':
            import base64  # only secrets need it; every import slows every tool run

            value = base64.b64decode(value).decode()
        elif suffix:
            raise bad(f'key "{key}#{suffix}" not valid')
        content[key] = value
    return content


def secret_metadata(h: Hook, secret: dict[str, Any]) -> None:
    expire, rotate = h.opt('expire'), h.opt('rotate')
    if expire is not None and not (DURATION.match(str(expire)) or
                                   TIMESTAMP.match(str(expire))):
        raise bad(f'expire time or duration "{expire}" not valid')
    if rotate is not None and rotate not in ROTATE_POLICIES:
        raise bad(f'rotate policy "{rotate}" not valid')
    for name in ('label', 'description', 'expire', 'rotate'):
        if h.opt(name) is not None:
            secret[name] = h.opt(name)


def new_revision(secret: dict[str, Any], content: dict[str, str]) -> None:
    revisions = secret.setdefault('revisions', {})
    revisions[str(max(map(int, revisions), default=0) + 1)] = content


@answers('secret-add')
def secret_add(h: Hook) -> object:
    owner = h.opt('owner', 'application')
    if owner not in ('application', 'unit'):
        raise bad(f'secret owner "{owner}" not valid')
    content = secret_content(h, h.args)
    if not content:
        raise bad('missing secret value or filename')
    secret: dict[str, Any] = {'owner': owner, 'revisions': {}, 'tracked': None, 'grants': []}
    secret_metadata(h, secret)
    new_revision(secret, content)
    number = h.state.get('next_secret', 1)
    h.state['next_secret'] = number + 1
    ident = f'secret:c{number:019d}'
    h.section('secrets', {})[ident] = secret
    return ident


@answers('secret-get')
def secret_get(h: Hook) -> object:
    ident = h.args[0] if h.args else None
    label = h.opt('label')
    if ident is None and label is None:
        raise bad('require either a secret URI or label')
    if h.opt('peek') and h.opt('refresh'):
        raise bad('specify one of --peek or --refresh but not both')
    no_more(h.args[2:])
    _, secret = h.find_secret(ident, None if ident else str(label))
    if ident and label is not None and secret.get('label') != label:
        secret['label'] = label  # a consumer names the secret for later hooks
        h.changed = True
    latest = max(map(int, secret.get('revisions', {})), default=0)
    revision = secret.get('tracked') or latest
    if h.opt('peek'):
        revision = latest
    elif h.opt('refresh') or secret.get('tracked') is None:
        revision = latest
        h.changed = h.changed or secret.get('tracked') != latest
        secret['tracked'] = latest
    content = dict(secret.get('revisions', {}).get(str(revision), {}))
    if len(h.args) < 2:
        return content
    key, _, suffix = h.args[1].partition('#')
    value = content.get(key)
    if value is None:
        raise Refused(f'secret key "{key}" not found')
    if suffix != 'base64':
        return value
    import base64

    return base64.b64encode(value.encode()).decode()


@answers('secret-info-get')
def secret_info_get(h: Hook) -> object:
    ident = h.args[0] if h.args else None
    label = h.opt('label')
    if ident is None and label is None:
        raise bad('require either a secret URI or label')
    if ident is not None and label is not None:
        raise bad('specify either a secret URI or label but not both')
    no_more(h.args[1:])
    key, secret = h.find_secret(ident, None if ident else str(label))
    info: dict[str, object] = {
        'revision': max(map(int, secret.get('revisions', {})), default=0),
        'label': secret.get('label') or '',
        'owner': secret.get('owner') or 'application',
    }
    for name, shown in (('description', 'description'), ('rotate', 'rotation'),
                        ('expire', 'expiry')):
        if secret.get(name):
            info[shown] = secret[name]
    return {bare_secret_id(key): info}


@answers('secret-set')
def secret_set(h: Hook) -> object:
    if not h.args:
        raise bad('missing secret URI')
    content = secret_content(h, h.args[1:])
    _, secret = h.find_secret(h.args[0], None)
    secret_metadata(h, secret)
    if content:
        new_revision(secret, content)
    h.changed = True
    return None


@answers('secret-grant')
def secret_grant(h: Hook) -> object:
    if not h.args:
        raise bad('missing secret URI')
    key = h.relation_key()
    rel = h.relation(key)
    unit = h.opt('unit')
    if unit and str(unit).split('/')[0] != rel.get('app'):
        raise bad(f'cannot specify unit "{unit}" in relation to application "{rel.get("app")}"')
    no_more(h.args[1:])
    _, secret = h.find_secret(h.args[0], None)
    grant = {'relation': key, 'app': rel.get('app'), 'unit': unit}
    if grant not in secret.setdefault('grants', []):
        secret['grants'].append(grant)
    h.changed = True
    return None


@answers('secret-revoke')
def secret_revoke(h: Hook) -> object:
    if not h.args:
        raise bad('missing secret URI')
    app, unit = h.opt('app'), h.opt('unit')
    if app and unit:
        raise bad('specify only one of application or unit')
    key = h.given_relation_key()
    if key is not None:
        if app:
            raise bad('do not specify both relation and app')
        app = h.relation(key).get('app')
    if not app and not unit:
        raise bad('missing relation or application or unit')
    no_more(h.args[1:])
    _, secret = h.find_secret(h.args[0], None)
    secret['grants'] = [g for g in secret.get('grants', [])
                        if not (g.get('unit') == unit if unit else g.get('app') == app)]
    h.changed = True
    return None


@answers('secret-remove')
def secret_remove(h: Hook) -> object:
    if not h.args:
        raise bad('missing secret URI')
    no_more(h.args[1:])
    key, secret = h.find_secret(h.args[0], None)
    revision = h.opt('revision')
    if revision is not None and not str(revision).isdigit():
        raise bad(f'invalid value "{revision}" for option --revision: parse error')
    if revision is not None and int(str(revision)) > 0:
        if str(revision) not in secret.get('revisions', {}):
            raise Refused(f'secret revision {revision} not found')
        del secret['revisions'][str(revision)]
    else:
        del h.state['secrets'][key]
    h.changed = True
    return None


@answers('secret-ids')
def secret_ids(h: Hook) -> object:
    no_more(h.args)
    return sorted(bare_secret_id(k) for k, s in h.state.get('secrets', {}).items()
                  if s.get('owner'))


# server-side unit state, leader settings, metrics


@answers('state-get')
def state_get(h: Hook) -> object:
    values = h.state.get('charm_state', {})
    key = h.args[0] if h.args and h.args[0] != '-' else None
    no_more(h.args[1:])
    if key is None:
        return values
    if key not in values and h.opt('strict'):
        raise Refused(f'"{key}" not found')
    return values.get(key)


@answers('state-set')
def state_set(h: Hook) -> object:
    values = {**h.file_values(), **key_values(h.args)}
    h.section('charm_state', {}).update(values)
    return None


@answers('state-delete')
def state_delete(h: Hook) -> object:
    if not h.args:
        raise bad('no key specified')
    no_more(h.args[1:])
    h.section('charm_state', {}).pop(h.args[0], None)
    return None


@answers('leader-get')
def leader_get(h: Hook) -> object:
    values = h.state.get('leader_settings', {})
    key = h.args[0] if h.args and h.args[0] != '-' else None
    no_more(h.args[1:])
    return values if key is None else values.get(key)


@answers('leader-set')
def leader_set(h: Hook) -> object:
    values = key_values(h.args)
    refusal = rules.leader_refusal('leader-set', leader=h.leader)
    if refusal:
        raise Refused(refusal)
    settings = h.section('leader_settings', {})
    for key, value in values.items():
        if value:
            settings[key] = value
        else:
            settings.pop(key, None)
    return None


@answers('add-metric')
def add_metric(h: Hook) -> object:
    if not h.args:
        raise bad('no metrics specified')
    metrics = key_values(h.args, allow_empty=False)
    labels = key_values(str(h.opt('labels')).split(','), allow_empty=False) if h.opt(
        'labels') else {}
    recorded = h.section('metrics', [])
    recorded.extend({'key': k, 'value': v, 'labels': labels} for k, v in metrics.items())
    return None


# -- running ---------------------------------------------------------------------------


def reads_stdin(argv: list[str]) -> bool:
    for i, arg in enumerate(argv):
        if arg == '--':
            return False
        if arg == '--file=-' or (arg == '--file' and argv[i + 1:i + 2] == ['-']):
            return True
    return False


def load_state(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding='utf-8') as f:
            state: dict[str, Any] = json.load(f)
            return state
    except FileNotFoundError:
        return {}


def save_state(path: str, state: dict[str, Any]) -> None:
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, path)  # readers see the old model or the new one, never half of one


def calls_so_far(log: str, *, logging_too: bool) -> int:
    """How many tool runs the log holds (this one included), juju-log's only if asked."""
    with open(log, encoding='utf-8') as f:
        return sum(1 for line in f if line.strip() and (
            logging_too or not line.startswith('{"tool": "juju-log"')))


def injected(log: str) -> int | None:
    """Play a fault the test asked for in the environment; return an exit code to give.

    ``FAKEJUJU_FAULT_AT="N:code:stderr"``: the Nth run of a tool other than juju-log (whose
    failures a charm must survive, so sweeps skip it) fails with *code* and *stderr*.
    ``FAKEJUJU_KILL_AT="N"``: the Nth run of any tool SIGKILLs the process that ran it
    (the hook), as a machine crash or ``kill -9`` would. ``FAKEJUJU_PAUSE_AT="N:file"``:
    the Nth run of any tool creates *file* + ``.paused`` and waits (up to 60 s) until
    *file* exists, so a test can act while the hook is inside that call.
    """
    fault = os.environ.get('FAKEJUJU_FAULT_AT')
    if fault:
        number, code, stderr = fault.split(':', 2)
        if calls_so_far(log, logging_too=False) == int(number):
            sys.stderr.write(stderr + '\n')
            return int(code)
    kill = os.environ.get('FAKEJUJU_KILL_AT')
    if kill and calls_so_far(log, logging_too=True) == int(kill):
        import signal

        os.kill(os.getppid(), signal.SIGKILL)
        return 137
    pause = os.environ.get('FAKEJUJU_PAUSE_AT')
    if pause:
        number, _, gate = pause.partition(':')
        if calls_so_far(log, logging_too=True) == int(number):
            import time

            with open(gate + '.paused', 'w'):
                pass
            deadline = time.monotonic() + 60
            while not os.path.exists(gate) and time.monotonic() < deadline:
                time.sleep(0.01)
    return None


def main(argv: list[str]) -> int:
    tool = os.path.basename(argv[0])
    args = argv[1:]
    stdin = sys.stdin.read() if reads_stdin(args) else None
    log = os.environ.get('FAKEJUJU_LOG')
    if log:
        line = json.dumps({'tool': tool, 'argv': [tool, *args], 'stdin': stdin})
        with open(log, 'a', encoding='utf-8') as f:
            f.write(line + '\n')
        code = injected(log)
        if code is not None:
            return code
    if tool not in SPECS:
        sys.stderr.write(f'ERROR fake Juju has no hook tool named {tool!r}\n')
        return 2
    state_path = os.environ.get('FAKEJUJU_STATE')
    if not state_path:
        sys.stderr.write('ERROR FAKEJUJU_STATE is not set: it names the model file to answer '
                         'from (see tests/fakejuju)\n')
        return 2
    with open(f'{state_path}.lock', 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = load_state(state_path)
        forced = state.get('fail', {}).get(tool)
        if forced is not None:
            sys.stdout.write(forced.get('stdout', ''))
            sys.stderr.write(forced.get('stderr', ''))
            return int(forced.get('code', 1))
        try:
            opts, rest = parse_argv(tool, args)
            hook = Hook(tool, opts, rest, state, stdin)
            out = render(HANDLERS[tool](hook), str(opts.get(F, 'smart')))
        except Refused as e:
            if e.code == 0:
                sys.stdout.write(f'{e}\n')
                return 0
            sys.stderr.write(f'ERROR {e}\n')
            if e.usage:
                sys.stderr.write(f'Usage: {tool} [options] {SPECS[tool][1]}'.rstrip() + '\n')
            return e.code
        if hook.changed:
            save_state(state_path, state)
    sys.stdout.write(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
