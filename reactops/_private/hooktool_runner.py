"""Running one Juju hook tool: find it on PATH, run it, turn a failure into a ModelError.

:mod:`reactops._private.hooktools` builds each tool's argv; this module is the one place
that starts the process, counts the call and reads the answer.
"""

from __future__ import annotations

import collections
import json
import os
import re
from collections.abc import Sequence

from ..errors import HookToolMissingError, ModelError, RelationNotFoundError, SecretNotFoundError
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

calls: collections.Counter[str] = collections.Counter()
"""How many times each hook tool was run in this process, by tool name."""

# Tools whose -r/--relation value Juju checks, so a gone relation shows in their stderr.
_RELATION_TOOLS = frozenset({
    'relation-ids', 'relation-list', 'relation-get', 'relation-set', 'relation-model-get',
    'network-get', 'secret-grant', 'secret-revoke',
})
_RELATION_NOT_FOUND = r'relation (\d+ )?not found'  # compiled on first use
_JSON_PREVIEW = 200


def run(tool: str, args: Sequence[str] = (), *, input: str | None = None,
        shown: Sequence[str] | None = None) -> str:
    """Run *tool* with *args* and return its stdout.

    *input* goes to the tool's stdin (otherwise stdin is ``/dev/null``, so a tool never waits
    on a terminal). *shown* replaces *args* in a raised error's ``command`` when the
    arguments are sensitive.
    """
    path = _find_on_path(tool)
    command = [tool, *(args if shown is None else shown)]
    if path is None:
        raise HookToolMissingError(
            f'the Juju hook tool {tool!r} is not on PATH: Juju puts its hook tools on PATH '
            f'only while it runs a hook or an action. Run this code in a hook (or in '
            f"reactops' local model), or test it with reactops.testing.",
            command=command)
    calls[tool] += 1
    returncode, stdout, stderr = _spawn([path, *args], input)
    if returncode != 0:
        raise _error(tool, command, stderr.strip(), returncode)
    return stdout


def _find_on_path(tool: str) -> str | None:
    """The executable file *tool* names on ``$PATH`` (what ``shutil.which`` would find)."""
    if os.sep in tool:
        return tool if os.access(tool, os.X_OK) and not os.path.isdir(tool) else None
    for directory in os.environ.get('PATH', os.defpath).split(os.pathsep):
        candidate = os.path.join(directory, tool)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def _decode(data: bytes) -> str:
    # As text mode would: UTF-8 (undecodable bytes kept as surrogates), universal newlines.
    text = data.decode('utf-8', 'surrogateescape')
    return text.replace('\r\n', '\n').replace('\r', '\n') if '\r' in text else text


def _spawn(argv: list[str], input: str | None) -> tuple[int, str, str]:
    """Run *argv* with *input* (or ``/dev/null``) on stdin; its exit code, stdout, stderr.

    ``os.posix_spawn`` and a poll loop do what ``subprocess.run`` would, without importing
    ``subprocess`` and what it needs into every hook (several ms of each hook's start).
    """
    if not hasattr(os, 'posix_spawn'):
        return _spawn_with_subprocess(argv, input)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if input is not None else (-1, -1)
    fds = [fd for fd in (out_r, out_w, err_r, err_w, in_r, in_w) if fd >= 0]
    if min(fds) < 3:
        # A standard stream was closed, so a pipe took its number: let subprocess cope.
        _close(fds)
        return _spawn_with_subprocess(argv, input)
    actions: list[tuple[Any, ...]] = [
        (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2),
        (os.POSIX_SPAWN_DUP2, in_r, 0) if input is not None
        else (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    except BaseException:
        _close(fds)
        raise
    _close([fd for fd in (out_w, err_w, in_r) if fd >= 0])  # the child's ends
    data = (input or '').encode('utf-8', 'surrogateescape')
    try:
        stdout, stderr = _exchange(out_r, err_r, in_w, data)
    except BaseException:  # interrupted (or a read failed): stop the tool, as subprocess does
        import signal

        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        _close([out_r, err_r])
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), _decode(stdout), _decode(stderr)


def _exchange(out_r: int, err_r: int, in_w: int, data: bytes) -> tuple[bytes, bytes]:
    """Write *data* to *in_w* (then close it) while reading *out_r* and *err_r* to the end."""
    import select  # a small C module; only hooks that call a tool need it

    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    poller = select.poll()
    poller.register(out_r, select.POLLIN)
    poller.register(err_r, select.POLLIN)
    writing = in_w >= 0 and bool(data)
    if writing:
        poller.register(in_w, select.POLLOUT)
    elif in_w >= 0:
        os.close(in_w)
    sent, reading = 0, 2
    room = getattr(select, 'PIPE_BUF', 512)
    try:
        while reading or writing:
            for fd, _event in poller.poll():
                if fd == in_w:
                    try:
                        # At most PIPE_BUF, which POLLOUT promises room for: a bigger write
                        # could block while the tool waits for us to read its output.
                        sent += os.write(in_w, data[sent:sent + room])
                    except BrokenPipeError:  # the tool stopped reading its input
                        sent = len(data)
                    if sent >= len(data):
                        poller.unregister(in_w)
                        writing = False
                        os.close(in_w)
                    continue
                chunk = os.read(fd, 65536)
                if chunk:
                    chunks[fd].append(chunk)
                else:
                    poller.unregister(fd)
                    reading -= 1
    finally:
        if writing:
            os.close(in_w)
    return b''.join(chunks[out_r]), b''.join(chunks[err_r])


def _close(fds: list[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _spawn_with_subprocess(argv: list[str], input: str | None) -> tuple[int, str, str]:
    import subprocess

    kwargs: dict[str, Any] = (
        {'stdin': subprocess.DEVNULL} if input is None else {'input': input})
    result = subprocess.run(argv, capture_output=True, text=True, encoding='utf-8',
                            errors='surrogateescape', check=False, **kwargs)
    return result.returncode, str(result.stdout), str(result.stderr)


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
    if tool in _RELATION_TOOLS and re.search(_RELATION_NOT_FOUND, lowered):
        kind = RelationNotFoundError
    elif tool.startswith('secret-') and 'not found' in lowered:
        kind = SecretNotFoundError
    message = stderr or f'{tool} exited with status {returncode} and printed no error'
    return kind(message, command=command, stderr=stderr, returncode=returncode)
