"""The local-model commands: ``reactops run``, ``config``, ``relate``, ``status`` and friends.

Each command opens the model in ``--model-dir`` (default ``$REACTOPS_MODEL_DIR`` or
``.reactops``), changes it, runs the hooks that change causes until the model is quiet
(printing a line per hook, and on a terminal a live line for the hook running now), and
prints the status table (``--format json|yaml``: a document, the lines going to stderr).
Juju 3's names come first (``integrate``), juju 2's stay as aliases (``relate``). A
command that changes the model or runs its hooks holds the model's lock throughout;
another one waits for it. A Kubernetes charm's workloads keep running between commands,
until ``reactops stop`` or ``reactops destroy``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError, add_model_dir_option
from ._output import (
    add_format_option,
    dump,
    log_document,
    machine_readable,
    print_status_table,
    status_document,
)

if TYPE_CHECKING:
    from ..localmodel import LocalModel

__all__ = ['register']


def register(subparsers: Any) -> None:
    """Add the local-model commands to the ``reactops`` parser."""
    def add(name: str, func: Callable[[argparse.Namespace], int], help: str,
            settles: bool = True, formats: bool = True,
            aliases: tuple[str, ...] = ()) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subparsers.add_parser(
            name, help=help, description=help, aliases=list(aliases))
        add_model_dir_option(parser)
        if formats:
            add_format_option(parser)
        if settles:
            parser.add_argument('--max-hooks', metavar='N', type=_positive,
                                help='run at most N hooks before calling the model unsettled '
                                     '(default: grows with the units and relations)')
            parser.add_argument('--jobs', metavar='N', type=_positive,
                                help='let up to N units run a hook at the same time (default: '
                                     '2 with 2 cores or more; 1 runs one hook at a time, in '
                                     'queue order)')
        parser.set_defaults(func=func)
        return parser

    p = add('run', _run, 'deploy a bundle (or charm directories) into a new local model and '
                         'run its hooks until it settles')
    p.add_argument('targets', nargs='+', metavar='BUNDLE.yaml|CHARM_DIR')
    p.add_argument('--max-units', metavar='N', type=_positive,
                   help=f'allow up to N units per application (default {_max_units()})')
    p = add('settle', _settle, 'run the queued hooks until the model settles')
    p.add_argument('--watch', metavar='SECONDS', type=_seconds,
                   help='then keep settling for SECONDS, running the workload events '
                        '(checks failing, notices) as the workloads report them')
    add('status', _status, 'show the applications and units of the local model', False)
    p = add('config', _config, "set applications' config options; config-changed runs")
    p.add_argument('app', metavar='APP')
    p.add_argument('values', nargs='*', metavar='KEY=VALUE')
    p = add('integrate', _relate, 'relate two applications', aliases=('relate',))
    p.add_argument('end1', metavar='APP[:ENDPOINT]')
    p.add_argument('end2', metavar='APP[:ENDPOINT]')
    p = add('remove-relation', _remove_relation, 'remove a relation (departed, then broken)')
    p.add_argument('end1', metavar='APP[:ENDPOINT]')
    p.add_argument('end2', metavar='APP[:ENDPOINT]')
    p = add('add-unit', _add_unit, 'add a unit to an application')
    p.add_argument('app', metavar='APP')
    p.add_argument('--max-units', metavar='N', type=_positive,
                   help=f'allow up to N units per application (default {_max_units()})')
    p = add('run-action', _run_action, 'run an action on a unit and show its results',
            aliases=('action',))
    p.add_argument('unit', metavar='UNIT')
    p.add_argument('action', metavar='ACTION')
    p.add_argument('params', nargs='*', metavar='KEY=VALUE')
    add('update-status', _update_status, 'run update-status on every unit')
    p = add('resolve', _resolve, 'take a unit out of error and retry its failed hook',
            aliases=('resolved',))
    p.add_argument('unit', metavar='UNIT')
    p = add('log', _log, "show a unit's hooks, their juju-log lines and failed hooks' output",
            False, aliases=('debug-log',))
    p.add_argument('unit', metavar='UNIT')
    p.add_argument('--all', action='store_true', help="also show successful hooks' output")
    p = add('flags', _flags, "list a unit's flags and their values", False)
    p.add_argument('unit', metavar='UNIT')
    add('stop', _stop, "stop the model's workloads (each container's workload manager and "
                       'its services); the model stays, and the next command that settles '
                       'starts them again', False, formats=False)
    add('destroy', _destroy, "stop the model's workloads and remove the model directory",
        False, formats=False)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be a whole number of at least 1, not {text!r}')
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f'must be a number of seconds above 0, not {text!r}')
    return value


def _max_units() -> int:
    from ..localmodel._checks import MAX_UNITS

    return MAX_UNITS


def _lock_timeout() -> float:
    """How long to wait for another command: ``$REACTOPS_LOCK_TIMEOUT`` seconds, or the
    model's default."""
    from ..localmodel._model import LOCK_TIMEOUT

    text = os.environ.get('REACTOPS_LOCK_TIMEOUT', '')
    try:
        value = float(text) if text else LOCK_TIMEOUT
    except ValueError:
        raise CliError(f'$REACTOPS_LOCK_TIMEOUT must be a number of seconds, not '
                       f'{text[:40]!r}') from None
    if not value >= 0:
        raise CliError('$REACTOPS_LOCK_TIMEOUT must be a number of seconds, at least 0')
    return value


