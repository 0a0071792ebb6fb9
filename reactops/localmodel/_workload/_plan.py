"""Layers and the plan: reading a layer's YAML, combining layers, validating, ordering.

Each item (service, check, log target) is kept as a dict of the fields its layer set, in
the layer's kebab-case keys, with durations as seconds. Combining follows Pebble: ``merge``
lays set fields over the item below (lists appended, maps updated), ``replace`` swaps it.
Messages are Pebble's, so a charm sees the same error from either.
"""

from __future__ import annotations

import dataclasses
import shlex
from typing import Any

import yaml

from ..._private import yaml as _yaml
from ._timefmt import go_duration, parse_go_duration

__all__ = [
    'DEFAULT_BACKOFF_DELAY', 'DEFAULT_BACKOFF_FACTOR', 'DEFAULT_BACKOFF_LIMIT', 'Layer',
    'Plan', 'PlanError', 'check_period', 'check_timeout', 'combine', 'make_plan',
    'parse_command', 'parse_layer', 'plan_yaml', 'start_lanes', 'stop_lanes',
]

DEFAULT_BACKOFF_DELAY = 0.5
DEFAULT_BACKOFF_FACTOR = 2.0
DEFAULT_BACKOFF_LIMIT = 30.0
DEFAULT_CHECK_PERIOD = 10.0
DEFAULT_CHECK_TIMEOUT = 3.0
DEFAULT_CHECK_THRESHOLD = 3

# Field kinds, in the order Pebble writes each item's fields.
_SERVICE_FIELDS = {
    'summary': 'str', 'description': 'str', 'startup': 'str', 'override': 'str',
    'command': 'str', 'after': 'list', 'before': 'list', 'requires': 'list',
    'workload': 'str', 'environment': 'map', 'user-id': 'int', 'user': 'str',
    'group-id': 'int', 'group': 'str', 'working-dir': 'str', 'on-success': 'str',
    'on-failure': 'str', 'on-check-failure': 'map', 'backoff-delay': 'duration',
    'backoff-factor': 'float', 'backoff-limit': 'duration', 'kill-delay': 'duration',
}
_CHECK_FIELDS = {
    'override': 'str', 'level': 'str', 'startup': 'str', 'period': 'duration',
    'timeout': 'duration', 'threshold': 'int', 'http': 'http', 'tcp': 'tcp', 'exec': 'exec',
}
_PROBE_FIELDS = {
    'http': {'url': 'str', 'headers': 'map'},
    'tcp': {'port': 'int', 'host': 'str'},
    'exec': {'command': 'str', 'service-context': 'str', 'environment': 'map',
             'user-id': 'int', 'user': 'str', 'group-id': 'int', 'group': 'str',
             'working-dir': 'str'},
}
_TARGET_FIELDS = {'type': 'str', 'location': 'str', 'services': 'list', 'override': 'str',
                  'labels': 'map'}
_SECTIONS = {'services': ('plan.Service', _SERVICE_FIELDS),
             'checks': ('plan.Check', _CHECK_FIELDS),
             'log-targets': ('plan.LogTarget', _TARGET_FIELDS)}
_ACTIONS = {'', 'restart', 'shutdown', 'ignore'}
_TARGET_TYPES = ('loki', 'opentelemetry', 'syslog')
#: Fields Go marshals even when empty (no ``omitempty``).
_ALWAYS = {'log-targets': ('type', 'location', 'services')}


class PlanError(ValueError):
    """A layer or the plan it makes is invalid; the message is Pebble's."""


Item = dict[str, Any]


@dataclasses.dataclass
class Layer:
    """One layer as added: its label, order and items by name."""

    label: str
    order: int = 0
    summary: str = ''
    description: str = ''
    services: dict[str, Item] = dataclasses.field(default_factory=dict)
    checks: dict[str, Item] = dataclasses.field(default_factory=dict)
    log_targets: dict[str, Item] = dataclasses.field(default_factory=dict)

    def section(self, name: str) -> dict[str, Item]:
        """The items of section *name* (``services``, ``checks``, ``log-targets``)."""
        return getattr(self, name.replace('-', '_'))  # type: ignore[no-any-return]


