"""The command line of the local model's hook tools: each tool's flags and usage, argv
parsed as Juju's tools parse it (flags anywhere, ``--`` ends them, ``--format
smart|json|yaml``), answers printed as Juju prints them, and the refusal that ends a run.

Copied beside ``_tool.py`` into ``<model-dir>/bin``: standard library only.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing costs an import on every tool run; only mypy needs it
if TYPE_CHECKING:
    from typing import Any

BOOLS = {'1': True, 't': True, 'true': True, 'True': True, 'TRUE': True,
         '0': False, 'f': False, 'false': False, 'False': False, 'FALSE': False}
# tool -> (flag spec, usage). Flag spec: name -> 'bool' | 'value', 'kind:alias' for aliases.
FMT = {'format': 'value'}
REL = {'r': 'value:relation', 'relation': 'value'}
SPECS: dict[str, tuple[dict[str, str], str]] = {
    'action-fail': ({}, '["<failure message>"]'),
    'action-get': (FMT, '[<key>[.<key>...]]'),
    'action-log': ({}, '<message>'),
    'action-set': ({}, '<key>=<value> [<key>=<value> ...]'),
    'application-version-set': ({}, '<new-version>'),
    'close-port': ({**FMT, 'endpoints': 'value'}, '<port>[/<protocol>] or icmp'),
    'config-get': ({**FMT, 'a': 'bool:all', 'all': 'bool'}, '[<key>]'),
    'goal-state': (FMT, ''),
    'is-leader': (FMT, ''),
    'juju-log': ({**FMT, 'debug': 'bool', 'l': 'value:log-level', 'log-level': 'value'},
                 '<message>'),
    'leader-get': (FMT, '[<key>]'),
    'leader-set': ({'file': 'value'}, '<key>=<value> [...]'),
    'network-get': ({**FMT, **REL, 'primary-address': 'bool', 'bind-address': 'bool',
                     'ingress-address': 'bool', 'egress-subnets': 'bool'}, '<binding-name>'),
    'open-port': ({**FMT, 'endpoints': 'value'}, '<port>[/<protocol>] or icmp'),
    'opened-ports': ({**FMT, 'endpoints': 'bool'}, ''),
    'relation-get': ({**FMT, **REL, 'app': 'bool'}, '<key> <unit id>'),
    'relation-ids': (FMT, '<name>'),
    'relation-list': ({**FMT, **REL, 'app': 'bool'}, ''),
    'relation-model-get': ({**FMT, **REL}, ''),
    'relation-set': ({**FMT, **REL, 'app': 'bool', 'file': 'value'},
                     'key=value [key=value ...]'),
    'state-delete': ({}, '<key>'),
    'state-get': ({**FMT, 'strict': 'bool'}, '[<key>]'),
    'state-set': ({'file': 'value'}, 'key=value [key=value ...]'),
    'status-get': ({**FMT, 'include-data': 'bool', 'application': 'bool'},
                   '[--include-data] [--application]'),
    'status-set': ({'application': 'bool'}, '<maintenance | blocked | waiting | active> '
                   '[message]'),
    'unit-get': (FMT, '<setting>'),
}
#: Tools Juju has that the local model does not offer; each fails with a clear message.
UNSUPPORTED = ('add-metric', 'credential-get', 'juju-reboot', 'pod-spec-set', 'resource-get',
               'secret-add', 'secret-get', 'secret-grant', 'secret-ids', 'secret-info-get',
               'secret-remove', 'secret-revoke', 'secret-set', 'storage-add', 'storage-get',
               'storage-list')
TOOLS = tuple(sorted((*SPECS, *UNSUPPORTED)))


class Refused(Exception):
    """Juju would refuse: exit status *code* with ``ERROR <message>`` on stderr."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def parse(tool: str, argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Flags and positional arguments of *argv*, parsed as Juju's gnuflag does."""
    spec = SPECS[tool][0]
    opts: dict[str, Any] = {}
    args: list[str] = []
    items = iter(argv)
    for arg in items:
        if arg == '--':
            args.extend(items)
            break
        if not arg.startswith('-') or arg == '-':
            args.append(arg)
            continue
        name, eq, value = arg.lstrip('-').partition('=')
        kind = spec.get(name)
        if kind is None or (not arg.startswith('--') and len(name) != 1):
            raise Refused(f'option provided but not defined: {arg.partition("=")[0]}', 2)
        kind, _, alias = kind.partition(':')
        if kind == 'bool':
            if eq and value not in BOOLS:
                raise Refused(f'invalid boolean value {value!r} for option -{name}', 2)
            opts[alias or name] = BOOLS[value] if eq else True
            continue
        if not eq:
            following = next(items, None)
            if following is None:
                raise Refused(f'option needs an argument: {arg}', 2)
            value = following
        opts[alias or name] = value
    if opts.get('format', 'smart') not in ('smart', 'json', 'yaml'):
        raise Refused(f'invalid value "{opts["format"]}" for option --format', 2)
    return opts, args


def render(value: object, fmt: str) -> str:
    """*value* as Juju prints it; JSON stands in for YAML (it is valid YAML)."""
    if value is None:
        return ''
    if fmt == 'smart':
        if isinstance(value, bool):
            return 'True\n' if value else 'False\n'
        if isinstance(value, (str, int, float)):
            return f'{value}\n'
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ''.join(f'{v}\n' for v in value)
    return json.dumps(value) + '\n'


def key_values(args: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for arg in args:
        key, eq, value = arg.partition('=')
        if not eq or not key:
            raise Refused(f'expected "key=value", got "{arg}"', 2)
        values[key] = value
    return values


def no_more(args: list[str]) -> None:
    if args:
        raise Refused('unrecognized args: ' + json.dumps(args), 2)



def flat_map(text: str) -> dict[str, str]:
    """A flat ``key: value`` map from JSON or simple YAML lines (all ``--file`` carries)."""
    text = text.strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith('#'):
                key, colon, value = line.partition(':')
                if not colon:
                    raise Refused(f"yaml: line {line!r}: could not find expected ':'") from None
                data[key.strip()] = value.strip().strip('"\'')
    if not isinstance(data, dict):
        raise Refused('yaml: cannot unmarshal into map[string]string')
    return {str(k): '' if v is None else str(v) for k, v in data.items()}
