"""The flag graph's helpers that need no networkx: reading handlers and traces.

**Source.** What a handler's source says about flags, read with :mod:`ast`.
Only literal names count: ``set_flag('db.ready')`` (bare or as ``reactive.set_flag``),
``set_flag(self.expand_name('{endpoint_name}.ready'))`` for endpoint handlers, and the
literal ``when=``/``when_not=``/``set_flag=``/``clear_flag=`` of ``register_trigger``. Of
a name computed at run time only a literal start counts (``'apt.installed.' + package``:
flags starting with ``apt.installed.``); the rest the graph learns from a dispatch trace.
Source that cannot be found or parsed gives no facts, never an error: a graph is a
diagnostic, and a handler defined in a shell or a zip file must not break it.

**Explanations.** The words of :meth:`FlagGraph.why_not` that come from a handler's own
predicates (its phase, ``@only_once``, ...) and from a stored dispatch trace.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .predicates import FileChanged, HookMatches, OnlyOnce, RestrictedHook, expand_hook_patterns

if TYPE_CHECKING:
    from .predicates import Predicate
    from .registry import Handler

__all__ = ['READ_CALLS', 'SourceFacts', 'StaticTrigger', 'WRITE_CALLS', 'automatic_words',
           'flag_history', 'function_facts', 'merged_facts', 'module_triggers', 'phase_reasons',
           'possible_reasons', 'source_location', 'source_order', 'trace_runs']

#: Calls that change a flag, and the graph's edge label for each.
WRITE_CALLS = {
    'set_flag': 'sets', 'set_state': 'sets',
    'clear_flag': 'clears', 'remove_state': 'clears',
    'toggle_flag': 'toggles', 'toggle_state': 'toggles',
}
#: Calls that read flags in a handler's body (every literal argument).
READ_CALLS = frozenset({
    'is_flag_set', 'is_state', 'get_flag_value', 'get_state', 'all_flags_set',
    'any_flags_set', 'all_states', 'any_states', 'get_unset_flags',
})
_TRIGGER_PARAMETERS = ('when', 'when_not', 'set_flag', 'clear_flag', 'callback')
_RESTRICTED_HOOKS = ('collect-metrics', 'meter-status-changed')


@dataclass(frozen=True)
class StaticTrigger:
    """A ``register_trigger`` call with literal flag names."""

    flag: str
    on_set: bool
    set_flags: tuple[str, ...] = ()
    clear_flags: tuple[str, ...] = ()


@dataclass
class SourceFacts:
    """The flag writes, body reads and triggers found in one piece of source."""

    writes: list[tuple[str, str]] = field(default_factory=list)  # (edge label, flag)
    reads: list[str] = field(default_factory=list)
    triggers: list[StaticTrigger] = field(default_factory=list)
    #: (edge label, prefix): a write of a name computed at run time from a literal start,
    #: ``set_flag('apt.installed.' + package)``.
    prefix_writes: list[tuple[str, str]] = field(default_factory=list)


def _function(action: Callable[..., Any]) -> Any:
    func: Any = getattr(action, '__func__', action)  # a bound method's function
    try:
        return inspect.unwrap(func)
    except ValueError:  # a cycle of __wrapped__
        return func


def source_location(action: Callable[..., Any]) -> tuple[str | None, int | None]:
    """The file and first line of a handler's function, when Python knows them."""
    code = getattr(_function(action), '__code__', None)
    if code is None:
        return None, None
    return code.co_filename, code.co_firstlineno


def _parse(target: Any) -> ast.AST | None:
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        return None
    try:
        return ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):  # e.g. a lambda cut out of a longer line
        return None


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _literal(node: ast.expr, endpoint_name: str | None) -> str | None:
    """A flag name written literally, or through ``expand_name('<literal>')``."""
    if isinstance(node, ast.Call) and _call_name(node) == 'expand_name' and \
            len(node.args) == 1 and not node.keywords:
        node = node.args[0]
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or not node.value:
        return None
    name = node.value
    if endpoint_name is not None:
        # An Endpoint says {endpoint_name}; a legacy RelationBase says {relation_name}.
        name = name.replace('{endpoint_name}', endpoint_name).replace('{relation_name}',
                                                                      endpoint_name)
    return name