@contextmanager
def _model(args: argparse.Namespace, *, quiet: bool = False, lock: bool = True,
           create: bool = False) -> Iterator[LocalModel]:
    """The model of ``--model-dir``, with progress lines on stdout (stderr when the
    output is a document); closed afterwards.

    With *lock*, the command holds the model's lock throughout (with *create*, making the
    model directory when there is none), and shows the live line while hooks run.
    """
    from ..localmodel import LocalModel, model_dir
    from ..localmodel._model import DB_NAME
    from ._live import LiveLine

    directory = model_dir(args.model_dir)
    model = LocalModel(directory, notice=_print_err, lock_timeout=_lock_timeout(),
                       max_units=getattr(args, 'max_units', None) or _max_units(),
                       jobs=getattr(args, 'jobs', None))
    try:
        if lock:
            with model.locked(f'"reactops {args.command}"', create=create), \
                    LiveLine(directory / DB_NAME) as live:
                if not quiet:
                    model.progress = live.wrap(lambda line: _say(args, line))
                yield model
        else:
            if not quiet:
                model.progress = lambda line: _say(args, line)
            yield model
    finally:
        model.close()


def _say(args: argparse.Namespace, line: str) -> None:
    """Print a line for people: on stdout, or on stderr when stdout carries a document."""
    print(line, file=sys.stderr if machine_readable(args) else sys.stdout, flush=True)


def _print_err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _settle_and_show(model: LocalModel, args: argparse.Namespace) -> int:
    """Run the queued hooks, print the status table; 1 when a unit is in error."""
    stuck = model.settle(args.max_hooks)
    _show_status(model, args)
    for unit in stuck:
        print(f'\n{unit.name} is in error: hook "{unit.error_hook}" failed. See '
              f'"reactops log {unit.name}"; fix the charm, then "reactops resolve '
              f'{unit.name}".', file=sys.stderr)
    return 1 if stuck else 0


def _show_status(model: LocalModel, args: argparse.Namespace) -> None:
    """The status table, or the status document in the command's ``--format``."""
    if machine_readable(args):
        dump(args, status_document(model))
    else:
        print_status_table(model)


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
        bundle = load_bundle(targets[0], max_units=args.max_units or _max_units())
    elif any(t.is_file() for t in targets):
        raise CliError('give one bundle file, or one or more charm directories')
    else:
        bundle = bundle_from_charm_dirs(targets)
    with _model(args, create=True) as model:
        model.create()
        model.deploy_bundle(bundle)
        names = ', '.join(a.name for a in bundle.applications)
        _say(args, f'Deployed {names} into {model.dir}; running hooks...')
        return _settle_and_show(model, args)


def _settle(args: argparse.Namespace) -> int:
    with _model(args) as model:
        if args.watch:
            model.watch(args.watch, max_hooks=args.max_hooks)
        return _settle_and_show(model, args)


def _status(args: argparse.Namespace) -> int:
    with _model(args, lock=False) as model:
        _show_status(model, args)
        if machine_readable(args):
            return 0
        in_error = [u.name for u in model.state.units() if u.error_hook]
        waiting = model.state.queued()
        behind = sum(model.state.queued(unit) for unit in in_error)
        if behind:
            print(f'\n{behind} hook(s) wait behind units in error ({", ".join(in_error)}); '
                  f'"reactops resolve UNIT" retries the failed hook')
        if waiting > behind:
            print(f'\n{waiting - behind} hook(s) queued; "reactops settle" runs them')
    return 0