@dataclasses.dataclass
class Plan:
    """The layers and what they combine into (defaults applied, validated)."""

    layers: list[Layer] = dataclasses.field(default_factory=list)
    services: dict[str, Item] = dataclasses.field(default_factory=dict)
    checks: dict[str, Item] = dataclasses.field(default_factory=dict)
    log_targets: dict[str, Item] = dataclasses.field(default_factory=dict)


# --- reading -------------------------------------------------------------------------

def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _convert(kind: str, key: str, value: Any, where: str) -> Any:
    """*value* of field *key* as its *kind*, or a PlanError in Go's decoding words."""
    if kind == 'duration':
        if isinstance(value, dict | list) or value is None:
            raise PlanError(f'{where}: duration must be a YAML string')
        try:
            return parse_go_duration(_scalar_text(value))
        except ValueError:
            raise PlanError(f'{where}: invalid duration "{_scalar_text(value)}"') from None
    if kind == 'float':
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise PlanError(f'{where}: value must be a YAML number')
        try:
            return float(value)
        except ValueError:
            raise PlanError(f'{where}: invalid floating-point number "{value}"') from None
    if kind == 'int':
        if isinstance(value, bool) or not isinstance(value, int):
            raise PlanError(f'{where}: cannot unmarshal {value!r} into field "{key}" '
                            f'(an integer)')
        return value
    if kind == 'str':
        if isinstance(value, dict | list):
            raise PlanError(f'{where}: cannot unmarshal a collection into field "{key}" '
                            f'(a string)')
        return '' if value is None else _scalar_text(value)
    if kind == 'list':
        if value is None:
            return []
        if not isinstance(value, list) or any(isinstance(v, dict | list) for v in value):
            raise PlanError(f'{where}: field "{key}" must be a list of strings')
        return [_scalar_text(v) for v in value]
    if kind == 'map':
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, dict | list)
                                              for v in value.values()):
            raise PlanError(f'{where}: field "{key}" must be a mapping of strings')
        return {_scalar_text(k): _scalar_text(v) for k, v in value.items()}
    return _read_fields(_PROBE_FIELDS[kind], value, where, f'plan.{kind.upper()}Check')


def _read_fields(fields: dict[str, str], raw: Any, where: str, type_name: str) -> Item:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PlanError(f'{where}: cannot unmarshal {type(raw).__name__} into {type_name}')
    item: Item = {}
    for key, value in raw.items():
        kind = fields.get(str(key))
        if kind is None:
            raise PlanError(f'{where}: field {key} not found in type {type_name}')
        item[key] = _convert(kind, key, value, where)
    return item


def parse_layer(label: str, text: str) -> Layer:
    """The layer *label* from its YAML *text*, checked as Pebble checks one layer."""
    try:
        data = _yaml.safe_load(text)
    except Exception as exc:  # PyYAML's errors name the line and column
        raise PlanError(f'cannot parse layer "{label}": {exc}') from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlanError(f'cannot parse layer "{label}": the layer must be a YAML mapping')
    layer = Layer(label)
    for field, value in data.items():
        where = f'cannot parse layer "{label}" section "{field}"'
        if field in ('summary', 'description'):
            setattr(layer, field, _convert('str', field, value, where))
        elif field in _SECTIONS:
            type_name, fields = _SECTIONS[field]
            if value is not None and not isinstance(value, dict):
                raise PlanError(f'{where}: the section must be a mapping of names')
            items = layer.section(field)
            for name, raw in (value or {}).items():
                name = _scalar_text(name)
                items[name] = (None if raw is None  # type: ignore[assignment]
                               else _read_fields(fields, raw, where, type_name))
        else:
            raise PlanError(f'cannot parse layer "{label}": unknown section "{field}"')
    _validate_layer(layer)
    return layer


