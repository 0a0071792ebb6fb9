"""The flag graph: its nodes and edges, exports, checks, explanations and lazy import."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from graphids import hid, no_static_triggers, node  # noqa: F401 - an autouse fixture

import reactops
from reactops.errors import ReactiveError
from reactops.reactive import (
    Dispatcher,
    HandlerRegistry,
    ReactiveRuntime,
    _runtime,
    activate,
    clear_flag,
    collect_metrics,
    hook,
    only_once,
    register_trigger,
    remove_state,
    set_flag,
    set_state,
    toggle_flag,
    toggle_state,
    when,
    when_any,
    when_none,
    when_not,
    when_not_all,
)
from reactops.reactive import flags as reactive
from reactops.reactive._runtime import Trigger
from reactops.reactive._trace import TRACE_KEY, load_trace
from reactops.reactive.graph import (
    DEFAULT_AUTOMATIC_PREFIXES,
    FINDING_KINDS,
    Finding,
    FlagGraph,
    flag_node,
    handler_node,
)
from reactops.reactive.registry import discover_modules
from reactops.storage import SQLiteStorage


def registry_of(*functions: Callable[..., Any]) -> HandlerRegistry:
    registry = HandlerRegistry()
    for function in functions:
        registry.add_function(function)
    return registry


def graph_of(*functions: Callable[..., Any], **options: Any) -> FlagGraph:
    return FlagGraph.from_registry(registry_of(*functions), **options)


def edge(graph: FlagGraph, source: str, target: str) -> dict[str, Any]:
    assert graph.graph.has_edge(source, target), f'no edge {source} -> {target}'
    data: dict[str, Any] = graph.graph.edges[source, target]
    return data


def kinds(findings: Iterable[Finding]) -> list[tuple[str, str]]:
    return [(f.kind, f.subject) for f in findings]


def write_charm(charm_dir: Path, files: dict[str, str]) -> HandlerRegistry:
    for name, text in files.items():
        path = charm_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return HandlerRegistry.collect(discover_modules(charm_dir), charm_dir=charm_dir)


def run_dispatch(registry: HandlerRegistry, flags: Iterable[str] = (),
                 hook_name: str = 'update-status') -> dict[str, Any]:
    """One dispatch of *registry*; the trace it stored."""
    storage = SQLiteStorage(':memory:')
    runtime = ReactiveRuntime(storage, hook_name=hook_name)
    with activate(runtime):
        for flag in flags:
            runtime.set(flag)
        runtime.take_changes()
        Dispatcher(registry, runtime).dispatch()
    trace = load_trace(storage.kv_get(TRACE_KEY))
    assert trace is not None
    return trace


# -- nodes and edges ----------------------------------------------------------------------


def test_nodes_carry_what_a_reader_of_the_graph_needs() -> None:
    @when('db.ready', 'config.changed')
    def configure() -> None:
        set_flag('app.configured')

    graph = graph_of(configure)

    handler = graph.graph.nodes[node(configure)]
    assert handler['kind'] == 'handler'
    assert handler['name'].endswith('configure')
    assert handler['file'] == __file__
    assert handler['line'] == configure.__code__.co_firstlineno
    assert handler['phase'] == 'other'
    assert handler['predicates'] == ["@when('db.ready', 'config.changed')"]
    assert graph.graph.nodes[flag_node('db.ready')] == {
        'kind': 'flag', 'name': 'db.ready', 'automatic': False}
    assert graph.graph.nodes[flag_node('config.changed')]['automatic'] is True


def test_read_edges_are_labelled_with_the_predicate_kind() -> None:
    @when('a')
    @when_any('b', 'c')
    @when_not('d')
    @when_none('e')
    @when_not_all('f', 'g')
    def handler() -> None:
        pass

    graph = graph_of(handler)

    labels = {flag: edge(graph, flag_node(flag), node(handler))['label'] for flag in 'abcdefg'}
    assert labels == {'a': 'when', 'b': 'when_any', 'c': 'when_any', 'd': 'when_not',
                      'e': 'when_not', 'f': 'when_not_all', 'g': 'when_not_all'}


def test_write_edges_come_from_literal_calls_in_the_handler_source() -> None:
    name = 'computed'

    @when('go')
    def handler() -> None:
        set_flag('s1')
        reactive.set_flag('s2')
        set_state('s3')
        clear_flag('c1')
        reactive.clear_flag(flag='c2')
        remove_state('c3')
        toggle_flag('t1', True)
        toggle_state('t2', False)
        set_flag(name)             # not a literal: only a dispatch can tell
        set_flag(f'{name}.x')

    graph = graph_of(handler)

    writes = {graph.graph.nodes[target]['name']: data['label']
              for _, target, data in graph.graph.out_edges(node(handler), data=True)}
    assert writes == {'s1': 'sets', 's2': 'sets', 's3': 'sets', 'c1': 'clears',
                      'c2': 'clears', 'c3': 'clears', 't1': 'toggles', 't2': 'toggles'}
    assert all(data['static'] and not data['observed']
               for *_, data in graph.graph.out_edges(node(handler), data=True))


def test_a_flag_set_and_cleared_by_one_handler_is_one_edge_with_both_labels() -> None:
    @when('go')
    def handler() -> None:
        set_flag('x')
        clear_flag('x')

    assert edge(graph_of(handler), node(handler), flag_node('x'))['kinds'] == ['sets', 'clears']


def test_methods_of_a_charm_are_read_through_their_function() -> None:
    class Charm:
        @when('installed')
        def start(self) -> None:
            self.helper()
            set_flag('started')

        def helper(self) -> None:
            pass

    registry = HandlerRegistry()
    registry.add_function(Charm.start, bound_to=Charm())
    graph = FlagGraph.from_registry(registry)

    assert edge(graph, node(Charm.start), flag_node('started'))['kinds'] == ['sets']
    assert graph.graph.nodes[node(Charm.start)]['is_method'] is True


def test_endpoint_handlers_expand_their_endpoint_name() -> None:
    class Endpoint:
        def expand_name(self, name: str) -> str:
            return name

        @when('endpoint.{endpoint_name}.joined')
        def joined(self) -> None:
            set_flag(self.expand_name('{endpoint_name}.available'))
            clear_flag('{endpoint_name}.gone')

    registry = HandlerRegistry()
    handler = registry.add_function(Endpoint.joined, bound_to=Endpoint())
    handler.endpoint_name = 'db'
    graph = FlagGraph.from_registry(registry)

    assert edge(graph, node(Endpoint.joined), flag_node('db.available'))['kinds'] == ['sets']
    assert edge(graph, node(Endpoint.joined), flag_node('db.gone'))['kinds'] == ['clears']


def test_handlers_without_source_are_kept_without_write_edges() -> None:
    namespace: dict[str, Any] = {'when': when, 'set_flag': set_flag}
    exec(compile("@when('a')\ndef generated():\n    set_flag('b')\n", '<generated>', 'exec'),
         namespace)

    graph = graph_of(namespace['generated'])

    handler = handler_node('<generated>:1:generated')
    assert graph.graph.nodes[handler]['phase'] == 'other'
    assert list(graph.graph.successors(handler)) == []
    assert edge(graph, flag_node('a'), handler)['kinds'] == ['when']


def test_triggers_become_flag_to_flag_edges() -> None:
    @when('go')
    def handler() -> None:
        register_trigger(when='a', set_flag='b')
        reactive.register_trigger(when_not='c', clear_flag='d')
        register_trigger(None, 'e', 'f')  # positional: when_not='e', set_flag='f'

    graph = graph_of(handler, triggers=[
        Trigger('g', on_set=True, set_flags=['h'], clear_flags=['i'])])

    def label(source: str, target: str) -> str:
        data = edge(graph, flag_node(source), flag_node(target))
        assert data['kinds'] == ['trigger']
        return str(data['label'])

    assert label('a', 'b') == 'trigger (on set: sets)'
    assert label('c', 'd') == 'trigger (on clear: clears)'
    assert label('e', 'f') == 'trigger (on clear: sets)'
    assert label('g', 'h') == 'trigger (on set: sets)'
    assert label('g', 'i') == 'trigger (on set: clears)'


def test_discovered_modules_are_read_with_their_top_level_triggers(tmp_path: Path) -> None:
    registry = write_charm(tmp_path, {'reactive/app.py': """
        from reactops import reactive
        from reactops.reactive import register_trigger, set_flag, when, when_not

        register_trigger(when='app.installed', set_flag='app.needs-restart')

        @when_not('app.installed')
        def install():
            reactive.set_flag('app.installed')

        @when('app.needs-restart')
        def restart():
            reactive.clear_flag('app.needs-restart')
        """})

    graph = FlagGraph.from_registry(registry)

    install = handler_node(graph.find_handler('install').id)
    assert install.startswith('handler:reactive/app.py:')
    assert edge(graph, flag_node('app.installed'), install)['label'] == 'when_not'
    assert edge(graph, install, flag_node('app.installed'))['label'] == 'sets'
    assert edge(graph, flag_node('app.installed'),
                flag_node('app.needs-restart'))['label'] == 'trigger (on set: sets)'
    assert graph.check() == []
    # The same trigger, as registered at import, given as a Trigger.
    graph = FlagGraph.from_registry(registry, triggers=_runtime.static_trigger_flags())
    assert edge(graph, flag_node('app.installed'),
                flag_node('app.needs-restart'))['label'] == 'trigger (on set: sets)'


# -- run-time edges -------------------------------------------------------------------------


def test_runtime_edges_mark_known_edges_observed_and_add_new_ones() -> None:
    @when_not('a')
    def handler() -> None:
        set_flag('a')

    graph = graph_of(handler, runtime_edges={
        hid(handler): ['a', 'b'], 'reactive/old.py:3:gone': ['c']})

    known = edge(graph, node(handler), flag_node('a'))
    assert (known['label'], known['static'], known['observed']) == ('sets', True, True)
    new = edge(graph, node(handler), flag_node('b'))
    assert (new['label'], new['static'], new['observed']) == ('changes (observed)', False, True)
    assert graph.graph.nodes[handler_node('reactive/old.py:3:gone')]['phase'] == 'unknown'


def test_a_dispatch_trace_adds_what_the_source_does_not_say() -> None:
    suffix = 'ready'

    @when_not('app.installed')
    def install() -> None:
        set_flag('app.installed')
        set_flag('.'.join(['app', suffix]))  # no literal start either

    @when('app.ready')
    def announce() -> None:
        clear_flag('.'.join(['app', suffix]))

    registry = registry_of(install, announce)
    assert not FlagGraph.from_registry(registry).graph.has_edge(node(install),
                                                                flag_node('app.ready'))
    trace = run_dispatch(registry)
    graph = FlagGraph.from_trace(registry, trace)

    assert edge(graph, node(install), flag_node('app.ready'))['label'] == 'sets (observed)'
    assert edge(graph, node(announce), flag_node('app.ready'))['label'] == 'clears (observed)'
    assert edge(graph, node(install), flag_node('app.installed'))['observed'] is True
    # written_by alone (DispatchRecorder.written_by) does not say which way.
    by_map = FlagGraph.from_registry(registry, runtime_edges=trace['written_by'])
    assert edge(by_map, node(install), flag_node('app.ready'))['label'] == 'changes (observed)'
    assert FlagGraph.from_trace(registry, trace).check() == []


def test_a_computed_name_with_a_literal_start_may_be_any_flag_it_starts() -> None:
    @when_not('apt.installed.nginx')
    def queue() -> None:
        set_flag('apt.queued')

    @when('apt.queued')
    def install(package: str = 'nginx') -> None:
        set_flag('apt.installed.' + package)
        clear_flag('apt.queued')

    @when('apt.installed.nginx')
    def configure(old: str = 'apache2') -> None:
        clear_flag('apt.installed.' + old)  # may be nginx's flag, as far as the graph knows

    graph = graph_of(queue, install, configure)

    data = edge(graph, node(install), flag_node('apt.installed.nginx'))
    assert (data['kinds'], data['label'], data['computed']) == (
        ['sets'], 'sets (computed name)', True)
    # configure can run; computed writes make no loop step (configure -> queue -> install
    # -> configure would be one if they did).
    assert graph.check() == []


# -- automatic flags ------------------------------------------------------------------------


@pytest.mark.parametrize('flag', ['config.changed.port', 'leadership.is_leader',
                                  'endpoint.db.joined', 'upgrade.series.in-progress'])
def test_handlers_waiting_on_automatic_flags_can_run(flag: str) -> None:
    @when(flag)
    def handler() -> None:
        pass

    graph = graph_of(handler)

    assert graph.graph.nodes[flag_node(flag)]['automatic'] is True
    assert graph.check() == []


def test_automatic_prefixes_can_be_extended() -> None:
    @when('snap.installed.etcd')
    def handler() -> None:
        pass

    assert kinds(graph_of(handler).check()) == [
        ('never_runs', node(handler)), ('read_never_set', flag_node('snap.installed.etcd'))]
    graph = graph_of(handler, automatic_prefixes=(*DEFAULT_AUTOMATIC_PREFIXES, 'snap.'))
    assert graph.is_automatic('snap.installed.etcd') and graph.is_automatic('config.changed')
    assert graph.check() == []


# -- checks ---------------------------------------------------------------------------------


def test_a_clean_charm_has_no_findings_even_with_harmless_cycles() -> None:
    @when_not('app.installed')
    def install() -> None:
        set_flag('app.installed')

    @when('app.installed', 'config.changed')
    def configure() -> None:
        set_flag('app.restart')

    @when('app.restart')
    def restart() -> None:
        clear_flag('app.restart')

    @hook('upgrade-charm')
    def upgrade() -> None:
        clear_flag('app.installed')

    @collect_metrics()
    def metrics() -> None:
        pass

    graph = graph_of(install, configure, restart, upgrade, metrics)

    # install <-> app.installed and restart <-> app.restart are cycles of the graph, but
    # each handler turns its own predicate off: nothing to report.
    assert len(list(nx.simple_cycles(graph.graph))) == 2
    assert graph.check() == []


def test_never_runs_names_the_missing_flag_and_suggests_a_near_name() -> None:
    @when_not('db.ready')
    def connect() -> None:
        set_flag('db.ready')

    @when('db.redy')
    def migrate() -> None:
        pass

    findings = [f for f in graph_of(connect, migrate).check() if f.kind == 'never_runs']

    assert kinds(findings) == [('never_runs', node(migrate))]
    assert findings[0].related == (flag_node('db.redy'),)
    assert "'db.redy' (@when('db.redy'))" in findings[0].message
    assert "did you mean 'db.ready'?" in findings[0].message
    assert 'set_flag()' in findings[0].message


def test_never_runs_follows_flags_set_only_by_handlers_that_never_run() -> None:
    @when('missing')
    def first() -> None:
        set_flag('second.go')

    @when('second.go')
    def second() -> None:
        pass

    findings = {f.subject: f for f in graph_of(first, second).check()
                if f.kind == 'never_runs'}

    assert set(findings) == {node(first), node(second)}
    assert findings[node(second)].related == (flag_node('second.go'), node(first))
    assert 'never happens either' in findings[node(second)].message


def test_when_any_never_runs_only_if_none_of_its_flags_can_be_set() -> None:
    @when_not('a')
    def setter() -> None:
        set_flag('a')

    @when_any('a', 'nobody.sets.this')
    def some() -> None:
        pass

    @when_any('nope.1', 'nope.2')
    def none() -> None:
        pass

    never = [f.subject for f in graph_of(setter, some, none).check() if f.kind == 'never_runs']
    assert never == [node(none)]


def test_hook_stacked_with_when_is_reported() -> None:
    @hook('install')
    @when_not('app.installed')
    def install() -> None:
        set_flag('app.installed')

    @when('app.installed')
    def ready() -> None:
        pass

    findings = graph_of(install, ready).check()

    # ready waits for a flag only the broken handler sets, so it never runs either.
    assert kinds(findings) == [('hook_with_when', node(install)), ('never_runs', node(ready))]
    assert "@hook('install'), @when_not('app.installed') belong to" in findings[0].message
    assert 'Split it into two handlers' in findings[0].message


def test_read_never_set_and_set_never_read() -> None:
    @when('db.ready')
    @when_not('app.paused')
    def serve() -> None:
        set_flag('app.serving')
        set_flag('app.checked')

    @when('config.changed')
    def report() -> None:
        if reactive.is_flag_set('app.checked'):  # a read in the body counts
            pass

    findings = graph_of(serve, report).check()

    assert kinds(findings) == [
        ('never_runs', node(serve)),
        ('read_never_set', flag_node('app.paused')),
        ('read_never_set', flag_node('db.ready')),
        ('set_never_read', flag_node('app.serving')),
    ]
    read = findings[2]
    assert read.related == (node(serve),)
    assert "flag 'db.ready' is read by" in read.message and '(when)' in read.message
    unread = findings[3]
    assert unread.related == (node(serve),)
    assert "@when('app.serving')" in unread.message


def test_a_loop_of_handlers_is_reported_once_with_its_members_in_order() -> None:
    @when_not('ping', 'pong')
    def serve() -> None:
        set_flag('ping')

    @when('ping')
    def ping() -> None:
        clear_flag('ping')
        set_flag('pong')

    @when('pong')
    def pong() -> None:
        clear_flag('pong')
        set_flag('ping')

    findings = [f for f in graph_of(serve, ping, pong).check() if f.kind == 'cycle']

    assert len(findings) == 1
    assert findings[0].subject == node(ping)
    assert findings[0].related == (node(ping), flag_node('pong'), node(pong), flag_node('ping'))
    assert "sets 'pong' -> " in findings[0].message
    assert 'DispatchLoopError' in findings[0].message


def test_a_loop_through_a_trigger_and_a_when_not_is_reported() -> None:
    @when_not('paused')
    def resume() -> None:
        set_flag('paused')
        set_flag('resumed')  # whose trigger clears 'paused' again: resume runs again

    @when('resumed')
    def settle() -> None:
        clear_flag('resumed')

    graph = graph_of(resume, settle, triggers=[
        Trigger('resumed', on_set=True, clear_flags=['paused'])])
    cycles = [f for f in graph.check() if f.kind == 'cycle']

    assert [f.related for f in cycles] == [
        (node(resume), flag_node('resumed'), flag_node('paused'))]
    assert "sets 'resumed' -> (trigger) clears 'paused' -> " in cycles[0].message


def test_cycles_where_flags_only_get_set_are_not_reported() -> None:
    @when('a')
    def one() -> None:
        set_flag('b')

    @when('b')
    def two() -> None:
        set_flag('a')

    assert [f for f in graph_of(one, two).check() if f.kind == 'cycle'] == []


def test_findings_are_frozen_sorted_and_of_known_kinds() -> None:
    @hook('install')
    @when('never.set')
    def broken() -> None:
        set_flag('unread')

    findings = graph_of(broken).check()

    assert findings == sorted(findings, key=lambda f: (f.kind, f.subject, f.related))
    assert {f.kind for f in findings} <= set(FINDING_KINDS)
    assert kinds(findings) == [
        ('hook_with_when', node(broken)), ('never_runs', node(broken)),
        ('read_never_set', flag_node('never.set')), ('set_never_read', flag_node('unread'))]
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].kind = 'other'  # type: ignore[misc]
    assert str(findings[0]).startswith('hook_with_when: handler ')


# -- exports --------------------------------------------------------------------------------


def export_graph() -> tuple[FlagGraph, Callable[..., Any], Callable[..., Any]]:
    @when_not('app."installed"')
    def install() -> None:
        set_flag('app."installed"')

    @when('app."installed"', 'config.changed')
    def end() -> None:
        register_trigger(when='config.changed', clear_flag='app.ok')

    return graph_of(install, end), install, end


def test_dot_draws_flags_as_ellipses_handlers_as_boxes_and_quotes_ids() -> None:
    graph, install, end = export_graph()

    dot = graph.to_dot()

    assert dot.startswith('digraph reactops {')
    quoted = r'"flag:app.\"installed\""'
    assert f'{quoted} [shape=ellipse, label="app.\\"installed\\""];' in dot
    assert f'"{node(install)}" [shape=box, ' in dot
    assert '"flag:config.changed" [shape=ellipse, label="config.changed", style=filled' in dot
    assert f'{quoted} -> "{node(install)}" [label="when_not", style=dashed];' in dot
    assert f'"{node(install)}" -> {quoted} [label="sets"];' in dot
    assert f'{quoted} -> "{node(end)}" [label="when"];' in dot
    assert ('"flag:config.changed" -> "flag:app.ok" [label="trigger (on set: clears)", '
            'style=dotted];') in dot


def test_mermaid_sanitises_ids_and_keeps_labels() -> None:
    graph, install, end = export_graph()

    mermaid = graph.to_mermaid()

    lines = mermaid.splitlines()
    assert lines[0] == 'flowchart LR'
    ids = [line.split('[')[0].split('(')[0].strip() for line in lines[1:]
           if '|' not in line]
    assert len(ids) == graph.graph.number_of_nodes() == len(set(ids))
    assert all(re.fullmatch(r'\w+', i) for i in ids)
    assert '  flag_app__installed_(["app.#quot;installed#quot;"])' in lines
    assert '  flag_app__installed_ -.->|"when_not"| ' in mermaid
    assert f'["{install.__qualname__.replace("<", "#lt;").replace(">", "#gt;")}"]' in mermaid
    assert '  flag_config_changed -.->|"trigger (on set: clears)"| flag_app_ok' in lines


def test_mermaid_ids_that_sanitise_alike_stay_distinct() -> None:
    @when('a.b', 'a_b', 'a-b')
    def handler() -> None:
        pass

    mermaid = graph_of(handler).to_mermaid()

    assert {'flag_a_b(["a.b"])', 'flag_a_b_2(["a_b"])', 'flag_a_b_3(["a-b"])'} <= {
        line.strip() for line in mermaid.splitlines()}


def test_json_is_node_link_data_that_survives_a_round_trip() -> None:
    graph, install, _ = export_graph()
    graph.merge_trace({'hook': 'install', 'steps': [{'set': 'x', 'by': 'gone:1:f'}]})

    data = graph.to_json()
    again = json.loads(json.dumps(data))

    assert again == data
    assert {'nodes', 'links', 'directed'} <= set(data)
    try:
        rebuilt = nx.node_link_graph(again, edges='links')
    except TypeError:  # networkx before 3.4 (setup.py allows 2.4) reads 'links' always
        rebuilt = nx.node_link_graph(again)
    assert set(rebuilt.nodes) == set(graph.graph.nodes)
    assert set(rebuilt.edges) == set(graph.graph.edges)
    assert rebuilt.nodes[node(install)]['phase'] == 'other'
    assert rebuilt.edges['handler:gone:1:f', 'flag:x']['label'] == 'sets (observed)'


# -- why_not --------------------------------------------------------------------------------


def explain_charm() -> dict[str, Callable[..., Any]]:
    @when_not('app.installed')
    def install() -> None:
        set_flag('app.installed')

    @when_not('db.ready')
    def connect() -> None:
        set_flag('db.ready')

    @when('app.installed', 'db.ready')
    @when_not('app.paused')
    def configure() -> None:
        pass

    @when_any('cache.a', 'cache.b')
    def cache() -> None:
        pass

    @when('config.changed.port')
    @when_not_all('x.1', 'x.2')
    def port() -> None:
        pass

    @hook('install', 'upgrade-charm')
    def on_install() -> None:
        pass

    @collect_metrics()
    def metrics() -> None:
        pass

    @only_once
    @when('app.installed')
    def once() -> None:
        clear_flag('app.paused')

    return {f.__name__: f for f in (install, connect, configure, cache, port, on_install,
                                    metrics, once)}


def test_why_not_names_unset_flags_and_who_sets_them() -> None:
    handlers = explain_charm()
    graph = graph_of(*handlers.values())
    connect = hid(handlers['connect'])

    reasons = graph.why_not('configure', ['app.installed', 'app.paused'])

    assert reasons == [
        f"needs flag 'db.ready' (@when('app.installed', 'db.ready')), which is not set; it is "
        f'set by handler {connect}',
        "needs flag 'app.paused' not set (@when_not('app.paused')), but it is set; it is "
        f"cleared by handler {hid(handlers['once'])}",
    ]


def test_why_not_for_when_any_when_not_all_and_automatic_flags() -> None:
    graph = graph_of(*explain_charm().values())

    assert graph.why_not('cache', []) == [
        "needs one of the flags 'cache.a', 'cache.b' (@when_any('cache.a', 'cache.b')), and "
        "none is set; 'cache.a': nothing sets it (no handler, trigger or automatic rule) "
        "(did you mean 'cache.b'?); 'cache.b': nothing sets it (no handler, trigger or "
        "automatic rule) (did you mean 'cache.a'?)"]
    reasons = graph.why_not('port', ['x.1', 'x.2'])
    assert reasons[0] == ("needs flag 'config.changed.port' (@when('config.changed.port')), "
                          'which is not set; reactops sets it in a hook where the config '
                          'changed')
    assert reasons[1].startswith("needs at least one of the flags 'x.1', 'x.2' not set")


def test_why_not_explains_the_phase() -> None:
    graph = graph_of(*explain_charm().values())

    assert graph.why_not('on_install', [], hook_name='config-changed') == [
        "phase: @hook('install', 'upgrade-charm') and the hook was config-changed"]
    assert graph.why_not('on_install', [], hook_name='upgrade-charm') == [
        'with these flags every predicate of '
        f"{hid(explain_charm()['on_install'])} holds, so it runs in the "
        'next dispatch (the flags may have differed while the last one ran; pass its trace '
        'to see)']
    assert graph.why_not('metrics', [], hook_name='update-status') == [
        'phase: it runs only in the restricted hook collect-metrics and the hook was '
        'update-status']
    assert graph.why_not('install', [], hook_name='collect-metrics') == [
        'phase: the hook was collect-metrics, a restricted hook, in which only '
        '@collect_metrics and @meter_status_changed handlers run']
    assert graph.why_not('once', ['app.installed'])[0].startswith('@only_once: ')


def test_why_not_reads_the_trace_of_the_dispatch() -> None:
    handlers = explain_charm()
    registry = registry_of(*handlers.values())
    trace = run_dispatch(registry, hook_name='install')
    graph = FlagGraph.from_trace(registry, trace)

    assert graph.why_not('configure', []) == [
        'it ran in iteration 1 (hook install)']
    assert graph.why_not('on_install', [], trace=trace) == [
        'it ran in the hooks phase (hook install)']
    # Flags from the trace: what happened to a flag during the dispatch.
    reasons = graph.why_not('configure', ['app.installed'], trace={
        'hook': 'start', 'steps': [{'set': 'db.ready', 'by': 'h:1:a'},
                                   {'clear': 'db.ready', 'by': 'h:2:b'}]})
    assert reasons[0].endswith('(in the last dispatch: set by h:1:a, cleared by h:2:b)')


def test_why_not_reports_a_handler_that_raised() -> None:
    @when_not('x')
    def broken() -> None:
        raise ValueError('no disk')

    graph = graph_of(broken)
    trace = {'hook': 'start', 'steps': [
        {'run': hid(broken), 'iteration': 0},
        {'failed': hid(broken), 'error': 'ValueError: no disk'}]}

    assert graph.why_not(broken.__qualname__, [], trace=trace) == [
        'it ran in iteration 0 (hook start)',
        'it raised ValueError: no disk in iteration 0 (hook start), so nothing of that '
        'dispatch was kept']


def test_why_not_says_which_handler_ids_exist() -> None:
    @when('a')
    def dup() -> None:
        pass

    def make() -> Callable[..., Any]:
        @when('b')
        def dup() -> None:
            pass
        return dup

    graph = graph_of(dup, make())

    with pytest.raises(ReactiveError, match="no handler matches 'nothing'; give a handler id"):
        graph.why_not('nothing', [])
    with pytest.raises(ReactiveError, match="2 handlers match 'dup'"):
        graph.why_not('dup', [])
    assert graph.why_not(hid(dup), ['a']) == [
        'with these flags every predicate of '
        f'{hid(dup)} holds, so it runs in the next dispatch (the flags may '
        'have differed while the last one ran; pass its trace to see)']


# -- the lazy import ------------------------------------------------------------------------


def test_a_dispatch_never_imports_networkx_and_the_graph_module_does() -> None:
    script = textwrap.dedent("""
        import sys
        import reactops, reactops.reactive
        from reactops.reactive import (Dispatcher, HandlerRegistry, ReactiveRuntime,
                                       activate, set_flag, when, when_not)

        @when_not('a')
        def first():
            set_flag('a')

        @when('a')
        def second():
            pass

        registry = HandlerRegistry()
        registry.add_function(first)
        registry.add_function(second)
        runtime = ReactiveRuntime()
        with activate(runtime):
            ran = Dispatcher(registry, runtime).dispatch().handlers_run
        assert len(ran) == 2, ran
        print('networkx' in sys.modules)
        import reactops.reactive.graph
        print('networkx' in sys.modules)
        """)
    root = Path(reactops.__file__).parent.parent
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(
        [str(root), *filter(None, [os.environ.get('PYTHONPATH')])])}

    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            cwd=root, env=env, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['False', 'True']
