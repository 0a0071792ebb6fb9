"""``reactops explain``: whether a handler ran, or would run, and why not.

Two sources of facts: a local-model unit (its charm directory, the flags its state store
holds and the trace of its last dispatch, key ``reactops.trace.last``) or a charm
directory with a flag set given on the command line. The words of the reasons come from
:meth:`FlagGraph.why_not`; this module adds each predicate with its value and the verdict.

Only names are shown: flag names, handler ids, predicates and hook names. Flag values,
config values and the text of a failed handler's exception (which may hold a secret or
the value of a ``secret`` config option) never are; secret URIs are masked in any text
that could carry one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError

if TYPE_CHECKING:
    from ..reactive.registry import Handler
    from ._charmload import LoadedCharm

__all__ = ['Explanation', 'explain_handler', 'model_dir', 'read_unit_state', 'unit_charm_dir']

#: ``<app>/<n>``, as Juju names units.
UNIT_NAME = re.compile(r'^[a-z][a-z0-9]*(?:-[a-z0-9]+)*/\d+$')
# Juju secret ids (``secret:<20 chars>``) and URIs (``secret://<model>/<id>``).
_SECRET_URI = re.compile(r'secret:(?://[^\s\'",)]+|[0-9a-v]{20})')


def model_dir(option: str | None) -> Path:
    """The local model's directory: the option, else ``$REACTOPS_MODEL_DIR``, else
    ``.reactops``."""
    return Path(option or os.environ.get('REACTOPS_MODEL_DIR') or '.reactops')


def unit_charm_dir(unit: str, model: Path) -> Path:
    """The charm directory of local-model unit *unit* (``<model>/units/<app>-<n>/charm``)."""
    app, number = unit.split('/')
    charm_dir = model / 'units' / f'{app}-{number}' / 'charm'
    if not charm_dir.is_dir():
        raise CliError(f'unit {unit} is not in the local model at {model} (no directory '
                       f'{charm_dir}); deploy it with "reactops run", or pass --model-dir '
                       '(or set REACTOPS_MODEL_DIR) to the model it is in')
    return charm_dir


def read_unit_state(charm_dir: Path) -> tuple[list[str], dict[str, Any] | None]:
    """The flags set in the unit's state store and the trace of its last dispatch (None
    when no reactive dispatch has been kept). The store is read, never written."""
    from ..reactive._runtime import FLAG_PREFIX
    from ..reactive._trace import TRACE_KEY, load_trace
    from ..storage import SQLiteStorage

    path = charm_dir / '.unit-state.db'
    if not path.is_file():
        raise CliError(f'the unit has no state store ({path}): it has not run a hook yet; '
                       'settle the model ("reactops run") first')
    storage = SQLiteStorage(path, timeout=10)
    try:
        flags = [key[len(FLAG_PREFIX):] for key, _ in storage.kv_items(FLAG_PREFIX)]
        trace = load_trace(storage.kv_get(TRACE_KEY))
    finally:
        storage.close()  # its transaction is dropped: nothing was written
    return flags, trace


def _without_error_text(trace: dict[str, Any]) -> dict[str, Any]:
    """The trace with each failure's exception reduced to its class name."""
    steps = []
    for step in trace.get('steps', ()):
        if 'failed' in step:
            kind = str(step.get('error', 'error')).split(':', 1)[0]
            step = {**step, 'error': f"{kind} (its message is in the unit's log)"}
        steps.append(step)
    return {**trace, 'steps': steps}


def _traced_flags(trace: dict[str, Any]) -> set[str]:
    """The flags set at the end of the traced dispatch, by its set and clear steps."""
    state: dict[str, bool] = {}
    for step in trace.get('steps', ()):
        if 'set' in step:
            state[step['set']] = True
        elif 'clear' in step:
            state[step['clear']] = False
    return {flag for flag, is_set in state.items() if is_set}


def _truncation_note(dropped: dict[str, Any]) -> str:
    """What a truncated trace left out, in words (the charm's set_trace_limit bounds it)."""
    words = {'run': 'handler runs', 'set': 'flag sets', 'clear': 'flag clears',
             'failed': 'failures'}
    parts = [f'{count} {words.get(kind, kind)}' for kind, count in sorted(dropped.items())]
    return (f'the trace of the last dispatch was truncated: {sum(dropped.values())} steps '
            f'were left out ({", ".join(parts)}) by the trace limit (set_trace_limit); '
            'it keeps handler runs first, then the flag changes nearest its start and end')


def mask_secrets(text: str) -> str:
    """*text* with every Juju secret id or URI replaced by ``secret:***``."""
    return _SECRET_URI.sub('secret:***', text)


@dataclass
class PredicateValue:
    """One predicate of the handler and whether it holds (None: the flags cannot say)."""

    predicate: str
    holds: bool | None
    detail: str