def parse_command(name: str, command: str) -> tuple[list[str], list[str]]:
    """A service's command split as Pebble does: the base and the ``[ ... ]`` defaults."""
    try:
        args = shlex.split(command)
    except ValueError as exc:
        raise PlanError(f'cannot parse service "{name}" command: {exc}') from None
    base: list[str] = []
    extra: list[str] = []
    inside = seen = False
    for index, arg in enumerate(args):
        problem = ''
        if inside:
            if arg == '[':
                problem = 'cannot nest [ ... ] groups'
            elif arg == ']':
                inside = False
            else:
                extra.append(arg)
        elif seen:
            problem = 'cannot have any arguments after [ ... ] group'
        elif arg == '[':
            problem = 'cannot start command with [ ... ] group' if index == 0 else ''
            inside = seen = True
        elif arg == ']':
            problem = 'cannot have ] outside of [ ... ] group'
        else:
            base.append(arg)
        if problem:
            raise PlanError(f'cannot parse service "{name}" command: {problem}')
    return base, extra


# --- validation ----------------------------------------------------------------------

def _validate_layer(layer: Layer) -> None:
    if layer.label.startswith('pebble-'):
        raise PlanError('cannot use reserved label prefix "pebble-"')
    for name, service in layer.services.items():
        _validate_service(name, service)
    for name, check in layer.checks.items():
        _validate_check(name, check)
    for name, target in layer.log_targets.items():
        if target is None:
            raise PlanError(f'log target object cannot be null for log target "{name}"')
        for label in target.get('labels', {}):
            if label.startswith('pebble_'):
                raise PlanError(f'log target "{name}": label "{label}" uses reserved '
                                f'prefix "pebble_"')
        kind = target.get('type', '')
        if kind and kind not in _TARGET_TYPES:
            raise PlanError(f'log target "{name}" has unsupported type "{kind}", must be '
                            f'"loki", "opentelemetry" or "syslog"')


def _validate_service(name: str, service: Item | None) -> None:
    if name == '':
        raise PlanError('cannot use empty string as service name')
    if name == 'pebble':
        raise PlanError(f'cannot use reserved service name "{name}"')
    if name.startswith('-'):
        raise PlanError(f'cannot use service name "{name}": starting with "-" not allowed')
    if service is None:
        raise PlanError(f'service object cannot be null for service "{name}"')
    try:
        parse_command(name, service.get('command', ''))
    except PlanError as exc:
        raise PlanError(f'plan service "{name}" command invalid: {exc}') from None
    for field, extra in (('on-success', 'failure-shutdown'), ('on-failure', 'success-shutdown')):
        action = service.get(field, '')
        if action not in _ACTIONS and action != extra:
            raise PlanError(f'plan service "{name}" {field} action "{action}" invalid')
    for action in service.get('on-check-failure', {}).values():
        if action not in _ACTIONS and action != 'success-shutdown':
            raise PlanError(f'plan service "{name}" on-check-failure action "{action}" invalid')
    factor = service.get('backoff-factor')
    if factor is not None and factor < 1:
        raise PlanError(f'plan service "{name}" backoff-factor must be 1.0 or greater, '
                        f'not {factor:g}')


def _validate_check(name: str, check: Item | None) -> None:
    if name == '':
        raise PlanError('cannot use empty string as check name')
    if check is None:
        raise PlanError(f'check object cannot be null for check "{name}"')
    if check.get('level', '') not in ('', 'alive', 'ready'):
        raise PlanError(f'plan check "{name}" level must be "alive" or "ready"')
    if check.get('startup', '') not in ('', 'enabled', 'disabled'):
        raise PlanError(f'plan check "{name}" startup must be "enabled" or "disabled"')
    for field in ('period', 'timeout'):
        if check.get(field) == 0:
            raise PlanError(f'plan check "{name}" {field} must not be zero')
    if 'exec' in check:
        try:
            shlex.split(check['exec'].get('command', ''))
        except ValueError as exc:
            raise PlanError(f'plan check "{name}" command invalid: {exc}') from None


