"""Handler loops as the dispatch would meet them, for :meth:`FlagGraph.check`.

The dispatch queues a handler again when a flag it reads changes and its predicates then
hold. So a loop is a cycle of *handlers*, each changing a flag (itself, or through a
chain of triggers) in the way that makes the next one's predicate on that flag hold: a set
for ``@when``/``@when_any``, a clear for ``@when_not``/``@when_not_all``. The search runs
on that handler-to-handler graph, not on the flag graph, whose simple cycles cannot pass
one flag twice and so miss the plainest loop of all: ``@when_not('x')`` sets ``x``,
``@when('x')`` clears it.

A cycle is reported only if it can go round again and again:

* every flag that carries a step is both set and cleared within the cycle (else it stays
  put after one round and the next round cannot happen);
* no member is kept from running by a flag the cycle only ever sets (or only clears), and
  no step's reader by a flag its writer only sets (or only clears);
* every member runs in the main loop, may run more than once per dispatch (no
  ``@only_once``, ``@when_file_changed`` or ``rerun=False``) and can run at all.

Shorter loops come first, and a cycle through every handler of a loop already reported
(and more) is not reported again.

A write of a name computed at run time (``set_flag('apt.installed.' + package)``) may be
any flag its literal start begins, so it is no step either.

A write that cannot change anything (``set_flag('x')`` in a ``@when('x')`` handler that
never clears ``x``) is no step, nor is the no-op half of a ``toggle_flag`` of such a flag.
The source does not say which branch of an ``if`` runs, so a handler that may set or
clear a flag is taken to do either.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import networkx as nx

from .predicates import MAIN, FileChanged, OnlyOnce, WhenAll, WhenAny, WhenNone, WhenNotAll
from .registry import Handler

__all__ = ['LoopStep', 'find_loops', 'loop_words']

SET, CLEAR = 'set', 'clear'
_DIRECT = {'sets': {SET}, 'clears': {CLEAR}, 'toggles': {SET, CLEAR},
           'changes': {SET, CLEAR}}
_ENABLED_BY = {SET: {'when', 'when_any'}, CLEAR: {'when_not', 'when_not_all'}}
_OPPOSITE = {SET: CLEAR, CLEAR: SET}

#: (flag name, SET or CLEAR): one change a handler may make.
Effect = tuple[str, str]


@dataclass(frozen=True)
class LoopStep:
    """One step of a loop: *writer* changes the flags of *path* in turn (the first by its
    own call, each next one by a trigger of the one before; *verbs* says how, e.g.
    ``('sets', 'clears')``), and the last change makes *reader*'s predicate *kind* on the
    last flag hold. *writer* and *reader* are handler node ids."""

    writer: str
    path: tuple[str, ...]
    verbs: tuple[str, ...]
    reader: str
    kind: str

    @property
    def flag(self) -> str:
        """The flag the reader reacts to."""
        return self.path[-1]


def find_loops(graph: nx.DiGraph, handlers: Mapping[str, Handler], runnable: set[str],
               limit: int) -> Iterator[tuple[LoopStep, ...]]:
    """The loops among *handlers* (by id; *graph* is the flag graph, *runnable* the
    handler nodes that can run), each as its steps from the least handler node round;
    at most *limit* cycles are looked at."""
    members = {f'handler:{h.id}': h for h in handlers.values()
               if f'handler:{h.id}' in runnable and _may_repeat(h)}
    effects = {node: _effects(graph, node, handler) for node, handler in members.items()}
    steps = nx.DiGraph()
    for node, changes in effects.items():
        one_way = _one_way(set(changes))
        for (name, effect), (path, verbs) in changes.items():
            for reader, kind in _readers(graph, name, effect, members):
                if _blocked(members[reader], one_way):
                    continue
                links = steps.get_edge_data(node, reader)
                if links is None:
                    steps.add_edge(node, reader, links=[])
                    links = steps.edges[node, reader]
                links['links'].append(LoopStep(node, path, verbs, reader, kind))
    # Shortest first, and none that only adds handlers to a loop already found: a tangle
    # of handlers reading and writing one flag has thousands of cycles but few loops worth
    # a finding.
    cycles = sorted(itertools.islice(nx.simple_cycles(steps), limit), key=len)
    found: list[frozenset[str]] = []
    for cycle in cycles:
        nodes = frozenset(cycle)
        if any(known <= nodes for known in found):
            continue
        loop = _sustained(cycle, steps, effects, members)
        if loop is not None:
            found.append(nodes)
            yield loop


def _may_repeat(handler: Handler) -> bool:
    """Whether the main loop may run *handler* more than once in a dispatch."""
    return handler.phase == MAIN and handler.spec.rerun and not any(
        isinstance(p, OnlyOnce | FileChanged) for p in handler.predicates)


def _pinned(handler: Handler) -> dict[str, str]:
    """The flags the handler's predicates need set (SET) or unset (CLEAR) to run."""
    pins: dict[str, str] = {}
    for predicate in handler.predicates:
        if isinstance(predicate, WhenAll):
            pins.update(dict.fromkeys(predicate.flags, SET))
        elif isinstance(predicate, WhenNone):
            pins.update(dict.fromkeys(predicate.flags, CLEAR))
    return pins


