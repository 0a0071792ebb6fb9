"""What the model commands print: ``--format json|yaml|tabular``, the documents, the table.

The shapes are part of the interface (docs/output-formats.md):
the status document follows ``juju status --format json`` where the local model has the
same thing, and adds reactops' own (each unit's flags, its containers). A key is only
ever added, never renamed or removed, without a note in the changelog.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..localmodel import LocalModel

__all__ = ['FORMATS', 'add_format_option', 'dump', 'log_document', 'machine_readable',
           'print_status_table', 'status_document']

#: The values ``--format`` takes; the first is the default (the tables and lines of old).
FORMATS = ('tabular', 'json', 'yaml')


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """Give a command ``--format``."""
    parser.add_argument('--format', choices=FORMATS, default='tabular',
                        help='print the result as a table and lines for people (default), '
                             'or as JSON or YAML for programs; with json and yaml, what '
                             'runs meanwhile (a line per hook) goes to stderr')


def machine_readable(args: argparse.Namespace) -> bool:
    """Whether the command prints a document (JSON or YAML) rather than text for people."""
    return getattr(args, 'format', 'tabular') != 'tabular'


def dump(args: argparse.Namespace, document: Any) -> None:
    """Print *document* on stdout in the command's ``--format`` (json or yaml)."""
    if args.format == 'json':
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + '\n')
    else:
        import yaml

        sys.stdout.write(yaml.safe_dump(document, sort_keys=True, default_flow_style=False))
    sys.stdout.flush()


def status_document(model: LocalModel) -> dict[str, Any]:
    """The model's status, shaped like ``juju status --format json``."""
    from ..localmodel._model import MODEL_NAME

    state = model.state
    in_error = [u.name for u in state.units() if u.error_hook]
    behind = sum(state.queued(unit) for unit in in_error)
    applications: dict[str, Any] = {}
    for app in state.apps():
        applications[app.name] = {
            'charm': app.charm,
            'charm-version': app.version,
            'application-status': {'current': app.status, 'message': app.message},
            'units': {unit.name: _unit_document(model, unit, app.leader)
                      for unit in state.units(app.name)},
            'relations': {},
        }
    for rel in state.relations():
        ends = [(rel.app1, rel.ep1, rel.app2)]
        if not rel.is_peer:
            ends.append((rel.app2, rel.ep2, rel.app1))
        for app_name, endpoint, other in ends:
            if app_name not in applications:
                continue
            applications[app_name]['relations'].setdefault(endpoint, []).append({
                'related-application': other, 'interface': rel.interface,
                'scope': 'global', 'relation-id': rel.id, 'dying': rel.dying})
    return {
        'model': {'name': MODEL_NAME, 'type': 'local', 'directory': str(model.dir),
                  'queued-hooks': state.queued() - behind,
                  'hooks-behind-errors': behind},
        'applications': applications,
    }


def _unit_document(model: LocalModel, unit: Any, leader: str | None) -> dict[str, Any]:
    """One unit's entry in the status document."""
    if unit.error_hook:
        workload = {'current': 'error', 'message': f'hook failed: "{unit.error_hook}"'}
    else:
        workload = {'current': unit.status, 'message': unit.message}
    document: dict[str, Any] = {
        'workload-status': workload,
        'juju-status': {'current': 'idle'},
        'leader': leader == unit.name,
        'address': unit.address,
        'open-ports': list(unit.ports),
        'flags': model.flags(unit.name),
    }
    containers = {view.name: {
        'image': view.image, 'resource': view.resource,
        'manager': {'current': 'down' if view.pid is None else 'up', 'pid': view.pid},
        'services': {name: {'current': current} for name, current in view.services},
        'checks': {name: {'status': status, 'failures': failures, 'threshold': threshold}
                   for name, status, failures, threshold in view.checks},
        'problem': view.problem,
    } for view in model.containers(unit.name)}
    if containers:
        document['containers'] = containers
    return document


def print_status_table(model: LocalModel) -> None:
    """The status table: a row per unit, its containers under it, then the relations."""
    rows = [('App', 'Unit', 'Workload', 'Message', 'Flags')]
    below: dict[int, list[str]] = {}  # the lines under a row: its unit's containers
    for unit in model.state.units():
        status = 'error' if unit.error_hook else unit.status
        message = f'hook failed: "{unit.error_hook}"' if unit.error_hook else unit.message
        leader = '*' if model.state.app(unit.app).leader == unit.name else ''
        flags = ' '.join(f for f in model.flags(unit.name) if not f.startswith('endpoint.'))
        below[len(rows)] = _container_lines(model, unit.name)
        rows.append((unit.app, unit.name + leader, status, message, flags or '-'))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    for number, row in enumerate(rows):
        print('  '.join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + '  ' + row[4])
        for line in below.get(number, []):
            print(' ' * (widths[0] + 2) + line)
    if any(below.values()):
        print('\nImages are recorded, not pulled: the workloads run on this machine.')
    relations = [r for r in model.state.relations() if not r.is_peer]
    if relations:
        print('\nRelations:')
        for rel in relations:
            state = ' (removing)' if rel.dying else ''
            print(f'  {rel.app1}:{rel.ep1} <-> {rel.app2}:{rel.ep2} ({rel.interface}, '
                  f'id {rel.id}){state}')


def _container_lines(model: LocalModel, unit: str) -> list[str]:
    """What the status shows of *unit*'s containers: manager, image, services, checks."""
    lines = []
    for view in model.containers(unit):
        manager = 'down' if view.pid is None else f'up (pid {view.pid})'
        image = view.image or 'none named'
        resource = f' ({view.resource})' if view.resource else ''
        lines.append(f'container {view.name}: manager {manager}, image {image}{resource}')
        lines += [f'  service {name}: {current}' for name, current in view.services]
        lines += [f'  check {name}: {status} ({failures}/{threshold} failures)'
                  for name, status, failures, threshold in view.checks]
        if view.problem:
            lines.append(f'  cannot read its services and checks: {view.problem}')
    return lines


def log_document(model: LocalModel, unit: str) -> list[dict[str, Any]]:
    """Each hook *unit* ran, oldest first, with its juju-log lines and full output."""
    return [{'id': run.id, 'hook': run.hook, 'code': run.code, 'seconds': run.seconds,
             'logs': [{'level': level, 'message': message} for level, message in lines],
             'output': run.output}
            for run, lines in model.hook_runs(unit)]