def _validate_plan(plan: Plan) -> None:
    for name, service in plan.services.items():
        if not service.get('command'):
            raise PlanError(f'plan must define "command" for service "{name}"')
    for name, check in plan.checks.items():
        probes = [kind for kind in ('http', 'tcp', 'exec') if kind in check]
        required = {'http': ('url', 'url'), 'tcp': ('port', 'port'),
                    'exec': ('command', 'command')}
        for kind in probes:
            field = required[kind][0]
            if not check[kind].get(field):
                raise PlanError(f'plan must set "{field}" for {kind} check "{name}"')
        context = check.get('exec', {}).get('service-context', '')
        if context and context not in plan.services:
            raise PlanError(f'plan check "{name}" service context specifies non-existent '
                            f'service "{context}"')
        if len(probes) != 1:
            raise PlanError(f'plan must specify one of "http", "tcp", or "exec" for check '
                            f'"{name}"')
    for name, target in plan.log_targets.items():
        if not target.get('type'):
            raise PlanError(f'plan must define "type" ("loki", "opentelemetry" or "syslog") '
                            f'for log target "{name}"')
        for service in target.get('services', []):
            service = service.removeprefix('-')
            if service != 'all' and service not in plan.services:
                raise PlanError(f'log target "{name}" specifies unknown service "{service}"')
        if not target.get('location'):
            raise PlanError(f'plan must define "location" for log target "{name}"')
    _order(plan.services, list(plan.services), stop=False)


# --- combining -----------------------------------------------------------------------

def _merge(old: Item, new: Item) -> None:
    for key, value in new.items():
        if key == 'override':
            continue  # the item keeps the override it was first given, as in Pebble
        if isinstance(value, list):
            old[key] = [*old.get(key, []), *value]
        elif isinstance(value, dict) and key in _PROBE_FIELDS:
            probe = old.setdefault(key, {})
            _merge(probe, value)
        elif isinstance(value, dict):
            old[key] = {**old.get(key, {}), **value}
        elif value in ('', None) and key not in ('user-id', 'group-id'):
            continue  # Pebble reads an empty field as unset
        elif key == 'threshold' and value == 0:
            continue
        else:
            old[key] = value


def _copy(item: Item) -> Item:
    return {key: (_copy(value) if isinstance(value, dict) else
                  list(value) if isinstance(value, list) else value)
            for key, value in item.items()}


def combine(label: str, layers: list[Layer]) -> Layer:
    """*layers* laid over each other in order, as one layer (not yet defaulted)."""
    combined = Layer(label)
    if layers:
        combined.summary, combined.description = layers[-1].summary, layers[-1].description
    for layer in layers:
        for section, noun in (('services', 'service'), ('checks', 'check'),
                              ('log-targets', 'log target')):
            into = combined.section(section)
            for name, item in layer.section(section).items():
                override = item.get('override', '')
                if override == 'merge' and name in into:
                    _merge(into[name], item)
                elif override in ('merge', 'replace'):
                    into[name] = _copy(item)
                elif override == '':
                    raise PlanError(f'layer "{layer.label}" must define "override" for '
                                    f'{noun} "{name}"')
                else:
                    raise PlanError(f'layer "{layer.label}" has invalid "override" value '
                                    f'for {noun} "{name}"')
    return combined


def make_plan(layers: list[Layer]) -> Plan:
    """The plan of *layers*: combined and validated (defaults are read where used)."""
    combined = combine('', layers)
    plan = Plan(layers, combined.services, combined.checks, combined.log_targets)
    for check in plan.checks.values():
        if not check.get('threshold'):
            check['threshold'] = DEFAULT_CHECK_THRESHOLD  # Pebble writes this default out
    _validate_plan(plan)
    return plan


def check_period(check: Item) -> float:
    """The check's period in seconds (10s unless set)."""
    return float(check.get('period', DEFAULT_CHECK_PERIOD))


def check_timeout(check: Item) -> float:
    """The check's timeout in seconds: 3s unless set, never more than the period."""
    return min(float(check.get('timeout', DEFAULT_CHECK_TIMEOUT)), check_period(check))


# --- ordering ------------------------------------------------------------------------

