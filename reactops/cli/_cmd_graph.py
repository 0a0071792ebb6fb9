"""``reactops graph``, ``reactops check`` and ``reactops explain``: the charm author's view
of the flag graph.

All three load the charm's handlers without running a hook (:mod:`._charmload`).
``check`` reports :meth:`FlagGraph.check` findings with a severity: an *error* is a
handler that can never run (``never_runs``, ``hook_with_when``); a *warning* is something
that may be intended or that code the graph cannot see may explain (``read_never_set``,
``set_never_read``, ``cycle``). Flags set only by interface layers and never read are not
reported: they are what the interface offers. The exit code is 1 when there is an error
(or, with ``--strict``, a warning), else 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError, add_model_dir_option

if TYPE_CHECKING:
    from ..reactive.graph import Finding
    from ._charmload import LoadedCharm

__all__ = ['GRAPH_FORMATS', 'SEVERITIES', 'register', 'render_with_graphviz']

GRAPH_FORMATS = ('dot', 'mermaid', 'json', 'svg', 'png')
#: The severity ``check`` gives each kind of finding.
SEVERITIES = {'never_runs': 'error', 'hook_with_when': 'error', 'cycle': 'warning',
              'read_never_set': 'warning', 'set_never_read': 'warning'}
_GRAPHVIZ_TIMEOUT = 120


def register(subparsers: Any) -> None:
    """Add ``graph``, ``check`` and ``explain``."""
    graph = subparsers.add_parser(
        'graph', help="draw a charm's flag graph",
        description='Write the flag graph of a charm (flags, handlers, who reads and who '
                    'sets each flag) as DOT, Mermaid or JSON, or rendered to SVG or PNG by '
                    'Graphviz. Loads the handlers without running a hook.')
    graph.add_argument('charm_dir', metavar='CHARM_DIR')
    graph.add_argument('--format', choices=GRAPH_FORMATS, default='dot',
                       help='output format (default: dot); svg and png need Graphviz')
    graph.add_argument('-o', '--output', metavar='FILE',
                       help='write to FILE instead of standard output')
    _automatic_option(graph)
    graph.set_defaults(func=_graph)

    check = subparsers.add_parser(
        'check', help="lint a charm's flag graph",
        description='Check the flag graph of a charm: handlers that can never run '
                    '(errors), flags read but never set, set but never read, handler loops '
                    '(warnings). Exit code 1 when there are errors.')
    check.add_argument('charm_dir', metavar='CHARM_DIR')
    check.add_argument('--format', choices=('text', 'json'), default='text',
                       help='text (default) or JSON for CI')
    check.add_argument('--strict', action='store_true',
                       help='warnings make the exit code 1 too')
    _automatic_option(check)
    check.set_defaults(func=_check)

    explain = subparsers.add_parser(
        'explain', help='say why a handler ran or did not',
        description='For a unit of the local model (app/N): whether HANDLER ran in its last '
                    'dispatch and why not. For a charm directory: whether HANDLER would run '
                    'with the flags of --flags set. Each predicate is shown with its value, '
                    'and the handlers that could set a missing flag or clear a blocking one.')
    explain.add_argument('target', metavar='UNIT|CHARM_DIR')
    explain.add_argument('handler', metavar='HANDLER',
                         help='a handler id, or its function name when that is unique')
    explain.add_argument('--flags', metavar='A,B',
                         help='with CHARM_DIR: the flags set (comma separated; default none)')
    explain.add_argument('--hook', metavar='NAME',
                         help='the hook to assume (default: the hook of the last dispatch)')
    add_model_dir_option(explain)
    explain.add_argument('--format', choices=('text', 'json'), default='text')
    explain.set_defaults(func=_explain)


def _automatic_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--automatic', action='append', default=[], metavar='PREFIX',
                        help='flags starting with PREFIX are set by code the graph cannot '
                             'see (repeatable; config., leadership., endpoint., '
                             'upgrade.series. and container. always are)')


def _load(charm_dir: str) -> LoadedCharm:
    from ._charmload import load_charm

    return load_charm(charm_dir)


# -- graph ------------------------------------------------------------------------------


def _graph(args: argparse.Namespace) -> int:
    if args.format == 'png' and args.output is None and sys.stdout.isatty():
        raise CliError('PNG is binary: give -o FILE.png (or redirect standard output)')
    graph = _load(args.charm_dir).graph(tuple(args.automatic))
    if args.format == 'json':
        _write(json.dumps(graph.to_json(), indent=2) + '\n', args.output)
    elif args.format == 'mermaid':
        _write(graph.to_mermaid(), args.output)
    elif args.format == 'dot':
        _write(graph.to_dot(), args.output)
    else:
        _write(render_with_graphviz(graph.to_dot(), args.format), args.output)
    return 0


def render_with_graphviz(dot_text: str, fmt: str) -> bytes:
    """*dot_text* rendered by Graphviz's ``dot`` program to *fmt* (``svg``, ``png``)."""
    program = shutil.which('dot')
    if program is None:
        raise CliError(f'--format {fmt} needs the "dot" program of Graphviz, which is not on '
                       'PATH; install Graphviz (Debian/Ubuntu: sudo apt install graphviz; '
                       'macOS: brew install graphviz) or write DOT with --format dot and '
                       'render it elsewhere (--format mermaid renders on GitHub)')
    try:
        done = subprocess.run([program, f'-T{fmt}'], input=dot_text.encode(),
                              capture_output=True, timeout=_GRAPHVIZ_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CliError(f'Graphviz ({program}) did not finish in {_GRAPHVIZ_TIMEOUT} s; '
                       'write DOT with --format dot instead') from exc
    if done.returncode != 0:
        said = done.stderr.decode(errors='replace').strip().splitlines()
        raise CliError(f'Graphviz ({program} -T{fmt}) failed with exit code '
                       f'{done.returncode}: {said[0] if said else "no message"}')
    return done.stdout


def _write(data: str | bytes, output: str | None) -> None:
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
        return
    path = Path(output)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)


