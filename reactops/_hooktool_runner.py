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
             shown: Sequence[str] | None = None) -> Any:
    """Run *tool* (whose *args* ask for ``--format=json``) and return its parsed output.

    Juju prints nothing for an unset value, so empty output (or ``null``) gives ``None``.
    """
    out = run(tool, args, input=input, shown=shown)
    if not out.strip():
        return None
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        raise ModelError(
            f'{tool} printed output that is not JSON (a broken or foreign {tool} on PATH?): '
            f'{out[:_JSON_PREVIEW]!r}',
            command=[tool, *(args if shown is None else shown)], returncode=0) from None


def _error(tool: str, command: list[str], stderr: str, returncode: int) -> ModelError:
    lowered = stderr.lower()
    kind: type[ModelError] = ModelError
    if tool in _RELATION_TOOLS and _RELATION_NOT_FOUND.search(lowered):
        kind = RelationNotFoundError
    elif tool.startswith('secret-') and 'not found' in lowered:
        kind = SecretNotFoundError
    message = stderr or f'{tool} exited with status {returncode} and printed no error'
    return kind(message, command=command, stderr=stderr, returncode=returncode)
