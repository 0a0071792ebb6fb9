"""The flag graph's exports: Graphviz DOT, Mermaid and networkx node-link JSON.

Each function reads the networkx graph of a :class:`~reactops.reactive.graph.FlagGraph`
(node and edge attributes as that module describes) and changes nothing.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import networkx as nx


def dot_text(graph: nx.DiGraph) -> str:
    """The graph in Graphviz DOT: flags as ellipses (grey when automatic), handlers
    as boxes, ``when_not*`` edges dashed, triggers dotted, edges seen only in a
    dispatch blue."""
    lines = ['digraph reactops {', '  rankdir=LR;']
    for node, data in graph.nodes(data=True):
        if data['kind'] == 'flag':
            style = ', style=filled, fillcolor=lightgrey' if data['automatic'] else ''
            lines.append(f'  {_dot(node)} [shape=ellipse, label={_dot(data["name"])}{style}];')
        else:
            label = f'{data["name"]}\n{data["phase"]}'
            lines.append(f'  {_dot(node)} [shape=box, label={_dot(label)}];')
    for source, target, data in graph.edges(data=True):
        attrs = [f'label={_dot(data["label"])}']
        if set(data['kinds']) & {'when_not', 'when_not_all'}:
            attrs.append('style=dashed')
        elif 'trigger' in data['kinds']:
            attrs.append('style=dotted')
        if data['observed'] and not data['static']:
            attrs.append('color=blue')
        lines.append(f'  {_dot(source)} -> {_dot(target)} [{", ".join(attrs)}];')
    lines.append('}')
    return '\n'.join(lines) + '\n'

def mermaid_text(graph: nx.DiGraph) -> str:
    """The graph as a Mermaid ``flowchart LR``: flags as stadiums, handlers as boxes,
    ``when_not*`` and trigger edges dotted. Ids are sanitised; labels are kept."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    lines = ['flowchart LR']
    for node, data in graph.nodes(data=True):
        base = ''.join(c if c.isascii() and c.isalnum() else '_' for c in node)
        ident = base
        for n in itertools.count(2):
            if ident not in used:
                break
            ident = f'{base}_{n}'
        used.add(ident)
        ids[node] = ident
        if data['kind'] == 'flag':
            lines.append(f'  {ident}(["{_mermaid(data["name"])}"])')
        else:
            lines.append(f'  {ident}["{_mermaid(data["name"])}"]')
    for source, target, data in graph.edges(data=True):
        dotted = set(data['kinds']) & {'when_not', 'when_not_all', 'trigger'}
        arrow = '-.->' if dotted else '-->'
        lines.append(f'  {ids[source]} {arrow}|"{_mermaid(data["label"])}"| {ids[target]}')
    return '\n'.join(lines) + '\n'

def json_data(graph: nx.DiGraph) -> dict[str, Any]:
    """networkx node-link data (``nodes``, ``links``), ready for :func:`json.dumps`;
    ``networkx.node_link_graph(data, edges='links')`` reads it back."""
    try:
        data = nx.node_link_data(graph, edges='links')
    except TypeError:  # networkx before 3.4 has no edges= and always says 'links'
        data = nx.node_link_data(graph)
    copy: dict[str, Any] = json.loads(json.dumps(data))  # no lists shared with the graph
    return copy

def _dot(text: str) -> str:
    escaped = text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    return f'"{escaped}"'


def _mermaid(text: str) -> str:
    # Mermaid reads '#name;' entities in labels; these characters break its syntax otherwise.
    return (text.replace('#', '#35;').replace('"', '#quot;').replace('<', '#lt;')
            .replace('>', '#gt;').replace('|', '#124;'))