def _config(args: argparse.Namespace) -> int:
    with _model(args, lock=bool(args.values)) as model:
        if not args.values:
            config = model.state.app(args.app).config
            if machine_readable(args):
                dump(args, dict(sorted(config.items())))
                return 0
            for key, value in sorted(config.items()):
                print(f'{key}={json.dumps(value)}')
            return 0
        model.configure(args.app, _key_values(args.values, 'config options'))
        return _settle_and_show(model, args)


def _relate(args: argparse.Namespace) -> int:
    with _model(args) as model:
        rel = model.relate(args.end1, args.end2)
        _say(args, f'Related {rel.app1}:{rel.ep1} and {rel.app2}:{rel.ep2} (id {rel.id})')
        return _settle_and_show(model, args)


def _remove_relation(args: argparse.Namespace) -> int:
    with _model(args) as model:
        rel = model.remove_relation(args.end1, args.end2)
        _say(args, f'Removing {rel.app1}:{rel.ep1} <-> {rel.app2}:{rel.ep2} (id {rel.id})')
        return _settle_and_show(model, args)


def _add_unit(args: argparse.Namespace) -> int:
    with _model(args) as model:
        _say(args, f'Added {model.add_unit(args.app)}')
        return _settle_and_show(model, args)


def _run_action(args: argparse.Namespace) -> int:
    import yaml

    params = {}
    for key, text in _key_values(args.params, 'action parameters').items():
        try:
            params[key] = yaml.safe_load(text) if text else ''  # as "juju run" reads them
        except yaml.YAMLError:
            params[key] = text
    with _model(args) as model:
        model.settle(args.max_hooks)
        record = model.run_action(args.unit, args.action, params)
        if machine_readable(args):  # the document is the action's record, not the status
            stuck = model.settle(args.max_hooks)
            dump(args, record)
            return 1 if _action_failed(record) or stuck else 0
        code = _settle_and_show(model, args)
    print(f'\nAction {record["action"]} on {record["unit"]}: {record["status"]}'
          + (f' ({record["message"]})' if record['message'] else ''))
    for line in record['log']:
        print(f'  log: {line}')
    if record['results']:
        print(yaml.safe_dump({'results': record['results']}, sort_keys=True).rstrip())
    return 1 if _action_failed(record) else code


def _action_failed(record: dict[str, Any]) -> bool:
    """Whether the action failed; when it did, say so on stderr."""
    if record['status'] == 'completed':
        return False
    print(f'Action {record["action"]} failed: {record["message"] or "no reason given"}. '
          f'See "reactops log {record["unit"]}" for its output.', file=sys.stderr)
    return True


def _update_status(args: argparse.Namespace) -> int:
    with _model(args) as model:
        model.update_status()
        return _settle_and_show(model, args)


def _resolve(args: argparse.Namespace) -> int:
    with _model(args) as model:
        hook = model.resolve(args.unit)
        _say(args, f'Retrying "{hook}" on {args.unit}')
        return _settle_and_show(model, args)


def _log(args: argparse.Namespace) -> int:
    with _model(args, quiet=True, lock=False) as model:
        if machine_readable(args):
            dump(args, log_document(model, args.unit))
            return 0
        for run, lines in model.hook_runs(args.unit):
            outcome = 'ok' if run.code == 0 else f'FAILED (exit {run.code})'
            print(f'#{run.id} {run.hook}: {outcome} in {run.seconds or 0:.2f}s')
            for level, message in lines:
                print(f'  {level} {message}'.replace('\n', '\n    '))
            if run.output.strip() and (run.code != 0 or args.all):
                print('  output:\n    ' + run.output.rstrip().replace('\n', '\n    '))
    return 0


def _flags(args: argparse.Namespace) -> int:
    with _model(args, quiet=True, lock=False) as model:
        if machine_readable(args):
            dump(args, model.flags(args.unit))
            return 0
        for flag, value in model.flags(args.unit).items():
            print(flag if value is None else f'{flag} = {json.dumps(value)}')
    return 0


def _stop(args: argparse.Namespace) -> int:
    with _model(args) as model:
        pids = model.stop()
    print(f'Stopped {len(pids)} workload manager(s) and their services; the next '
          f'"reactops settle" starts them again' if pids else 'No workload was running')
    return 0


def _destroy(args: argparse.Namespace) -> int:
    with _model(args) as model:
        pids = model.destroy()
        print(f'Stopped {len(pids)} workload manager(s); removed the local model in '
              f'{model.dir}')
    return 0
