"""Running one Juju hook tool: find it on PATH, run it, turn a failure into a ModelError.

:mod:`reactops._private.hooktools` builds each tool's argv; this module is the one place
that starts the process, counts the call and reads the answer.
"""

from __future__ import annotations

import collections
import math
import os
from collections.abc import Sequence

from ..errors import HookToolMissingError, ModelError, RelationNotFoundError, SecretNotFoundError
from . import fastjson
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
    arguments are sensitive. A tool still running after :func:`_timeout` seconds, or
    printing more than :data:`MAX_STDOUT`, is stopped with a :class:`ModelError` naming it.
    """
    path = _find_on_path(tool)
    command = [tool, *(args if shown is None else shown)]
    if path is None:
        raise HookToolMissingError(
            f'the Juju hook tool {tool!r} is not on PATH: Juju puts its hook tools on PATH '
            f'only while it runs a hook or an action. Run this code in a hook (or in '
            f"reactops' local model), or test it with reactops.testing.",
            command=command)
    limit = _timeout()
    calls[tool] += 1
    try:
        answer = _ask_local_model(path, tool, args, input, limit)
        if answer is None:
            answer = _spawn([path, *args], input, timeout=limit, keep_stderr=STDERR_KEPT,
                            max_stdout=MAX_STDOUT)
        returncode, stdout, stderr = answer
    except _Stopped as stopped:
        raise _stopped_error(tool, command, stopped, limit) from None
    if returncode != 0:
        raise _error(tool, command, stderr.strip(), returncode)
    return stdout


TIMEOUT_VARIABLE = 'REACTOPS_HOOK_TOOL_TIMEOUT'
DEFAULT_TIMEOUT = 600.0
"""Seconds a hook tool may run before it is stopped (``$REACTOPS_HOOK_TOOL_TIMEOUT``).

Generous, since ``resource-get`` may download a large file; it exists so that a tool that
never exits fails the hook (which Juju retries) instead of hanging the unit for good."""

STDERR_KEPT = 4096
"""Bytes of a tool's stderr kept (the first and last halves): enough for any error Juju
prints, while a tool that floods its stderr cannot fill the hook's memory or its log."""

MAX_STDOUT = 64 * 1024 * 1024
"""The most a tool may print on stdout. Juju keeps a unit's settings in documents of at
most 16 MiB, so more than this is a broken tool, not an answer."""


class _Stopped(Exception):
    """The tool was stopped: it ran past the timeout, or printed more than allowed."""

    def __init__(self, reason: str, stderr: str):
        super().__init__(reason)
        self.reason = reason
        self.stderr = stderr


def _timeout() -> float | None:
    """The hook-tool timeout in seconds (``None``: no limit), from the environment."""
    text = os.environ.get(TIMEOUT_VARIABLE, '').strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float('inf'):
        raise ModelError(f'{TIMEOUT_VARIABLE}={text[:40]!r} is not a number of seconds: set '
                         f'it to how long a hook tool may run (default '
                         f'{DEFAULT_TIMEOUT:g}), or 0 for no limit')
    return seconds or None


def _stopped_error(tool: str, command: list[str], stopped: _Stopped,
                   limit: float | None) -> ModelError:
    if stopped.reason == 'timeout':
        message = (f'{tool} did not finish within {limit:g} seconds, so reactops stopped it '
                   f'(a hung tool, or an unreachable controller?). Set {TIMEOUT_VARIABLE} '
                   f'to the seconds a hook tool may take (0: no limit) to allow longer')
    else:
        message = (f'{tool} printed more than {MAX_STDOUT} bytes, more than Juju ever '
                   f'answers, so reactops stopped it (a broken or foreign {tool} on PATH?)')
    if stopped.stderr.strip():
        message += f'; its stderr so far: {stopped.stderr.strip()}'
    # No stderr attribute: this is not the tool's own refusal, so nothing reads it as one.
    return ModelError(message, command=command)


def _ask_local_model(path: str, tool: str, args: Sequence[str], input: str | None,
                     limit: float | None) -> tuple[int, str, str] | None:
    """The answer of reactops' local model to the call, sent over its tool socket with no
    process started, when *path* is one of the model's own tools and the model listens;
    else ``None`` (the tool is then run as a program, as under Juju)."""
    # Checked before importing toolwire: under Juju the variable is never set.
    socket_path = os.environ.get('REACTOPS_TOOL_SOCKET')  # toolwire.SOCKET_VARIABLE
    if not socket_path:
        return None
    from . import toolwire

    if not _is_local_model_tool(path, toolwire.LAUNCHER):
        return None
    message = toolwire.request([tool, *args], os.environ, os.getcwd(),
                               (input or '').encode('utf-8', 'surrogateescape'))
    try:
        answer = toolwire.call(socket_path, message, timeout=limit)
    except TimeoutError:
        raise _Stopped('timeout', '') from None
    if answer is None:
        return None
    code, out, err = answer
    if len(out) > MAX_STDOUT:
        raise _Stopped('stdout', '')
    stderr = _Bounded(STDERR_KEPT)
    stderr.add(err)
    return code, _decode(out), _decode(stderr.value())


def _is_local_model_tool(path: str, launcher: str) -> bool:
    try:
        return os.readlink(path) == launcher
    except OSError:  # not a link: a tool of Juju's, or a test's fake
        return False


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


