"""What one Python file of a legacy charm uses, read with :mod:`ast` for ``port_check``.

:func:`scan` returns the legacy names the file uses (imports of ``charms.*`` and
``charmhelpers*`` and the attributes used on them) and the *markers*: the usages that make a
behaviour difference apply (:mod:`._differences` lists which marker makes which apply).
A marker is a use's name (``when_file_changed``) and ``<module>.<name>``
(``hookenv.relation_set``), or one of:

* ``handlers``: the file defines handlers (charms.reactive decorators);
* ``hook-peer-pattern``: an ``@hook`` pattern with ``{peer:...}``;
* ``when-no-flags``: ``@when()`` / ``@when_all()`` without flags;
* ``dispatch-keys``, ``persistent-config``: a string naming charms.reactive's stored
  dispatch keys (``reactive.dispatch.removed_state``, ``reactive.state_watch``) or
  ``.juju-persistent-config``;
* ``leadership-flags``: a ``leadership.set.*`` or ``leadership.changed.*`` flag;
* ``raw-flag-keys``: a string naming a flag's row in the kv store (``reactive.states.``);
* ``endpoint-flag:<name>``: an ``endpoint.<name>.*`` flag of a named endpoint;
  ``endpoint-changed``: an ``endpoint.*.changed*`` flag;
* ``kv-flush``, ``kv-conn``, ``kv-history``: ``.flush()``, ``.conn``/``.cursor``,
  ``.hook_scope()``/``.gethistory()`` in a file using ``unitdata``; ``kv-getrange``:
  ``.getrange()`` there with a prefix that has ``_`` or ``%`` or is not written literally;
* ``set_remote``, ``handler-registry``: ``.set_remote()``, ``._HANDLERS``/``.add_args()``
  in a file using ``charms.reactive``;
* ``action-main``, ``action-flags`` (files under ``actions/``): the script calls
  charms.reactive's ``main()``, or uses flags, relations or endpoints;
* ``reactops-main``: the file imports ``reactops.legacy`` (a hook already ported);
* ``module:<name>``: legacy module *name* itself is imported or called.

Only what is written literally counts; nothing is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ['FileScan', 'Use', 'scan']

#: charms.reactive's decorators: a function carrying one is a handler.
DECORATORS = frozenset({
    'when', 'when_all', 'when_any', 'when_not', 'when_none', 'when_not_all', 'hook',
    'when_file_changed', 'only_once', 'not_unless', 'collect_metrics',
    'meter_status_changed',
})
# Names of charms.reactive that read or change flags or reach relations and endpoints.
_FLAG_NAMES = frozenset({
    'RelationBase', 'Endpoint', 'relation_call',
    'set_flag', 'clear_flag', 'toggle_flag', 'is_flag_set', 'all_flags_set',
    'any_flags_set', 'get_flags', 'get_unset_flags', 'get_flag_value', 'set_state',
    'remove_state', 'toggle_state', 'is_state', 'all_states', 'any_states', 'get_states',
    'get_state', 'endpoint_from_flag', 'endpoint_from_name', 'relation_from_flag',
    'relation_from_state', 'from_flag', 'from_state', 'from_name',
})
# Attributes (methods) whose use makes a marker, in a file using unitdata / charms.reactive.
_KV_ATTRIBUTES = {'flush': 'kv-flush', 'conn': 'kv-conn', 'cursor': 'kv-conn',
                  'hook_scope': 'kv-history', 'gethistory': 'kv-history'}
_REACTIVE_ATTRIBUTES = {'set_remote': 'set_remote', '_HANDLERS': 'handler-registry',
                        'add_args': 'handler-registry'}
_MODULE_PARTS = ('core', 'fetch', 'contrib', 'cli', 'payload', 'hookenv', 'unitdata', 'host',
                 'templating', 'osplatform', 'decorators', 'sysctl', 'kernel', 'strutils',
                 'services', 'hugepage', 'fstab')


@dataclass(frozen=True)
class Use:
    """One legacy name used: *name* of *module* ('' for the module itself), and whether
    the module itself is called (``layer.options('apt')``)."""

    module: str
    name: str
    line: int
    called: bool = False


@dataclass
class FileScan:
    """The legacy names a file uses and its markers (marker -> lines)."""

    uses: list[Use] = field(default_factory=list)
    markers: dict[str, list[int]] = field(default_factory=dict)

    def mark(self, marker: str, line: int) -> None:
        lines = self.markers.setdefault(marker, [])
        if line not in lines:
            lines.append(line)


def is_legacy(module: str) -> bool:
    """Whether *module* is one of the legacy packages port-check looks for."""
    return module in ('charms', 'charmhelpers') or module.startswith(('charms.',
                                                                      'charmhelpers.'))


def scan(tree: ast.AST, is_module: Callable[[str], bool], *, in_actions: bool = False
         ) -> FileScan:
    """The uses and markers of one parsed file. *is_module* tells a legacy module name
    (``charms.reactive.helpers``) from a name defined in one; *in_actions*: the file is an
    action script."""
    result = FileScan()
    aliases, names = _imports(tree, is_module, result)
    _attribute_uses(tree, aliases, is_module, result)
    _called_modules(tree, aliases, is_module, result)
    _decorators(tree, aliases, names, result)
    _literals(tree, result)
    _method_calls(tree, result)
    for use in result.uses:
        if not use.name:
            result.mark(f'module:{use.module}', use.line)
        else:
            result.mark(use.name, use.line)
            result.mark(f'{use.module.rsplit(".", 1)[-1]}.{use.name}', use.line)
        if in_actions and use.module.startswith('charms.reactive'):
            if use.name == 'main':
                result.mark('action-main', use.line)
            elif use.name in _FLAG_NAMES:
                result.mark('action-flags', use.line)
    result.uses = sorted(set(result.uses), key=lambda u: (u.line, u.module, u.name, u.called))
    return result


def module_test(aliases: Callable[[str], bool]) -> Callable[[str], bool]:
    """The default *is_module* test: the shim's aliases, the packages around them, and
    charmhelpers' usual module paths."""
    def is_module(name: str) -> bool:
        return aliases(name) or name in ('charms', 'charms.reactive', 'charms.layer',
                                         'charmhelpers', 'charmhelpers.core') or \
            name.startswith('charmhelpers.') and name.count('.') <= 2 and \
            name.split('.')[-1] in _MODULE_PARTS
    return is_module