@dataclass
class Explanation:
    """What ``explain`` prints, as text or JSON."""

    handler: str
    source: str  # 'unit webapp/0' or 'charm <dir>'
    hook: str | None
    flags: list[str]
    verdict: str
    predicates: list[PredicateValue] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The explanation as a JSON object."""
        return {
            'handler': self.handler, 'source': self.source, 'hook': self.hook,
            'flags': self.flags, 'verdict': self.verdict,
            'predicates': [{'predicate': p.predicate, 'holds': p.holds, 'detail': p.detail}
                           for p in self.predicates],
            'reasons': [mask_secrets(r) for r in self.reasons],
            'notes': self.notes,
        }

    def to_text(self) -> str:
        """The explanation for a terminal."""
        mark = {True: 'yes', False: 'no ', None: '?  '}
        lines = [f'handler {self.handler}', f'  {self.source}',
                 f'  hook: {self.hook or "(not given)"}',
                 f'  flags set: {", ".join(self.flags) if self.flags else "(none)"}',
                 'predicates:']
        lines += [f'  {mark[p.holds]} {p.predicate}: {p.detail}' for p in self.predicates]
        if not self.predicates:
            lines.append('  (none)')
        lines.append(f'verdict: {self.verdict}')
        lines += [f'  - {mask_secrets(reason)}' for reason in self.reasons]
        lines += [f'note: {note}' for note in self.notes]
        return '\n'.join(lines) + '\n'


def predicate_values(handler: Handler, flags: set[str], hook: str | None,
                     meta: Any) -> list[PredicateValue]:
    """Each predicate of *handler*, top to bottom, with its value for *flags* and *hook*."""
    from ..reactive._graph_ast import source_order
    from ..reactive.predicates import (
        HookMatches,
        RestrictedHook,
        WhenAll,
        WhenAny,
        WhenNone,
        WhenNotAll,
    )

    values = []
    for predicate in source_order(handler):
        described = predicate.describe()
        names = predicate.flags
        state = ', '.join(f'{f!r} {"set" if f in flags else "not set"}' for f in names)
        holds: bool | None
        if isinstance(predicate, WhenAll):
            holds = all(f in flags for f in names)
        elif isinstance(predicate, WhenAny):
            holds = any(f in flags for f in names)
        elif isinstance(predicate, WhenNone):
            holds = not any(f in flags for f in names)
        elif isinstance(predicate, WhenNotAll):
            holds = not all(f in flags for f in names)
        elif isinstance(predicate, HookMatches | RestrictedHook):
            holds, state = _hook_value(predicate, hook, meta)
        else:  # @only_once, @when_file_changed: the unit's store and files decide
            holds, state = None, "decided by the unit's history and files, not by flags"
        values.append(PredicateValue(described, holds, state or 'no flags'))
    return values


def _hook_value(predicate: Any, hook: str | None, meta: Any) -> tuple[bool | None, str]:
    from ..reactive.predicates import HookMatches, expand_hook_patterns

    if hook is None:
        return None, 'the hook is not known (give --hook)'
    if isinstance(predicate, HookMatches):
        holds = hook in expand_hook_patterns(predicate.patterns, meta)
    else:
        holds = hook == predicate.hook
    return holds, f'the hook is {hook}'


def explain_handler(loaded: LoadedCharm, key: str, flags: list[str], *, source: str,
                    hook: str | None = None, trace: dict[str, Any] | None = None,
                    from_unit: bool = False) -> Explanation:
    """Explain handler *key* of *loaded*: for a unit (*from_unit*, with the *trace* of
    its last dispatch if one was kept) whether it ran, else whether it would run with
    *flags* set in *hook*."""
    from ..errors import ReactiveError
    from ..reactive._graph_ast import phase_reasons, possible_reasons

    safe_trace = _without_error_text(trace) if trace is not None else None
    graph = loaded.graph(trace=safe_trace)
    try:
        handler = graph.find_handler(key)
    except ReactiveError as exc:
        raise CliError(f'{exc} (in {loaded.charm_dir})') from exc
    flag_set = set(flags)
    if safe_trace is not None:
        hook = hook or safe_trace.get('hook') or None
        # Automatic flags are worked out in each dispatch and not all are stored: take
        # them as the trace last saw them.
        flag_set |= {f for f in _traced_flags(safe_trace) if graph.is_automatic(f)}
    values = predicate_values(handler, flag_set, hook, loaded.meta)
    held = [v.holds for v in values]
    explanation = Explanation(handler.id, source, hook, sorted(flag_set), '', values)
    if safe_trace is not None:
        ran = any(step.get('run') == handler.id for step in safe_trace.get('steps', ()))
        dropped = safe_trace.get('dropped')
        dropped = dropped if isinstance(dropped, dict) else {}
        if ran or not dropped.get('run'):
            explanation.verdict = f'it {"ran" if ran else "did not run"} in the last dispatch'
        else:  # its run may be among those the limit left out
            explanation.verdict = ('it is not among the handler runs the trace kept of the '
                                   'last dispatch (it may have run: the trace was truncated)')
        explanation.reasons = graph.why_not(handler.id, flag_set, trace=safe_trace)
        explanation.notes.append('predicate values are for the flags as the last dispatch '
                                 'left them (automatic flags as it saw them), which may '
                                 'differ from when the handler was tested')
        if dropped:
            explanation.notes.append(_truncation_note(dropped))
        return explanation
    if from_unit:
        explanation.notes.append('the unit kept no trace of its last dispatch (no reactive '
                                 'dispatch yet, or its last hook failed and kept nothing); '
                                 'this is what its current flags would do')
    phase = phase_reasons(handler, hook)
    if False in held or (hook is not None and phase):  # e.g. @when in a restricted hook
        explanation.verdict = 'it would not run'
        explanation.reasons = graph.why_not(handler.id, flag_set, hook_name=hook)
    else:
        explanation.verdict = 'it would run' if None not in held else \
            'it may run: some predicates depend on more than the flags'
        explanation.reasons = phase + possible_reasons(handler)
    return explanation