def _spawn(argv: list[str], input: str | None, *, timeout: float | None = None,
           keep_stderr: int | None = None,
           max_stdout: int | None = None) -> tuple[int, str, str]:
    """Run *argv* with *input* (or ``/dev/null``) on stdin; its exit code, stdout, stderr.

    ``os.posix_spawn`` and a poll loop do what ``subprocess.run`` would, without importing
    ``subprocess`` and what it needs into every hook (several ms of each hook's start).
    The tool runs in its own process group, so that stopping it also stops what it
    started. Past *timeout* seconds, or after more than *max_stdout* bytes of stdout, the
    group is killed and :class:`_Stopped` raised. With *keep_stderr*, only that many bytes
    of stderr are kept (its start and its end), with a line saying how much was cut.
    """
    if not hasattr(os, 'posix_spawn'):
        return _spawn_with_subprocess(argv, input, timeout, keep_stderr)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if input is not None else (-1, -1)
    fds = [fd for fd in (out_r, out_w, err_r, err_w, in_r, in_w) if fd >= 0]
    if min(fds) < 3:
        # A standard stream was closed, so a pipe took its number: let subprocess cope.
        _close(fds)
        return _spawn_with_subprocess(argv, input, timeout, keep_stderr)
    actions: list[tuple[Any, ...]] = [
        (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2),
        (os.POSIX_SPAWN_DUP2, in_r, 0) if input is not None
        else (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions, setpgroup=0)
    except BaseException:
        _close(fds)
        raise
    _close([fd for fd in (out_w, err_w, in_r) if fd >= 0])  # the child's ends
    data = (input or '').encode('utf-8', 'surrogateescape')
    stderr = _Bounded(keep_stderr)
    try:
        stdout = _exchange(out_r, err_r, in_w, data, stderr, timeout, max_stdout)
    except BaseException as error:  # interrupted, stopped or a read failed: end the tool
        import signal

        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:  # pragma: no cover - the group is already gone
            pass
        if isinstance(error, _Stopped):
            error.stderr = _decode(stderr.value())
        raise
    finally:
        _close([out_r, err_r])
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), _decode(stdout), _decode(stderr.value())


class _Bounded:
    """A byte buffer that keeps at most *limit* bytes (half its start, half its end) and
    counts the rest; ``None`` keeps everything."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.head: list[bytes] = []
        self.tail = bytearray()
        self.kept = 0
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.limit is None:
            self.head.append(chunk)
            return
        half = self.limit // 2
        if self.kept < half:
            taken = chunk[:half - self.kept]
            self.head.append(taken)
            self.kept += len(taken)
            chunk = chunk[len(taken):]
        if chunk:
            self.tail += chunk
            if len(self.tail) > 2 * half:  # trim now and then, never one byte at a time
                del self.tail[:-half]

    def value(self) -> bytes:
        head = b''.join(self.head)
        if self.limit is None:
            return head
        tail = bytes(self.tail[-(self.limit // 2):]) if self.limit // 2 else b''
        cut = self.total - len(head) - len(tail)
        if cut <= 0:
            return head + tail
        note = (f'\n[... {cut} bytes cut: reactops keeps only the first and the last '
                f'{self.limit // 2} bytes ...]\n')
        return head + note.encode() + tail


def _exchange(out_r: int, err_r: int, in_w: int, data: bytes, stderr: _Bounded,
              timeout: float | None = None, max_stdout: int | None = None) -> bytes:
    """Write *data* to *in_w* (then close it) while reading *out_r* and *err_r* to the end.

    Returns what came on *out_r*; what came on *err_r* goes into *stderr*.
    """
    import select  # a small C module; only hooks that call a tool need it
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    stdout: list[bytes] = []
    printed = 0
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
            wait = None
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Stopped('timeout', '')
                wait = max(1, math.ceil(left * 1000))
            for fd, _event in poller.poll(wait):
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
                if not chunk:
                    poller.unregister(fd)
                    reading -= 1
                elif fd == out_r:
                    stdout.append(chunk)
                    printed += len(chunk)
                    if max_stdout is not None and printed > max_stdout:
                        raise _Stopped('stdout', '')
                else:
                    stderr.add(chunk)
    finally:
        if writing:
            os.close(in_w)
    return b''.join(stdout)


def _close(fds: list[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _spawn_with_subprocess(argv: list[str], input: str | None, timeout: float | None,
                           keep_stderr: int | None) -> tuple[int, str, str]:
    """:func:`_spawn` for the rare process without standard streams or ``posix_spawn``:
    the same timeout and stderr cut, though stderr is read whole before it is cut."""
    import subprocess

    kwargs: dict[str, Any] = (
        {'stdin': subprocess.DEVNULL} if input is None
        else {'input': input.encode('utf-8', 'surrogateescape')})
    try:
        result = subprocess.run(argv, capture_output=True, check=False, timeout=timeout,
                                **kwargs)
    except subprocess.TimeoutExpired as expired:
        raise _Stopped('timeout', _decode(_kept(expired.stderr or b'', keep_stderr))) from None
    return (result.returncode, _decode(result.stdout),
            _decode(_kept(result.stderr, keep_stderr)))


def _kept(data: bytes, limit: int | None) -> bytes:
    bounded = _Bounded(limit)
    bounded.add(data)
    return bounded.value()


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
        value = fastjson.loads(out)
    except ValueError:  # json.JSONDecodeError, or a number too long to read
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
    import re  # a failed tool only

    if tool in _RELATION_TOOLS and re.search(_RELATION_NOT_FOUND, lowered):
        kind = RelationNotFoundError
    elif tool.startswith('secret-') and 'not found' in lowered:
        kind = SecretNotFoundError
    message = stderr or f'{tool} exited with status {returncode} and printed no error'
    return kind(message, command=command, stderr=stderr, returncode=returncode)