def _imports(tree: ast.AST, is_module: Callable[[str], bool], result: FileScan
             ) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Local names bound to legacy modules, and to names defined in them."""
    aliases: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for item in node.names:
                if item.name == 'reactops.legacy' or item.name.startswith('reactops.legacy.'):
                    result.mark('reactops-main', node.lineno)
                if is_legacy(item.name):
                    # import a.b.c binds a; import a.b.c as d binds d to a.b.c
                    local = item.asname or item.name.split('.')[0]
                    aliases[local] = item.name if item.asname else local
                    result.uses.append(Use(item.name, '', node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == 'reactops.legacy' or node.module.startswith('reactops.legacy.'):
                result.mark('reactops-main', node.lineno)
            if not is_legacy(node.module):
                continue
            for item in node.names:
                full = f'{node.module}.{item.name}'
                local = item.asname or item.name
                if is_module(full):
                    aliases[local] = full
                    result.uses.append(Use(full, '', node.lineno))
                else:
                    names[local] = (node.module, item.name)
                    result.uses.append(Use(node.module, item.name, node.lineno))
    return aliases, names


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return '.'.join(reversed(parts))


def _resolve(dotted: str, aliases: dict[str, str], is_module: Callable[[str], bool]
             ) -> tuple[str, str] | None:
    """(module, name) of a dotted use through the file's module aliases; name '' when the
    whole chain is a module. ``layer.status.maintenance`` is ``('charms.layer', 'status')``:
    the first part that is no module is the name used."""
    head, _, rest = dotted.partition('.')
    if head not in aliases:
        return None
    module = aliases[head]
    for part in rest.split('.') if rest else ():
        if not is_module(f'{module}.{part}'):
            return module, part
        module = f'{module}.{part}'
    return module, ''


def _attribute_uses(tree: ast.AST, aliases: dict[str, str],
                    is_module: Callable[[str], bool], result: FileScan) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        dotted = _dotted(node)
        found = _resolve(dotted, aliases, is_module) if dotted else None
        # options.__class__ is Python's, not the API's.
        if found is not None and found[1] and not found[1].startswith('__'):
            result.uses.append(Use(*found, node.lineno))


def _called_modules(tree: ast.AST, aliases: dict[str, str],
                    is_module: Callable[[str], bool], result: FileScan) -> None:
    """``layer.options('apt')`` or ``options('apt')``: a legacy module called."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = _dotted(node.func)
        found = _resolve(dotted, aliases, is_module) if dotted else None
        if found is not None and not found[1]:
            result.uses.append(Use(found[0], '', node.lineno, called=True))