# -- check ------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    loaded = _load(args.charm_dir)
    graph = loaded.graph(tuple(args.automatic))
    offered = _interface_nodes(loaded)
    findings = [_finding_json(f, graph.graph, loaded) for f in graph.check()
                if not (f.kind == 'set_never_read' and set(f.related) <= offered)]
    errors = sum(1 for f in findings if f['severity'] == 'error')
    warnings = len(findings) - errors
    if args.format == 'json':
        report = {'charm': str(loaded.charm_dir), 'handlers': len(loaded.registry),
                  'errors': errors, 'warnings': warnings, 'findings': findings}
        sys.stdout.write(json.dumps(report, indent=2) + '\n')
    else:
        for finding in findings:
            where = finding['file'] or str(loaded.charm_dir)
            if finding['line']:
                where += f':{finding["line"]}'
            print(f'{where}: {finding["severity"]}: [{finding["kind"]}] {finding["message"]}')
        print(f'{loaded.charm_dir}: {len(loaded.registry)} handlers, '
              f'{_count(errors, "error")}, {_count(warnings, "warning")}')
    failing = errors + (warnings if args.strict else 0)
    return 1 if failing else 0


def _interface_nodes(loaded: LoadedCharm) -> set[str]:
    """The nodes of interface-layer code (endpoint handlers, ``manage_flags``, legacy
    ``RelationBase`` layers): the flags they set are the interface's offer, which a charm
    need not take up."""
    from ..reactive.graph import handler_node

    # Endpoint methods, and legacy RelationBase layers' handlers (hooks/relations/).
    nodes = {handler_node(h.id) for h in loaded.registry
             if h.endpoint_name is not None or h.id.startswith('hooks/relations/')}
    return nodes | {handler_node(ident) for ident, _, endpoint in loaded.observers
                    if endpoint is not None}


def _count(n: int, word: str) -> str:
    return f'{n} {word}{"" if n == 1 else "s"}'


def _finding_json(finding: Finding, graph: Any, loaded: LoadedCharm) -> dict[str, Any]:
    """A finding with its severity and the place to look at (the handler, or for a flag
    the first handler related to it)."""
    file = line = None
    for node in (finding.subject, *finding.related):
        data = graph.nodes.get(node, {})
        if data.get('kind') == 'handler' and data.get('file'):
            file, line = loaded.relative(data['file']), data.get('line')
            break
    return {'kind': finding.kind, 'severity': SEVERITIES.get(finding.kind, 'warning'),
            'subject': finding.subject, 'message': finding.message,
            'related': list(finding.related), 'file': file, 'line': line}


# -- explain ----------------------------------------------------------------------------


def _explain(args: argparse.Namespace) -> int:
    from ._explain import (
        UNIT_NAME,
        explain_handler,
        model_dir,
        read_unit_state,
        unit_charm_dir,
    )

    target = args.target
    if Path(target).is_dir():
        loaded = _load(target)
        flags = [f.strip() for f in (args.flags or '').split(',') if f.strip()]
        explanation = explain_handler(loaded, args.handler, flags, hook=args.hook,
                                      source=f'charm {loaded.charm_dir}, flags as given')
    elif UNIT_NAME.match(target):
        if args.flags is not None:
            raise CliError('--flags goes with a charm directory; a unit is explained with '
                           'the flags its last dispatch left')
        model = model_dir(args.model_dir)
        charm_dir = unit_charm_dir(target, model)
        flags, trace = read_unit_state(charm_dir)
        loaded = _load(str(charm_dir))
        explanation = explain_handler(loaded, args.handler, flags, hook=args.hook,
                                      trace=trace, from_unit=True,
                                      source=f'unit {target} of the local model {model}')
    else:
        raise CliError(f'{target!r} is neither a charm directory nor a unit name (app/N); '
                       'give one of them')
    if args.format == 'json':
        sys.stdout.write(json.dumps(explanation.to_json(), indent=2) + '\n')
    else:
        sys.stdout.write(explanation.to_text())
    return 0
