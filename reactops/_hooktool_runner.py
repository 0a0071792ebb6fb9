"""Running one Juju hook tool: find it on PATH, run it, turn a failure into a ModelError.

:mod:`reactops.hookcmds` builds each tool's argv; this module is the one place that starts
the process, counts the call and reads the answer.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

from .errors import HookToolMissingError, ModelError, RelationNotFoundError, SecretNotFoundError

calls: collections.Counter[str] = collections.Counter()
"""How many times each hook tool was run in this process, by tool name."""

# Tools whose -r/--relation value Juju checks, so a gone relation shows in their stderr.
_RELATION_TOOLS = frozenset({
    'relation-ids', 'relation-list', 'relation-get', 'relation-set', 'relation-model-get',
    'network-get', 'secret-grant', 'secret-revoke',
})
_RELATION_NOT_FOUND = re.compile(r'relation (\d+ )?not found')
_JSON_PREVIEW = 200


def run(tool: str, args: Sequence[str] = (), *, input: str | None = None,
        shown: Sequence[str] | None = None) -> str:
    """Run *tool* with *args* and return its stdout.

    *input* goes to the tool's stdin (otherwise stdin is ``/dev/null``, so a tool never waits
    on a terminal). *shown* replaces *args* in a raised error's ``command`` when the
    arguments are sensitive.
    """
    path = shutil.which(tool, path=os.environ.get('PATH', os.defpath))
    command = [tool, *(args if shown is None else shown)]
    if path is None:
        raise HookToolMissingError(
            f'the Juju hook tool {tool!r} is not on PATH: Juju puts its hook tools on PATH '
            f'only while it runs a hook or an action. Run this code in a hook (or in '
            f"reactops' local model), or test it with reactops.testing.",
            command=command)
    calls[tool] += 1
    kwargs: dict[str, Any] = (
        {'stdin': subprocess.DEVNULL} if input is None else {'input': input})
    result = subprocess.run(
        [path, *args], capture_output=True, text=True, encoding='utf-8',
        errors='surrogateescape', check=False, **kwargs)
    if result.returncode != 0:
        raise _error(tool, command, str(result.stderr).strip(), result.returncode)
    out: str = result.stdout
    return out


def run_json(tool: str, args: Sequence[str] = (), *, input: str | None = None,
             shown: Sequence[str] | None = None, shape: str | None = None,
             always: bool = False) -> Any:
    """Run *tool* (whose *args* ask for ``--format=json``) and return its parsed output.

    Juju prints nothing for an unset value, so empty output (or ``null``) gives ``None``.
    *shape* (a key of :data:`SHAPES`) is what Juju prints for this call; anything else is
    refused with a :class:`~reactops.errors.ModelError` naming the tool, rather than
    failing later as a ``TypeError`` deep in the model. The output itself is quoted in the
    error only for tools whose answers never hold secrets. With *always*, the tool always
    answers (``is-leader``, ``status-get``), so printing nothing is refused too.
    """
    out = run(tool, args, input=input, shown=shown)
    command = [tool, *(args if shown is None else shown)]
    if not out.strip():
        if always:
            raise ModelError(f'{tool} succeeded but printed nothing, where Juju always '
                             f'prints {SHAPES.get(shape or "", "an answer")} (a broken or '
                             f'foreign {tool} on PATH?)', command=command, returncode=0)
        return None
    try:
        value = json.loads(out)
    except json.JSONDecodeError:
        quoted = ('(not quoted: it may hold secrets)' if tool in _SENSITIVE_OUTPUT
                  else repr(out[:_JSON_PREVIEW]))
        raise ModelError(
            f'{tool} printed output that is not JSON (a broken or foreign {tool} on PATH?): '
            f'{quoted}', command=command, returncode=0) from None
    if shape is not None and value is not None:
        problem = _shape_problem(value, shape)
        if problem:
            raise ModelError(
                f'{tool} printed {problem}, where Juju prints {SHAPES[shape]} (a broken or '
                f'foreign {tool} on PATH?)', command=command, returncode=0)
    return value


#: The shapes of JSON a hook tool prints, by the name :func:`run_json` takes.
SHAPES = {
    'object': 'a JSON object', 'list': 'a JSON list', 'bool': 'true or false',
    'string': 'a string', 'string list': 'a list of strings',
    'string map': 'an object of string values',
}
# Tools whose output may hold secrets, passwords or credentials: never quoted in errors.
_SENSITIVE_OUTPUT = frozenset({
    'secret-get', 'config-get', 'action-get', 'credential-get', 'relation-get',
    'leader-get', 'state-get',
})


def _json_kind(value: object) -> str:
    kinds = {dict: 'an object', list: 'a list', str: 'a string', bool: 'a boolean',
             type(None): 'null', int: 'a number', float: 'a number'}
    return kinds.get(type(value), type(value).__name__)


def _shape_problem(value: object, shape: str) -> str | None:
    """What is wrong with *value* for *shape*, without quoting any value; None if fine."""
    wanted = {'object': dict, 'string map': dict, 'list': list, 'string list': list,
              'bool': bool, 'string': str}[shape]
    if not isinstance(value, wanted):
        return _json_kind(value)
    if shape == 'string list' and isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return f'a list whose item {i} is {_json_kind(item)}'
    if shape == 'string map' and isinstance(value, dict):
        for key, entry in value.items():
            if not isinstance(entry, str):
                return f'an object whose key {key!r} holds {_json_kind(entry)}'
    return None


def _error(tool: str, command: list[str], stderr: str, returncode: int) -> ModelError:
    lowered = stderr.lower()
    kind: type[ModelError] = ModelError
    if tool in _RELATION_TOOLS and _RELATION_NOT_FOUND.search(lowered):
        kind = RelationNotFoundError
    elif tool.startswith('secret-') and 'not found' in lowered:
        kind = SecretNotFoundError
    message = stderr or f'{tool} exited with status {returncode} and printed no error'
    return kind(message, command=command, stderr=stderr, returncode=returncode)