def _decorators(tree: ast.AST, aliases: dict[str, str], names: dict[str, tuple[str, str]],
                result: FileScan) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call is not None else decorator
            name = _decorator_name(target, aliases, names)
            if name is None:
                continue
            result.mark('handlers', decorator.lineno)
            result.mark(name, decorator.lineno)
            arguments = [a.value for a in call.args if isinstance(a, ast.Constant)] \
                if call is not None else []
            if name == 'hook' and any(isinstance(a, str) and '{peer:' in a for a in arguments):
                result.mark('hook-peer-pattern', decorator.lineno)
            if name in ('when', 'when_all') and call is not None and not call.args:
                result.mark('when-no-flags', decorator.lineno)


def _decorator_name(target: ast.expr, aliases: dict[str, str],
                    names: dict[str, tuple[str, str]]) -> str | None:
    """The charms.reactive decorator *target* names, if it is one."""
    if isinstance(target, ast.Name) and target.id in names:
        module, name = names[target.id]
    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
            target.value.id in aliases:
        module, name = aliases[target.value.id], target.attr
    else:
        return None
    return name if module.startswith('charms.reactive') and name in DECORATORS else None


def _strings(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


def _literals(tree: ast.AST, result: FileScan) -> None:
    for text, line in _strings(tree):
        if 'reactive.dispatch.removed_state' in text or 'reactive.state_watch' in text:
            result.mark('dispatch-keys', line)
        if '.juju-persistent-config' in text:
            result.mark('persistent-config', line)
        if text.startswith('reactive.states.'):
            result.mark('raw-flag-keys', line)
        if text.startswith(('leadership.set', 'leadership.changed')):
            result.mark('leadership-flags', line)
        if text.startswith('endpoint.'):
            endpoint = text.split('.')[1]
            if endpoint and '{' not in endpoint:
                result.mark(f'endpoint-flag:{endpoint}', line)
            if '.changed' in text:
                result.mark('endpoint-changed', line)


def _method_calls(tree: ast.AST, result: FileScan) -> None:
    """Markers of methods used on objects the file got from a legacy module (a kv store,
    a conversation, a bus.Handler), known by their names."""
    modules = {use.module for use in result.uses}
    uses_kv = 'charmhelpers.core.unitdata' in modules
    uses_reactive = any(m.startswith('charms.reactive') for m in modules)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == 'getrange' and uses_kv and _wildcard_prefix(node):
            result.mark('kv-getrange', node.lineno)
        if not isinstance(node, ast.Attribute):
            continue
        marker = (_KV_ATTRIBUTES.get(node.attr) if uses_kv else None) or \
            (_REACTIVE_ATTRIBUTES.get(node.attr) if uses_reactive else None)
        if marker is not None:
            result.mark(marker, node.lineno)


def _wildcard_prefix(call: ast.Call) -> bool:
    """Whether a ``getrange(prefix)`` call may pass a prefix with ``_`` or ``%`` (SQL
    LIKE wildcards in charmhelpers): a literal with one, or a prefix not written literally."""
    prefix = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg == 'key_prefix'), None)
    if not isinstance(prefix, ast.Constant) or not isinstance(prefix.value, str):
        return True
    return '_' in prefix.value or '%' in prefix.value