def _effects(graph: nx.DiGraph, node: str, handler: Handler
             ) -> dict[Effect, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every change the handler may make, directly or through triggers, each with the
    flags and verbs of its shortest way there."""
    pins = _pinned(handler)
    found: dict[Effect, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    queue: deque[Effect] = deque()
    for target in graph.successors(node):
        data = graph.edges[node, target]
        if data.get('computed') and not data['observed']:
            continue  # only a computed name's start matches: a may, not a step
        name = graph.nodes[target]['name']
        kinds = data['kinds']
        possible: set[str] = set().union(*(_DIRECT.get(k, set()) for k in kinds))
        pin = pins.get(name)
        if pin is not None and (possible == {pin} or set(kinds) == {'toggles'}):
            # Setting a flag the predicate needs set (clearing one it needs clear) changes
            # nothing; a lone toggle_flag(flag, should_set) can change it only the other way.
            possible -= {pin}
        for effect in sorted(possible):
            verb = next(k for k in kinds if effect in _DIRECT.get(k, ()))
            found[(name, effect)] = ((name,), (verb,))
            queue.append((name, effect))
    while queue:
        name, effect = queue.popleft()
        path, verbs = found[(name, effect)]
        source = f'flag:{name}'
        for target in graph.successors(source):
            for text in graph.edges[source, target].get('triggers', ()):
                on, does = text[3:].split(': ')
                change = (graph.nodes[target]['name'], SET if does == 'sets' else CLEAR)
                if on == effect and change not in found:
                    found[change] = ((*path, change[0]), (*verbs, does))
                    queue.append(change)
    return found


def _readers(graph: nx.DiGraph, name: str, effect: str, members: Mapping[str, Handler]
             ) -> Iterator[tuple[str, str]]:
    """(handler node, predicate kind) of the members that *effect* on flag *name* may
    make runnable."""
    source = f'flag:{name}'
    if source not in graph:
        return
    for reader in graph.successors(source):
        if reader in members:
            for kind in graph.edges[source, reader]['kinds']:
                if kind in _ENABLED_BY[effect]:
                    yield reader, kind
                    break


def _one_way(changes: set[Effect]) -> dict[str, str]:
    """The flags *changes* only set (SET) or only clear (CLEAR)."""
    return {name: effect for name, effect in changes
            if (name, _OPPOSITE[effect]) not in changes}


def _blocked(handler: Handler, one_way: Mapping[str, str]) -> bool:
    """Whether flags left only set or only cleared keep *handler* from running."""
    for predicate in handler.predicates:
        ways = [one_way.get(flag) for flag in predicate.flags]
        if isinstance(predicate, WhenAll) and CLEAR in ways or \
                isinstance(predicate, WhenNone) and SET in ways or \
                isinstance(predicate, WhenAny) and ways and all(w == CLEAR for w in ways) or \
                isinstance(predicate, WhenNotAll) and ways and all(w == SET for w in ways):
            return True
    return False


def _source_order(node: str) -> list[tuple[int, str]]:
    """A key ordering handler ids (``path:line:name``) by path, then line as a number."""
    return [(int(part), '') if part.isdigit() else (0, part)
            for part in re.split(r'(\d+)', node)]


def _sustained(cycle: list[str], steps: nx.DiGraph,
               effects: Mapping[str, Mapping[Effect, object]],
               members: Mapping[str, Handler]) -> tuple[LoopStep, ...] | None:
    """The cycle's steps, from its first handler in source order round, if it can go
    round without end."""
    start = cycle.index(min(cycle, key=_source_order))
    cycle = cycle[start:] + cycle[:start]
    changes = {change for node in cycle for change in effects[node]}
    one_way = _one_way(changes)
    if any(_blocked(members[node], one_way) for node in cycle):
        return None
    loop = []
    for writer, reader in zip(cycle, cycle[1:] + cycle[:1], strict=True):
        step = next((s for s in steps.edges[writer, reader]['links']
                     if s.flag not in one_way), None)
        if step is None:
            return None
        loop.append(step)
    return tuple(loop)


def loop_words(loop: tuple[LoopStep, ...]) -> tuple[str, str]:
    """The loop in words, ``a sets 'x' -> b (@when('x')) clears 'x' -> a (@when_not('x'))``,
    and its flags with their verb (``'x' is``, ``'x', 'y' are``)."""
    path = _name(loop[0].writer)
    for step in loop:
        path += f' {step.verbs[0]} {step.path[0]!r}' + ''.join(
            f' -> (trigger) {verb} {name!r}'
            for verb, name in zip(step.verbs[1:], step.path[1:], strict=True))
        path += f' -> {_name(step.reader)} (@{step.kind}({step.flag!r}))'
    flags = list(dict.fromkeys(repr(step.flag) for step in loop))
    return path, f'{", ".join(flags)} {"is" if len(flags) == 1 else "are"}'


def _name(node: str) -> str:
    return node.split(':', 1)[1]