def _strongly_connected(successors: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's components of the graph, each finished after those it leads to."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    output: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in successors.get(node, []):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            output.append(sorted(component))

    for node in sorted(successors):
        if node not in index:
            connect(node)
    return output


def _order(services: dict[str, Item], names: list[str], *, stop: bool) -> list[str]:
    """*names* and what they pull in (requires; for stop, what requires them), ordered."""
    dependants: dict[str, list[str]] = {}
    if stop:
        for name, service in services.items():
            for required in service.get('requires', []):
                dependants.setdefault(required, []).append(name)
    successors: dict[str, list[str]] = {}
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name in successors:
            continue
        successors[name] = []
        if stop:
            pending.extend(dependants.get(name, []))
        elif name not in services:
            raise PlanError(f'service "{name}" does not exist')
        else:
            pending.extend(services[name].get('requires', []))
    for name in list(successors):
        if name not in services:
            raise PlanError(f'service "{name}" does not exist')
        after = services[name].get('after', [])
        before = services[name].get('before', [])
        if stop:
            after, before = before, after
        successors[name].extend(a for a in after if a in successors)
        for b in before:
            if b in successors:
                successors[b].append(name)
    order: list[str] = []
    for component in _strongly_connected(successors):
        if len(component) > 1:
            raise PlanError(f'services in before/after loop: {", ".join(component)}')
        order.append(component[0])
    return order


def _lanes(names: list[str], services: dict[str, Item]) -> list[list[str]]:
    """Pebble's lanes: a service runs in the lane of what it requires, else in the lane
    after the last one used (Pebble's numbering, so such a lane may be shared)."""
    lane_of: dict[str, int] = {}
    lane = -1
    for name in names:
        requires = services[name].get('requires', [])
        found = lane_of.get(name)
        if found is None:
            found = next((lane_of[r] for r in requires if r in lane_of), None)
        lane = lane + 1 if found is None else found
        lane_of[name] = lane
        for required in requires:
            lane_of[required] = lane
    lanes: list[list[str]] = [[] for _ in range(max(lane_of.values(), default=-1) + 1)]
    for name in names:
        lanes[lane_of[name]].append(name)
    return [lane for lane in lanes if lane]


def start_lanes(plan: Plan, names: list[str]) -> list[list[str]]:
    """The services to start for *names* (with what they require), in lanes, in order."""
    return _lanes(_order(plan.services, names, stop=False), plan.services)


def stop_lanes(plan: Plan, names: list[str]) -> list[list[str]]:
    """The services to stop for *names* (with what requires them), in lanes, in order."""
    return _lanes(_order(plan.services, names, stop=True), plan.services)


# --- writing -------------------------------------------------------------------------

def _out_value(kind: str, value: Any) -> Any:
    if kind == 'duration':
        return go_duration(value)
    if kind == 'float':
        return int(value) if float(value).is_integer() else value
    if kind in _PROBE_FIELDS:
        return _out_item(_PROBE_FIELDS[kind], value, ())
    return value


def _out_item(fields: dict[str, str], item: Item, always: tuple[str, ...]) -> Item:
    out: Item = {}
    for key, kind in fields.items():
        value = item.get(key)
        if key in always:
            out[key] = value if value is not None else ([] if kind == 'list' else '')
        elif value not in (None, '', [], {}) or key in ('user-id', 'group-id') and \
                value is not None:
            out[key] = _out_value(kind, value)
    return out


class _GoStyleDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, indenting sequences under their key as Go's yaml.v3 does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def plan_yaml(plan: Plan) -> str:
    """The plan as Pebble writes it for ``GET /v1/plan?format=yaml``."""
    out: Item = {}
    for section, (_, fields) in _SECTIONS.items():
        items = getattr(plan, section.replace('-', '_'))
        if items:
            out[section] = {name: _out_item(fields, items[name], _ALWAYS.get(section, ()))
                            for name in sorted(items)}
    return str(yaml.dump(out, Dumper=_GoStyleDumper, sort_keys=False, indent=4,
                               default_flow_style=False, allow_unicode=True, width=1 << 30))
