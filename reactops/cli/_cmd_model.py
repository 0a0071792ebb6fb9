"""The local-model commands: ``reactops run``, ``config``, ``relate``, ``status`` and friends.

Each command opens the model in ``--model-dir`` (default ``$REACTOPS_MODEL_DIR`` or
``.reactops``), changes it, runs the hooks that change causes until the model is quiet
(printing a line per hook), and prints the status table.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError

if TYPE_CHECKING:
    from ..localmodel import LocalModel

__all__ = ['register']


def register(subparsers: Any) -> None:
    """Add the local-model commands to the ``reactops`` parser."""
    def add(name: str, func: Callable[[argparse.Namespace], int], help: str
            ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help,
                                                                description=help)
        parser.add_argument('--model-dir', metavar='DIR',
                            help='the local model directory (default: $REACTOPS_MODEL_DIR '
                                 'or .reactops)')
        parser.set_defaults(func=func)
        return parser

    p = add('run', _run, 'deploy a bundle (or charm directories) into a new local model and '
                         'run its hooks until it settles')
    p.add_argument('targets', nargs='+', metavar='BUNDLE.yaml|CHARM_DIR')
    add('status', _status, 'show the applications and units of the local model')
    p = add('config', _config, "set applications' config options; config-changed runs")
    p.add_argument('app', metavar='APP')
    p.add_argument('values', nargs='*', metavar='KEY=VALUE')
    p = add('relate', _relate, 'relate two applications')
    p.add_argument('end1', metavar='APP[:ENDPOINT]')
    p.add_argument('end2', metavar='APP[:ENDPOINT]')
    p = add('remove-relation', _remove_relation, 'remove a relation (departed, then broken)')
    p.add_argument('end1', metavar='APP[:ENDPOINT]')
    p.add_argument('end2', metavar='APP[:ENDPOINT]')
    p = add('add-unit', _add_unit, 'add a unit to an application')
    p.add_argument('app', metavar='APP')
    p = add('run-action', _run_action, 'run an action on a unit and show its results')
    p.add_argument('unit', metavar='UNIT')
    p.add_argument('action', metavar='ACTION')
    p.add_argument('params', nargs='*', metavar='KEY=VALUE')
    add('update-status', _update_status, 'run update-status on every unit')
    p = add('resolve', _resolve, 'take a unit out of error and retry its failed hook')
    p.add_argument('unit', metavar='UNIT')
    p = add('log', _log, "show a unit's hooks, their juju-log lines and failed hooks' output")
    p.add_argument('unit', metavar='UNIT')
    p.add_argument('--all', action='store_true', help="also show successful hooks' output")
    p = add('flags', _flags, "list a unit's flags and their values")
    p.add_argument('unit', metavar='UNIT')


@contextmanager
def _model(args: argparse.Namespace, *, quiet: bool = False) -> Iterator[LocalModel]:
    """The model of ``--model-dir``, with progress lines on stdout; closed afterwards."""
    from ..localmodel import LocalModel, model_dir

    model = LocalModel(model_dir(args.model_dir), progress=None if quiet else _print)
    try:
        yield model
    finally:
        model.close()


def _print(line: str) -> None:
    print(line, flush=True)


def _settle_and_show(model: LocalModel) -> int:
    """Run the queued hooks, print the status table; 1 when a unit is in error."""
    stuck = model.settle()
    _print_status(model)
    for unit in stuck:
        print(f'\n{unit.name} is in error: hook "{unit.error_hook}" failed. See '
              f'"reactops log {unit.name}"; fix the charm, then "reactops resolve '
              f'{unit.name}".', file=sys.stderr)
    return 1 if stuck else 0


def _print_status(model: LocalModel) -> None:
    rows = [('App', 'Unit', 'Workload', 'Message', 'Flags')]
    for unit in model.state.units():
        status = 'error' if unit.error_hook else unit.status
        message = f'hook failed: "{unit.error_hook}"' if unit.error_hook else unit.message
        leader = '*' if model.state.app(unit.app).leader == unit.name else ''
        flags = ' '.join(f for f in model.flags(unit.name) if not f.startswith('endpoint.'))
        rows.append((unit.app, unit.name + leader, status, message, flags or '-'))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    for row in rows:
        print('  '.join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + '  ' + row[4])
    relations = [r for r in model.state.relations() if not r.is_peer]
    if relations:
        print('\nRelations:')
        for rel in relations:
            state = ' (removing)' if rel.dying else ''
            print(f'  {rel.app1}:{rel.ep1} <-> {rel.app2}:{rel.ep2} ({rel.interface}, '
                  f'id {rel.id}){state}')


def _key_values(items: list[str], what: str) -> dict[str, str]:
    values = {}
    for item in items:
        key, eq, value = item.partition('=')
        if not eq or not key:
            raise CliError(f'{what} must be given as key=value, not {item!r}')
        values[key] = value
    return values


def _run(args: argparse.Namespace) -> int:
    from ..localmodel import bundle_from_charm_dirs, load_bundle

    targets = [Path(t) for t in args.targets]
    if len(targets) == 1 and targets[0].is_file():
        bundle = load_bundle(targets[0])
    elif any(t.is_file() for t in targets):
        raise CliError('give one bundle file, or one or more charm directories')
    else:
        bundle = bundle_from_charm_dirs(targets)
    with _model(args) as model:
        model.create()
        model.deploy_bundle(bundle)
        names = ', '.join(a.name for a in bundle.applications)
        print(f'Deployed {names} into {model.dir}; running hooks...', flush=True)
        return _settle_and_show(model)


def _status(args: argparse.Namespace) -> int:
    with _model(args) as model:
        waiting = model.state.queued()
        _print_status(model)
        if waiting:
            print(f'\n{waiting} hook(s) queued (units in error wait for "reactops resolve")')
    return 0


def _config(args: argparse.Namespace) -> int:
    with _model(args) as model:
        if not args.values:
            for key, value in sorted(model.state.app(args.app).config.items()):
                print(f'{key}={json.dumps(value)}')
            return 0
        model.configure(args.app, _key_values(args.values, 'config options'))
        return _settle_and_show(model)


def _relate(args: argparse.Namespace) -> int:
    with _model(args) as model:
        rel = model.relate(args.end1, args.end2)
        print(f'Related {rel.app1}:{rel.ep1} and {rel.app2}:{rel.ep2} (id {rel.id})')
        return _settle_and_show(model)


def _remove_relation(args: argparse.Namespace) -> int:
    with _model(args) as model:
        rel = model.remove_relation(args.end1, args.end2)
        print(f'Removing {rel.app1}:{rel.ep1} <-> {rel.app2}:{rel.ep2} (id {rel.id})')
        return _settle_and_show(model)


def _add_unit(args: argparse.Namespace) -> int:
    with _model(args) as model:
        print(f'Added {model.add_unit(args.app)}')
        return _settle_and_show(model)


def _run_action(args: argparse.Namespace) -> int:
    import yaml

    params = {}
    for key, text in _key_values(args.params, 'action parameters').items():
        try:
            params[key] = yaml.safe_load(text) if text else ''  # as "juju run" reads them
        except yaml.YAMLError:
            params[key] = text
    with _model(args) as model:
        model.settle()
        record = model.run_action(args.unit, args.action, params)
        code = _settle_and_show(model)
    print(f'\nAction {record["action"]} on {record["unit"]}: {record["status"]}'
          + (f' ({record["message"]})' if record['message'] else ''))
    for line in record['log']:
        print(f'  log: {line}')
    if record['results']:
        print(yaml.safe_dump({'results': record['results']}, sort_keys=True).rstrip())
    return 1 if record['status'] != 'completed' else code


def _update_status(args: argparse.Namespace) -> int:
    with _model(args) as model:
        model.update_status()
        return _settle_and_show(model)


def _resolve(args: argparse.Namespace) -> int:
    with _model(args) as model:
        hook = model.resolve(args.unit)
        print(f'Retrying "{hook}" on {args.unit}')
        return _settle_and_show(model)


def _log(args: argparse.Namespace) -> int:
    with _model(args, quiet=True) as model:
        for run, lines in model.hook_runs(args.unit):
            outcome = 'ok' if run.code == 0 else f'FAILED (exit {run.code})'
            print(f'#{run.id} {run.hook}: {outcome} in {run.seconds or 0:.2f}s')
            for level, message in lines:
                print(f'  {level} {message}'.replace('\n', '\n    '))
            if run.output.strip() and (run.code != 0 or args.all):
                print('  output:\n    ' + run.output.rstrip().replace('\n', '\n    '))
    return 0


def _flags(args: argparse.Namespace) -> int:
    with _model(args, quiet=True) as model:
        for flag, value in model.flags(args.unit).items():
            print(flag if value is None else f'{flag} = {json.dumps(value)}')
    return 0
