"""The flag graph: which handlers read which flags, and which flags each handler changes.

A :class:`FlagGraph` wraps a :class:`networkx.DiGraph` whose nodes are strings:

* ``flag:<name>``, attributes ``kind='flag'``, ``name``, ``automatic`` (Juju or reactops
  sets it by itself: ``config.*``, ``leadership.*``, ``endpoint.*``, ``upgrade.series.*``);
* ``handler:<handler id>``, attributes ``kind='handler'``, ``handler_id``, ``name``,
  ``file``, ``line``, ``phase`` (:attr:`Handler.phase`), ``predicates`` (their
  descriptions), ``hooks`` (``@hook`` patterns), ``checks`` (flags read in the body).

Edges carry ``kinds`` (a list, as one edge can be several things), ``label``, ``static``
(found in the registry or the source) and ``observed`` (recorded by a dispatch):

* flag → handler: the predicate kinds reading it, ``when``, ``when_any``, ``when_not``,
  ``when_not_all``;
* handler → flag: ``sets``, ``clears``, ``toggles`` (literal calls in the handler's source;
  ``computed`` when the call computes the name from a literal start that this flag's name
  begins with, ``set_flag('apt.installed.' + package)``), and, from a dispatch,
  ``sets``/``clears`` (from the trace's steps) or ``changes`` (from a bare ``written_by``
  map, which does not say which way);
* flag → flag: ``trigger``, with ``triggers`` listing e.g. ``'on set: sets'``.

Importing this module imports networkx (about 120 ms); nothing on a hook's path does.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ..errors import ReactiveError
from ._graph_ast import (
    StaticTrigger,
    automatic_words,
    flag_history,
    function_facts,
    merged_facts,
    module_triggers,
    phase_reasons,
    possible_reasons,
    source_location,
    source_order,
    trace_runs,
)
from ._graph_export import dot_text, json_data, mermaid_text
from ._graph_loops import find_loops, loop_words
from ._runtime import Trigger
from .predicates import HookMatches, WhenAll, WhenAny, WhenNone, WhenNotAll
from .registry import Handler, HandlerRegistry

__all__ = ['DEFAULT_AUTOMATIC_PREFIXES', 'FINDING_KINDS', 'FlagGraph', 'Finding', 'flag_node',
           'handler_node']

#: Prefixes of the flags Juju or reactops sets without any handler.
DEFAULT_AUTOMATIC_PREFIXES = ('config.', 'leadership.', 'endpoint.', 'upgrade.series.',
                              'container.')
#: Every kind of :class:`Finding` that :meth:`FlagGraph.check` reports.
FINDING_KINDS = ('never_runs', 'hook_with_when', 'read_never_set', 'set_never_read', 'cycle')

_FLAG_READS = (WhenAll, WhenAny, WhenNone, WhenNotAll)
_SETTING = {'sets', 'toggles', 'changes'}
_CLEARING = {'clears', 'toggles', 'changes'}
# What a node that is no handler is called in explanations, by its phase.
_ROLES = {'observer': 'observer', 'library': 'library function'}
_MAX_CYCLES = 10_000  # simple_cycles can be exponential; a graph this tangled says enough


def flag_node(name: str) -> str:
    """The node id of flag *name*."""
    return f'flag:{name}'


def handler_node(handler_id: str) -> str:
    """The node id of the handler with this id."""
    return f'handler:{handler_id}'


@dataclass(frozen=True)
class Finding:
    """One problem :meth:`FlagGraph.check` found.

    *kind* is one of :data:`FINDING_KINDS`; *subject* and *related* are node ids
    (``flag:<name>``, ``handler:<id>``), so a tool can look them up in the graph;
    *message* says in words what is wrong and how to fix it.
    """

    kind: str
    subject: str
    message: str
    related: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f'{self.kind}: {self.message}'


def _trigger_text(on_set: bool, does: str) -> str:
    return f'on {"set" if on_set else "clear"}: {does}'


def _parse_trigger(text: str) -> tuple[str, str]:
    """``'on set: sets'`` -> ``('set', 'sets')``."""
    on, does = text.split(': ')
    return on[3:], does


def _setter(node: str) -> str:
    kind, name = node.split(':', 1)
    return f'handler {name}' if kind == 'handler' else f'a trigger on {name!r}'


def _node_name(node: str) -> str:
    return node.split(':', 1)[1]


class FlagGraph:
    """The flags and handlers of a charm, and how they depend on each other.

    Build it with :meth:`from_registry` (or :meth:`from_trace` to add what a dispatch
    recorded), then export it (:meth:`to_dot`, :meth:`to_mermaid`, :meth:`to_json`), check
    it (:meth:`check`) or ask why a handler did not run (:meth:`why_not`). The networkx
    graph is :attr:`graph`; read it, but change it only through this class.
    """

    def __init__(self, automatic_prefixes: Iterable[str] | None = None):
        prefixes = DEFAULT_AUTOMATIC_PREFIXES if automatic_prefixes is None \
            else automatic_prefixes
        self.automatic_prefixes: tuple[str, ...] = tuple(prefixes)
        self.graph = nx.DiGraph(automatic_prefixes=list(self.automatic_prefixes))
        self.handlers: dict[str, Handler] = {}
        # (writer node, edge kind, prefix) of writes of computed names with a literal start.
        self._prefix_writes: list[tuple[str, str, str]] = []
        #: The last trace merged (:meth:`why_not` reads it when given none).
        self.trace: dict[str, Any] | None = None

    # -- building -------------------------------------------------------------------------

    @classmethod
    def from_registry(cls, registry: HandlerRegistry | Iterable[Handler], *,
                      runtime_edges: Mapping[str, Iterable[str]] | None = None,
                      triggers: Iterable[Trigger] = (),
                      automatic_prefixes: Iterable[str] | None = None,
                      relation_names: Mapping[str, Iterable[str]] | None = None
                      ) -> FlagGraph:
        """The graph of *registry*'s handlers: their predicates, the literal flag calls and
        ``register_trigger`` calls in their source (and at the top level of their modules),
        the given *triggers* (e.g. ``_runtime.static_trigger_flags()``), and the
        *runtime_edges* a dispatch recorded (handler id → flags it changed).

        *relation_names* maps the id of a legacy ``RelationBase`` handler to the relation
        endpoints its class serves: ``{relation_name}`` in its flag names stands for each.
        """
        self = cls(automatic_prefixes)
        handlers = list(registry)
        names = relation_names or {}
        for handler in handlers:
            self._add_handler(handler, tuple(names.get(handler.id, ())))
        for static in module_triggers(h.action for h in handlers):
            self._add_static_trigger(static)
        for trigger in triggers:
            self._add_static_trigger(StaticTrigger(
                trigger.flag, trigger.on_set, tuple(trigger.set_flags),
                tuple(trigger.clear_flags)))
        if runtime_edges:
            self.add_runtime_edges(runtime_edges)
        self._link_prefix_writes()
        return self

    @classmethod
    def from_trace(cls, registry: HandlerRegistry | Iterable[Handler],
                   trace: Mapping[str, Any], **options: Any) -> FlagGraph:
        """:meth:`from_registry`, plus the edges of a stored dispatch trace (the value at
        key ``reactops.trace.last`` of the state store)."""
        self = cls.from_registry(registry, **options)
        self.merge_trace(trace)
        return self

    def is_automatic(self, flag: str) -> bool:
        """Whether Juju or reactops sets *flag* by itself (so no handler has to)."""
        return flag.startswith(self.automatic_prefixes)

    def _flag(self, name: str) -> str:
        node = flag_node(name)
        if node not in self.graph:
            self.graph.add_node(node, kind='flag', name=name, automatic=self.is_automatic(name))
        return node

    def _link(self, source: str, target: str, kind: str, *, observed: bool = False,
              trigger: str | None = None, computed: bool = False) -> None:
        data = self.graph.get_edge_data(source, target)
        if data is None:
            self.graph.add_edge(source, target, kinds=[], static=False, observed=False)
            data = self.graph.edges[source, target]
            if computed:
                data['computed'] = True  # only a computed name's start says it may be so
        if kind not in data['kinds']:
            data['kinds'].append(kind)
        data['observed' if observed else 'static'] = True
        if trigger is not None:
            data.setdefault('triggers', [])
            if trigger not in data['triggers']:
                data['triggers'].append(trigger)
        label = ', '.join(data['kinds'])
        if 'triggers' in data:
            label = f'trigger ({"; ".join(data["triggers"])})'
        data['label'] = label + (' (computed name)' if data.get('computed') else '') + (
            ' (observed)' if data['observed'] and not data['static'] else '')

    def _add_handler(self, handler: Handler, relation_names: tuple[str, ...] = ()) -> None:
        node = handler_node(handler.id)
        file, line = source_location(handler.action)
        facts = function_facts(handler.action, handler.endpoint_name)
        if relation_names:
            facts = merged_facts(function_facts(handler.action, n) for n in relation_names)
        self.handlers[handler.id] = handler
        predicates = source_order(handler)
        self.graph.add_node(
            node, kind='handler', handler_id=handler.id, name=handler.name, file=file,
            line=line, phase=handler.phase, predicates=[p.describe() for p in predicates],
            hooks=[pattern for p in predicates if isinstance(p, HookMatches)
                   for pattern in p.patterns],
            checks=list(facts.reads), is_method=handler.is_method)
        for predicate in predicates:
            if isinstance(predicate, _FLAG_READS):
                for flag in predicate.flags:
                    self._link(self._flag(flag), node, predicate.kind)
        for kind, flag in facts.writes:
            self._link(node, self._flag(flag), kind)
        self._prefix_writes += [(node, kind, prefix) for kind, prefix in facts.prefix_writes]
        for static in facts.triggers:
            self._add_static_trigger(static)

    def _link_prefix_writes(self) -> None:
        """Link each write of a computed name to every flag of the graph it may be
        (``set_flag('apt.installed.' + p)`` to ``apt.installed.nginx`` when a handler
        reads that), marked ``computed``."""
        for node, kind, prefix in self._prefix_writes:
            for flag in self._flag_nodes():
                if self.graph.nodes[flag]['name'].startswith(prefix) and \
                        not self.graph.has_edge(node, flag):
                    self._link(node, flag, kind, computed=True)

    def _add_static_trigger(self, trigger: StaticTrigger) -> None:
        source = self._flag(trigger.flag)
        for does, names in (('sets', trigger.set_flags), ('clears', trigger.clear_flags)):
            for name in names:
                self._link(source, self._flag(name), 'trigger',
                           trigger=_trigger_text(trigger.on_set, does))

    def add_observer(self, observer_id: str, function: Callable[..., Any], *,
                     is_method: bool = True, endpoint_name: str | None = None,
                     phase: str = 'observer') -> None:
        """Add a function that is no handler but changes flags, e.g. an ops-style observer
        of a mixed charm or an endpoint's ``manage_flags`` (*phase* ``observer``), or a
        function of a library the handlers call (*phase* ``library``): a node with the
        literal flag calls and triggers of its source (``{endpoint_name}`` expanded), so
        the handlers waiting for those flags are not taken for dead."""
        node = handler_node(observer_id)
        file, line = source_location(function)
        facts = function_facts(function, endpoint_name)
        self.graph.add_node(node, kind='handler', handler_id=observer_id,
                            name=getattr(function, '__qualname__', observer_id), file=file,
                            line=line, phase=phase, predicates=[], hooks=[],
                            checks=list(facts.reads), is_method=is_method)
        for kind, flag in facts.writes:
            self._link(node, self._flag(flag), kind)
        self._prefix_writes += [(node, kind, prefix) for kind, prefix in facts.prefix_writes]
        for static in facts.triggers:
            self._add_static_trigger(static)
        self._link_prefix_writes()

    def add_runtime_edges(self, written_by: Mapping[str, Iterable[str]], *,
                          kind: str = 'changes') -> None:
        """Add what a dispatch recorded: handler id → flags it changed
        (``DispatchRecorder.written_by``). An edge the source already explains is only
        marked ``observed``; a new one gets *kind*. Unknown handlers are added as nodes
        without predicates (the handler may have been removed since)."""
        covering = {'changes': _SETTING | _CLEARING, 'sets': _SETTING,
                    'clears': _CLEARING}[kind]
        for handler_id, flags in written_by.items():
            node = handler_node(handler_id)
            if node not in self.graph:
                self.graph.add_node(node, kind='handler', handler_id=handler_id,
                                    name=handler_id.rsplit(':', 1)[-1], file=None, line=None,
                                    phase='unknown', predicates=[], hooks=[], checks=[],
                                    is_method=False)
            for flag in sorted(flags):
                target = self._flag(flag)
                data = self.graph.get_edge_data(node, target)
                if data is not None and covering & set(data['kinds']):
                    data['observed'] = True
                else:
                    self._link(node, target, kind, observed=True)

    def merge_trace(self, trace: Mapping[str, Any]) -> None:
        """Add the edges of a dispatch trace (``DispatchRecorder.to_json()``, or the compact
        form the state store keeps): which handler set or cleared which flag, from its
        steps, else from ``written_by``."""
        trace = _readable(trace)
        sets: dict[str, set[str]] = {}
        clears: dict[str, set[str]] = {}
        for step in trace.get('steps', ()):
            if 'by' in step:
                for key, into in (('set', sets), ('clear', clears)):
                    if key in step:
                        into.setdefault(step['by'], set()).add(step[key])
        self.add_runtime_edges(sets, kind='sets')
        self.add_runtime_edges(clears, kind='clears')
        self.add_runtime_edges(trace.get('written_by', {}))
        self.trace = dict(trace)

    # -- queries --------------------------------------------------------------------------

    def _kinds(self, source: str, target: str) -> list[str]:
        return list(self.graph.edges[source, target]['kinds'])

    def _flag_nodes(self) -> list[str]:
        return [n for n, kind in self.graph.nodes(data='kind') if kind == 'flag']

    def _writers(self, flag: str, kinds: set[str], does: str) -> list[str]:
        """Handlers (and trigger source flags) that can set (does='sets') or clear it."""
        found: list[str] = []
        if flag not in self.graph:
            return found
        for source in self.graph.predecessors(flag):
            data = self.graph.edges[source, flag]
            if source.startswith('handler:') and kinds & set(data['kinds']):
                found.append(source)
            elif any(t.endswith(does) for t in data.get('triggers', ())):
                found.append(source)
        return found

    def setters(self, flag: str) -> list[str]:
        """Node ids of the handlers and triggering flags that can set *flag*."""
        return self._writers(flag_node(flag), _SETTING, 'sets')

    def clearers(self, flag: str) -> list[str]:
        """Node ids of the handlers and triggering flags that can clear *flag*."""
        return self._writers(flag_node(flag), _CLEARING, 'clears')

    def _similar(self, flag: str) -> str:
        names = [self.graph.nodes[n]['name'] for n in self._flag_nodes()]
        close = difflib.get_close_matches(flag, [n for n in names if n != flag], n=1)
        return f' (did you mean {close[0]!r}?)' if close else ''

    def _who_sets(self, flag: str) -> str:
        if self.is_automatic(flag):
            return automatic_words(flag)
        parts = self._writer_words(flag, self.setters(flag), 'sets', 'set')
        if not parts:
            return f'nothing sets it (no handler, trigger or automatic rule){self._similar(flag)}'
        return '; '.join(parts)

    def _who_clears(self, flag: str) -> str:
        parts = self._writer_words(flag, self.clearers(flag), 'clears', 'cleared')
        if self.is_automatic(flag):
            parts.insert(0, automatic_words(flag))
        return '; '.join(parts) if parts else 'no handler or trigger clears it'

    def _writer_words(self, flag: str, writers: list[str], does: str, done: str) -> list[str]:
        words = []
        for writer in writers:
            data = self.graph.edges[writer, flag_node(flag)]
            if writer.startswith('flag:'):
                when = ' or '.join('set' if on == 'set' else 'cleared' for on, what
                                   in map(_parse_trigger, data['triggers']) if what == does)
                words.append(f'a trigger {does} it when {_node_name(writer)!r} is {when}')
            else:
                seen = '' if data['static'] else ' (seen in a dispatch)'
                role = _ROLES.get(self.graph.nodes[writer]['phase'], 'handler')
                words.append(f'it is {done} by {role} {_node_name(writer)}{seen}')
        return words

    # -- exports --------------------------------------------------------------------------

    def to_dot(self) -> str:
        """The graph in Graphviz DOT: flags as ellipses (grey when automatic), handlers
        as boxes, ``when_not*`` edges dashed, triggers dotted, edges seen only in a
        dispatch blue."""
        return dot_text(self.graph)

    def to_mermaid(self) -> str:
        """The graph as a Mermaid ``flowchart LR``: flags as stadiums, handlers as boxes,
        ``when_not*`` and trigger edges dotted. Ids are sanitised; labels are kept."""
        return mermaid_text(self.graph)

    def to_json(self) -> dict[str, Any]:
        """networkx node-link data (``nodes``, ``links``), ready for :func:`json.dumps`;
        ``networkx.node_link_graph(data, edges='links')`` reads it back."""
        return json_data(self.graph)

    # -- checks ---------------------------------------------------------------------------

    def check(self) -> list[Finding]:
        """Every problem found, sorted by kind, subject and related nodes."""
        runnable = self._reachable()[1]
        findings = [*self._hook_with_when(), *self._never_runs(), *self._read_never_set(),
                    *self._set_never_read(), *self._cycles(runnable)]
        return sorted(findings, key=lambda f: (f.kind, f.subject, f.related, f.message))

    def _hook_with_when(self) -> Iterator[Finding]:
        for handler in self.handlers.values():
            if handler.phase != 'never':
                continue
            described = ', '.join(p.describe() for p in source_order(handler)
                                  if p.phase is not None)
            yield Finding('hook_with_when', handler_node(handler.id), (
                f'handler {handler.id} never runs: {described} belong to different phases of '
                'the dispatch (@hook handlers run before the main loop, @when* handlers in '
                'it, metrics handlers only in their restricted hook). Split it into two '
                "handlers, or replace @hook with the flag it stands for (e.g. "
                "@when('endpoint.<name>.joined') instead of @hook('<name>-relation-joined'))."))

    def _reachable(self) -> tuple[set[str], set[str]]:
        """The flags that can become set and the handlers that can run, by fixed point
        from the automatic flags (a flag is settable once a runnable handler or a trigger
        of a settable flag sets it)."""
        settable = {n for n in self._flag_nodes() if self.graph.nodes[n]['automatic']}
        # A handler known only from a trace ran, so what it set can be set.
        runnable = {n for n, kind in self.graph.nodes(data='kind')
                    if kind == 'handler' and _node_name(n) not in self.handlers}
        settable |= {f for n in runnable for f in self.graph.successors(n)
                     if _SETTING & set(self._kinds(n, f))}
        grew = True
        while grew:
            grew = False
            for handler in self.handlers.values():
                node = handler_node(handler.id)
                if node not in runnable and not self._blockers(handler, settable):
                    runnable.add(node)
                    grew = True
                    settable |= {f for f in self.graph.successors(node)
                                 if _SETTING & set(self._kinds(node, f))}
            for source, target, data in self.graph.edges(data=True):
                if source in settable and target not in settable and \
                        any(t.endswith('sets') for t in data.get('triggers', ())):
                    settable.add(target)
                    grew = True
        return settable, runnable

    def _blockers(self, handler: Handler, settable: set[str]) -> list[tuple[str, str]]:
        """(flag, predicate description) pairs that keep *handler* from ever running."""
        blocked: list[tuple[str, str]] = []
        if handler.phase == 'never':
            blocked.append(('', 'its phase'))
        for predicate in source_order(handler):
            missing = [f for f in predicate.flags if flag_node(f) not in settable]
            if isinstance(predicate, WhenAll):
                blocked += [(f, predicate.describe()) for f in missing]
            elif isinstance(predicate, WhenAny) and len(missing) == len(predicate.flags):
                blocked += [(f, predicate.describe()) for f in missing]
        return blocked

    def _never_runs(self) -> Iterator[Finding]:
        settable, runnable = self._reachable()
        for handler in self.handlers.values():
            blocked = [b for b in self._blockers(handler, settable) if b[0]]
            if handler_node(handler.id) in runnable or not blocked:
                continue
            reasons, related = [], []
            for flag, described in blocked:
                related.append(flag_node(flag))
                setters = self.setters(flag)
                if setters:
                    related += setters
                    who = ' and '.join(_setter(s) for s in setters)
                    reasons.append(f'{flag!r} ({described}), which only {who} sets, and '
                                   'that never happens either')
                else:
                    reasons.append(f'{flag!r} ({described}), which no handler, trigger or '
                                   f'automatic rule sets{self._similar(flag)}')
            yield Finding('never_runs', handler_node(handler.id), (
                f'handler {handler.id} never runs: it needs {"; and ".join(reasons)}. Set the '
                'flag with set_flag() in a handler that can run, correct the name if it is a '
                'typo, or, if code the graph cannot see sets it, pass its prefix in '
                'automatic_prefixes (or merge a dispatch trace that shows it being set).'),
                tuple(dict.fromkeys(related)))

    def _read_never_set(self) -> Iterator[Finding]:
        for flag in self._flag_nodes():
            data = self.graph.nodes[flag]
            readers = list(self.graph.successors(flag))
            if data['automatic'] or not readers or self.setters(data['name']):
                continue
            how = ', '.join(f'{_node_name(r)} ({", ".join(self._kinds(flag, r))})'
                            for r in readers)
            yield Finding('read_never_set', flag, (
                f'flag {data["name"]!r} is read by {how}, but nothing sets it: no handler '
                f'calls set_flag({data["name"]!r}) with that literal name, no trigger sets it '
                f'and it is not automatic{self._similar(data["name"])}. Set it where it becomes '
                'true, or remove the predicate.'), tuple(readers))

    def _set_never_read(self) -> Iterator[Finding]:
        checked = {f for _, checks in self.graph.nodes(data='checks') for f in checks or ()}
        for flag in self._flag_nodes():
            data = self.graph.nodes[flag]
            setters = self.setters(data['name'])
            if data['automatic'] or not setters or data['name'] in checked or \
                    any(True for _ in self.graph.successors(flag)):
                continue
            who = ' and '.join(_setter(s) for s in setters)
            yield Finding('set_never_read', flag, (
                f'flag {data["name"]!r} is set by {who}, but no handler or trigger reads it. '
                f'Add the handler that should react to it (@when({data["name"]!r})) or stop '
                'setting it; if code outside these handlers reads it, ignore this.'),
                tuple(setters))

    def _cycles(self, runnable: set[str]) -> Iterator[Finding]:
        for loop in find_loops(self.graph, self.handlers, runnable, _MAX_CYCLES):
            path, flags = loop_words(loop)
            related = [node for step in loop
                       for node in (step.writer, *map(flag_node, step.path))]
            yield Finding('cycle', loop[0].writer, (
                f'handlers can re-trigger each other without end: {path}. Each step makes '
                f'the next handler runnable again, and {flags} both set and cleared on the '
                'way round, so a dispatch can keep going until it fails with '
                'DispatchLoopError. Break the loop: guard one handler with @when_not on a '
                'flag it sets, or stop one of them from undoing the flag it reacts to.'),
                tuple(related))

    # -- explaining -----------------------------------------------------------------------

    def find_handler(self, key: str) -> Handler:
        """The handler whose id is *key*, or whose qualified or plain name or id ending is
        *key* if only one matches (so ``explain install`` works)."""
        if key in self.handlers:
            return self.handlers[key]
        found = [h for h in self.handlers.values()
                 if key in (h.name, h.name.rsplit('.', 1)[-1]) or h.id.endswith(':' + key)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ReactiveError(f'no handler matches {key!r}; give a handler id as the '
                                f'dispatch logs it, one of: {", ".join(sorted(self.handlers))}')
        raise ReactiveError(f'{len(found)} handlers match {key!r}: '
                            f'{", ".join(h.id for h in found)}; give the full handler id')

    def why_not(self, handler_id: str, flags_set: Iterable[str], *,
                hook_name: str | None = None, trace: Mapping[str, Any] | None = None
                ) -> list[str]:
        """Plain-language reasons why a handler did not run with *flags_set* set (e.g. the
        flags after a dispatch) in hook *hook_name*; a *trace* (stored dispatch trace)
        gives the hook when *hook_name* is None, says whether the handler did run after all,
        and tells what happened to the flags it needs during that dispatch."""
        handler = self.find_handler(handler_id)
        flags = set(flags_set)
        trace = _readable(trace) if trace is not None else self.trace
        if trace is not None:
            ran = trace_runs(handler.id, trace)
            if ran:
                return ran
            hook_name = hook_name or trace.get('hook') or None
        reasons = phase_reasons(handler, hook_name)
        for predicate in source_order(handler):
            reasons += self._predicate_reasons(predicate, flags, trace)
        if reasons:
            return reasons
        maybe = possible_reasons(handler)
        return maybe or [f'with these flags every predicate of {handler.id} holds, so it '
                         'runs in the next dispatch (the flags may have differed while the '
                         'last one ran; pass its trace to see)']

    def _predicate_reasons(self, predicate: Any, flags: set[str],
                           trace: Mapping[str, Any] | None) -> list[str]:
        described = predicate.describe()
        names = predicate.flags
        if isinstance(predicate, WhenAll):
            return [f'needs flag {f!r} ({described}), which is not set; {self._who_sets(f)}'
                    f'{flag_history(f, trace)}' for f in names if f not in flags]
        if isinstance(predicate, WhenAny) and not flags & set(names):
            who = '; '.join(f'{f!r}: {self._who_sets(f)}{flag_history(f, trace)}' for f in names)
            return [f'needs one of the flags {", ".join(map(repr, names))} ({described}), and '
                    f'none is set; {who}']
        if isinstance(predicate, WhenNone):
            return [f'needs flag {f!r} not set ({described}), but it is set; '
                    f'{self._who_clears(f)}{flag_history(f, trace)}' for f in names if f in flags]
        if isinstance(predicate, WhenNotAll) and set(names) <= flags:
            who = '; '.join(f'{f!r}: {self._who_clears(f)}' for f in names)
            return [f'needs at least one of the flags {", ".join(map(repr, names))} not set '
                    f'({described}), but all are set; {who}']
        return []


def _readable(trace: Mapping[str, Any]) -> Mapping[str, Any]:
    """*trace* as :meth:`DispatchRecorder.to_json` shows it, also when it is the compact
    form the state store keeps (``reactops.trace.last``)."""
    from ._trace import load_trace

    return load_trace(dict(trace)) or {}
