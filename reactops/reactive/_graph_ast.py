"""What a handler's source says about flags, read with :mod:`ast` for the flag graph.

Only literal names count: ``set_flag('db.ready')`` (bare or as ``reactive.set_flag``),
``set_flag(self.expand_name('{endpoint_name}.ready'))`` for endpoint handlers, and the
literal ``when=``/``when_not=``/``set_flag=``/``clear_flag=`` of ``register_trigger``. A
name computed at run time is invisible here; the graph learns it from the dispatch trace
instead. Source that cannot be found or parsed gives no facts, never an error: a graph is
a diagnostic, and a handler defined in a shell or a zip file must not break it.

This module does not import networkx, so it can be tested and used on its own.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

__all__ = ['READ_CALLS', 'SourceFacts', 'StaticTrigger', 'WRITE_CALLS', 'function_facts',
           'module_triggers', 'source_location']

#: Calls that change a flag, and the graph's edge label for each.
WRITE_CALLS = {
    'set_flag': 'sets', 'set_state': 'sets',
    'clear_flag': 'clears', 'remove_state': 'clears',
    'toggle_flag': 'toggles', 'toggle_state': 'toggles',
}
#: Calls that read flags in a handler's body (every literal positional argument).
READ_CALLS = frozenset({
    'is_flag_set', 'is_state', 'get_flag_value', 'get_state', 'all_flags_set',
    'any_flags_set', 'all_states', 'any_states', 'get_unset_flags',
})
_TRIGGER_PARAMETERS = ('when', 'when_not', 'set_flag', 'clear_flag', 'callback')


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
        name = name.replace('{endpoint_name}', endpoint_name)
    return name


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


def module_triggers(module: ModuleType) -> list[StaticTrigger]:
    """The ``register_trigger`` calls made at the top level of *module* (at import)."""
    tree = _parse(module)
    if not isinstance(tree, ast.Module):
        return []
    found: list[StaticTrigger] = []
    for statement in tree.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            for trigger in _facts_of(statement.value, None).triggers:
                if trigger not in found:
                    found.append(trigger)
    return found