def _literal_prefix(node: ast.expr) -> str | None:
    """The literal start of a name computed at run time: ``'a.' + x``, ``f'a.{x}'``,
    ``'a.{}'.format(x)``, ``'a.%s' % x`` all start with ``'a.'`` (at least 3 characters,
    so that a computed name says something)."""
    text: object = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod) and \
            isinstance(node.left, ast.Constant):
        text = node.left.value
        if isinstance(node.op, ast.Mod) and isinstance(text, str):
            text = text.split('%', 1)[0]
    elif isinstance(node, ast.JoinedStr) and node.values and \
            isinstance(node.values[0], ast.Constant):
        text = node.values[0].value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == 'format' and isinstance(node.func.value, ast.Constant):
        text = node.func.value.value
        if isinstance(text, str):
            text = text.split('{', 1)[0]
    return text if isinstance(text, str) and len(text) >= 3 else None


def _first_argument(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ('flag', 'state'):
            return keyword.value
    return None


def _trigger(call: ast.Call, endpoint_name: str | None) -> StaticTrigger | None:
    given: dict[str, ast.expr] = {}
    for parameter, arg in zip(_TRIGGER_PARAMETERS, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            return None
        given[parameter] = arg
    for keyword in call.keywords:
        if keyword.arg is not None:
            given[keyword.arg] = keyword.value
    names = {key: _literal(value, endpoint_name) for key, value in given.items()
             if key != 'callback'}
    when, when_not = names.get('when'), names.get('when_not')
    if (when is None) == (when_not is None):
        return None
    set_flag, clear_flag = names.get('set_flag'), names.get('clear_flag')
    if set_flag is None and clear_flag is None:
        return None  # a callback only: nothing the graph can draw
    return StaticTrigger(flag=when or str(when_not), on_set=when is not None,
                         set_flags=(set_flag,) if set_flag else (),
                         clear_flags=(clear_flag,) if clear_flag else ())


def _calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name is not None:
                yield name, node


def _facts_of(tree: ast.AST, endpoint_name: str | None) -> SourceFacts:
    facts = SourceFacts()
    # ast.walk is breadth first; sort by position so facts come in source order.
    calls = sorted(_calls(tree), key=lambda item: (item[1].lineno, item[1].col_offset))
    for name, call in calls:
        if name in WRITE_CALLS:
            argument = _first_argument(call)
            flag = _literal(argument, endpoint_name) if argument is not None else None
            if flag is not None and (WRITE_CALLS[name], flag) not in facts.writes:
                facts.writes.append((WRITE_CALLS[name], flag))
            prefix = _literal_prefix(argument) if flag is None and argument is not None \
                else None
            if prefix is not None and (WRITE_CALLS[name], prefix) not in facts.prefix_writes:
                facts.prefix_writes.append((WRITE_CALLS[name], prefix))
        elif name in READ_CALLS:
            for argument in [*call.args, *(k.value for k in call.keywords)]:
                flag = _literal(argument, endpoint_name)
                if flag is not None and flag not in facts.reads:
                    facts.reads.append(flag)
        elif name == 'register_trigger':
            trigger = _trigger(call, endpoint_name)
            if trigger is not None and trigger not in facts.triggers:
                facts.triggers.append(trigger)
    return facts


def function_facts(action: Callable[..., Any], endpoint_name: str | None = None) -> SourceFacts:
    """The literal flag writes, reads and triggers in a handler's source (decorators
    excluded; nested functions and lambdas included, as the handler probably calls them)."""
    tree = _parse(_function(action))
    if tree is None:
        return SourceFacts()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.decorator_list = []
            break
    return _facts_of(tree, endpoint_name)


def merged_facts(parts: Iterable[SourceFacts]) -> SourceFacts:
    """The facts of several readings of one source (e.g. once per relation name), each
    write, read and trigger once."""
    merged = SourceFacts()
    for facts in parts:
        merged.writes += [w for w in facts.writes if w not in merged.writes]
        merged.reads += [r for r in facts.reads if r not in merged.reads]
        merged.triggers += [t for t in facts.triggers if t not in merged.triggers]
        merged.prefix_writes += [w for w in facts.prefix_writes
                                 if w not in merged.prefix_writes]
    return merged


def module_triggers(actions: Iterable[Callable[..., Any]]) -> list[StaticTrigger]:
    """The ``register_trigger`` calls made at the top level (at import) of the modules
    that define *actions*, each module read once."""
    modules: dict[str, ModuleType] = {}
    for action in actions:
        name = getattr(_function(action), '__module__', None)
        if isinstance(name, str) and name in sys.modules:
            modules.setdefault(name, sys.modules[name])
    found: list[StaticTrigger] = []
    for module in modules.values():
        tree = _parse(module)
        for statement in tree.body if isinstance(tree, ast.Module) else ():
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                found += [t for t in _facts_of(statement.value, None).triggers
                          if t not in found]
    return found


# -- explaining: what the predicates and a dispatch trace say ------------------------------


def source_order(handler: Handler) -> list[Predicate]:
    """The predicates top to bottom, as written (decorators apply bottom up)."""
    return list(reversed(handler.predicates))


def phase_reasons(handler: Handler, hook: str | None) -> list[str]:
    """Why the handler's phase (``@hook``, restricted hooks) kept it from running."""
    phase = handler.phase
    if phase == 'never':
        described = ', '.join(p.describe() for p in source_order(handler)
                              if p.phase is not None)
        return [f'it can never run: {described} belong to different phases of the dispatch; '
                'split it into two handlers']
    reasons = []
    for predicate in source_order(handler):
        if isinstance(predicate, HookMatches):
            if hook is None:
                reasons.append(f'phase: it runs only in a hook matching '
                               f'{predicate.describe()}')
            elif hook not in expand_hook_patterns(predicate.patterns):
                note = (' ({role:interface} patterns need the charm metadata: check the '
                        "endpoint's interface)" if any(':' in p for p in predicate.patterns)
                        else '')
                reasons.append(f'phase: {predicate.describe()} and the hook was {hook}{note}')
        elif isinstance(predicate, RestrictedHook) and predicate.hook != (hook or ''):
            reasons.append(f'phase: it runs only in the restricted hook {predicate.hook}'
                           + (f' and the hook was {hook}' if hook else ''))
    if phase in ('other', 'any') and hook in _RESTRICTED_HOOKS:
        reasons.append(f'phase: the hook was {hook}, a restricted hook, in which only '
                       '@collect_metrics and @meter_status_changed handlers run')
    return reasons


def possible_reasons(handler: Handler) -> list[str]:
    """What may have kept the handler from running that only the unit's store knows."""
    reasons = []
    for predicate in source_order(handler):
        if isinstance(predicate, OnlyOnce):
            reasons.append("@only_once: it runs once in the unit's life, so not again if it "
                           'ran in an earlier hook')
        elif isinstance(predicate, FileChanged):
            reasons.append(f'{predicate.describe()}: it runs only when one of the files '
                           'changed since it last ran')
    if not handler.spec.rerun:
        reasons.append('rerun=False: it runs again only when its predicates newly hold or '
                       'the values of its flags change')
    return reasons


_AUTOMATIC_WORDS = (
    ('config.changed', 'reactops sets it in a hook where the config changed'),
    ('config.set.', "reactops sets it while the option's value is truthy"),
    ('config.default.', 'reactops sets it while the option has its default value'),
    ('leadership.is_leader', 'reactops sets it while this unit is the leader'),
    ('endpoint.', 'the endpoint sets it from the state of its relations'),
    ('upgrade.series.', 'reactops sets it during a series upgrade'),
    ('container.', "reactops sets it from the container's Pebble hooks (ready, checks, "
                   'custom notices)'),
)


def automatic_words(flag: str) -> str:
    """Who sets an automatic flag, and when."""
    for prefix, words in _AUTOMATIC_WORDS:
        if flag.startswith(prefix):
            return words
    return 'Juju or reactops sets it by itself when that applies'


def _iteration(value: Any) -> str:
    if value == 'hooks':
        return 'the hooks phase'
    if value == 'restricted':
        return 'the restricted hook'
    return f'iteration {value}'


def trace_runs(handler_id: str, trace: Mapping[str, Any]) -> list[str]:
    """What the trace says the handler did, if it ran."""
    hook = trace.get('hook') or '?'
    said = []
    last: Any = None
    for step in trace.get('steps', ()):
        if step.get('run') == handler_id:
            last = step.get('iteration')
            said.append(f'it ran in {_iteration(last)} (hook {hook})')
        elif step.get('failed') == handler_id:
            said.append(f'it raised {step.get("error")} in {_iteration(last)} (hook {hook}), '
                        'so nothing of that dispatch was kept')
    return said


def flag_history(flag: str, trace: Mapping[str, Any] | None) -> str:
    """' (in the last dispatch: set by A, cleared by B)', or nothing."""
    events = []
    for step in (trace or {}).get('steps', ()):
        for key, verb in (('set', 'set'), ('clear', 'cleared')):
            if step.get(key) == flag:
                events.append(f'{verb} by {step["by"]}' if 'by' in step
                              else f'{verb} automatically')
    return f' (in the last dispatch: {", ".join(events)})' if events else ''
