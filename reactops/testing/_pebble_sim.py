"""What the Harness's and Scenario's simulated Pebbles share: one implementation of
Pebble's file API over a local directory, the front half of ``exec``, layer combining and
Pebble's error answers.

:class:`SimulatedPebble` is mixed into both clients
(:class:`~._harness_pebble._TestingPebbleClient` and
:class:`~._scenario_pebble.ScenarioPebbleClient`). A container's root filesystem is the
directory ``_root`` on the test machine: a Pebble path ``/x/y`` is ``<root>/x/y``.
Ownership arguments are accepted but not applied (an unprivileged test cannot give files to
other users), so files belong to whoever runs the tests.

Where the two testing styles answer differently on purpose (as ``ops.testing``'s Harness
and Scenario do: which exec handlers there are, the error for a command without one, the
process ``exec`` returns, the error when Pebble cannot be reached), each client supplies
its own part through the hooks :meth:`~SimulatedPebble._check_connection`,
:meth:`~SimulatedPebble._exec_target`, :meth:`~SimulatedPebble._exec_services` and
:meth:`~SimulatedPebble._start_exec`.
"""

from __future__ import annotations

import datetime
import fnmatch
import http
import os
import shutil
import signal
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any, BinaryIO, Protocol, TextIO, TypeVar, cast, overload

from .. import pebble
from .._private.pebble_files import file_info
from ._harness_results import ExecArgs

__all__ = ['DEFAULT_CHECK_THRESHOLD', 'SimulatedPebble', 'api_error', 'check_signal',
           'follow_plan', 'longest_prefix', 'new_check_info', 'parse_layer', 'place_layer',
           'select_notices', 'service_infos']

_NoticeT = TypeVar('_NoticeT', bound='_NoticeLike')

_T = TypeVar('_T')

#: Pebble's failure threshold for a check whose layer sets none.
DEFAULT_CHECK_THRESHOLD = 3

#: The sections of a layer that ``combine`` lays item by item, with the noun for each.
_SECTIONS = (('services', 'service'), ('checks', 'check'), ('log_targets', 'log target'))


def api_error(code: int, message: str) -> pebble.APIError:
    """The error Pebble's HTTP API answers with status *code* and *message*."""
    status = http.HTTPStatus(code).phrase
    body = {'type': 'error', 'status-code': code, 'status': status,
            'result': {'message': message}}
    return pebble.APIError(body, code, status, message)


def parse_layer(label: str, layer: str | pebble.LayerDict | pebble.Layer) -> pebble.Layer:
    """*layer* (YAML, a dict or a Layer) as a new Layer of its own, for ``add_layer``."""
    if not isinstance(label, str):
        raise TypeError(f'label must be a str, not {type(label).__name__}')
    if isinstance(layer, str | dict):
        return pebble.Layer(layer)
    if isinstance(layer, pebble.Layer):
        return pebble.Layer(layer.to_dict())  # a copy: the caller's layer stays as it was
    raise TypeError(f'layer must be str, dict, or pebble.Layer, not {type(layer).__name__}')


def place_layer(layers: dict[str, pebble.Layer], label: str, new: pebble.Layer,
                combine: bool) -> None:
    """Add *new* to *layers* as *label*, as ``add_layer`` does. A label already there is an
    error unless *combine*: then *new* is laid over that layer, each item by its
    ``override``, which it must have (``merge`` or ``replace``)."""
    old = layers.get(label)
    if old is None:
        layers[label] = new
        return
    if not combine:
        raise RuntimeError(f'400 Bad Request: layer "{label}" already exists')
    for section, noun in _SECTIONS:
        mine, theirs = getattr(old, section), getattr(new, section)
        for name, item in theirs.items():
            if not item.override:
                raise RuntimeError(f'500 Internal Server Error: layer "{label}" must define '
                                   f'"override" for {noun} "{name}"')
            if item.override not in ('merge', 'replace'):
                raise RuntimeError(f'500 Internal Server Error: layer "{label}" has invalid '
                                   f'"override" value for {noun} "{name}"')
            if item.override == 'merge' and name in mine:
                mine[name]._merge(item)
            else:
                mine[name] = item


def service_infos(names: Iterable[str] | None, services: Mapping[str, pebble.Service],
                  statuses: Mapping[str, pebble.ServiceStatus]) -> list[pebble.ServiceInfo]:
    """``get_services``: the plan's *services* named (all if *names* is ``None``), sorted by
    name, each with its status (inactive if it never ran); Pebble leaves out unknown names."""
    infos = []
    for name in sorted(services if names is None else names):
        service = services.get(name)
        if service is not None:
            current = statuses.get(name, pebble.ServiceStatus.INACTIVE)
            infos.append(pebble.ServiceInfo(
                name, startup=pebble.ServiceStartup(service.startup or 'disabled'),
                current=pebble.ServiceStatus(current)))
    return infos


def check_signal(sig: int | str, names: Sequence[str], services: Mapping[str, pebble.Service],
                 statuses: Mapping[str, pebble.ServiceStatus]) -> None:
    """Refuse ``send_signal`` as Pebble would: a service that is not running first, then
    a signal name it does not know. Nothing runs here, so an accepted signal does nothing."""
    for service in names:
        if service not in services or statuses.get(service) != pebble.ServiceStatus.ACTIVE:
            raise api_error(500, f'cannot send signal to "{service}": service is not running')
    name = signal.Signals(sig).name if isinstance(sig, int) else sig
    if name not in signal.Signals.__members__:
        raise api_error(500, f'cannot send signal to "{names[0]}": invalid signal name '
                             f'"{name}"')


class _NoticeLike(Protocol):
    @property
    def user_id(self) -> int | None: ...
    @property
    def type(self) -> pebble.NoticeType | str: ...
    @property
    def key(self) -> str: ...
    @property
    def last_repeated(self) -> datetime.datetime: ...


def select_notices(notices: Iterable[_NoticeT], users: pebble.NoticesUsers | None,
                   user_id: int | None, types: Iterable[pebble.NoticeType | str] | None,
                   keys: Iterable[str] | None) -> list[_NoticeT]:
    """``get_notices``: those of *notices* that match every filter, oldest repeat first.
    Without *users* or *user_id*, those root may read (its own and public ones), as a charm
    asking Pebble gets."""
    if users is not None and user_id is not None:
        raise api_error(400, 'cannot use both "users" and "user_id"')
    reader = None if users is not None else (user_id or 0)
    type_set = None if types is None else {_type_value(kind) for kind in types}
    key_set = None if keys is None else set(keys)
    found = [notice for notice in notices
             if (reader is None or notice.user_id is None or notice.user_id == reader)
             and (type_set is None or _type_value(notice.type) in type_set)
             and (key_set is None or notice.key in key_set)]
    return sorted(found, key=lambda notice: notice.last_repeated)


def _type_value(kind: pebble.NoticeType | str) -> str:
    return kind.value if isinstance(kind, pebble.NoticeType) else kind


def new_check_info(check: pebble.Check) -> pebble.CheckInfo:
    """*check*'s info as Pebble first records it: up with no failures, or inactive if its
    startup is disabled; no change yet."""
    disabled = check.startup == pebble.CheckStartup.DISABLED
    return pebble.CheckInfo(
        check.name, level=check.level, startup=check.startup,
        status=pebble.CheckStatus.INACTIVE if disabled else pebble.CheckStatus.UP,
        failures=0, change_id=pebble.ChangeID(''), threshold=_threshold(check))


def follow_plan(infos: Mapping[str, pebble.CheckInfo],
                checks: Mapping[str, pebble.Check]) -> None:
    """Give each check in *infos* the level, threshold and startup the plan's *checks* now
    say (a layer added later may change them)."""
    for name, check in checks.items():
        info = infos.get(name)
        if info is not None:
            info.level = check.level
            info.threshold = _threshold(check)
            info.startup = check.startup


def _threshold(check: pebble.Check) -> int:
    return DEFAULT_CHECK_THRESHOLD if check.threshold is None else check.threshold


def longest_prefix(table: Mapping[tuple[str, ...], _T], command: Sequence[str]) -> _T | None:
    """What *table* holds for the longest prefix of *command* (the empty prefix ``()``
    matches every command); ``None`` if no prefix is there."""
    for length in range(len(command), -1, -1):
        found = table.get(tuple(command[:length]))
        if found is not None:
            return found
    return None


def _check_permissions(permissions: int | None) -> None:
    if permissions is not None and not 0 <= permissions <= 0o777:
        raise pebble.PathError('generic-file-error',
                               f'permissions not within 0o000 to 0o777: {permissions:#o}')


class SimulatedPebble:
    """The file and exec calls of a simulated Pebble, on the container's root directory
    ``_root`` (see the module docstring for what a client provides)."""

    _root: Path

    # -- what each testing style provides --------------------------------------------------

    def _check_connection(self) -> None:
        """Raise :class:`~reactops.pebble.ConnectionError` if the test says Pebble cannot
        be reached."""
        raise NotImplementedError

    def _exec_target(self, command: list[str]) -> Any:
        """What answers *command* (a handler, an Exec...); raise the style's error if
        nothing does."""
        raise NotImplementedError

    def _exec_services(self) -> Mapping[str, pebble.Service]:
        """The plan's services, for ``exec(service_context=...)``."""
        raise NotImplementedError

    def _start_exec(self, target: Any, args: ExecArgs, stdout: TextIO | BinaryIO | None,
                    stderr: TextIO | BinaryIO | None) -> Any:
        """Run *args* by *target*; the process ``exec`` returns (output goes to *stdout* and
        *stderr* when they are given)."""
        raise NotImplementedError

    # -- files -----------------------------------------------------------------------------

    def _local(self, path: str | PurePath) -> tuple[str, Path]:
        """*path* as text, and where it lives under the root (it must be absolute)."""
        text = str(path)
        if not text.startswith('/'):
            raise pebble.PathError('generic-file-error',
                                   f'paths must be absolute, got {text!r}')
        return text, self._root / text[1:]

    @overload
    def pull(self, path: str | PurePath, *, encoding: None) -> BinaryIO: ...

    @overload
    def pull(self, path: str | PurePath, *, encoding: str = 'utf-8') -> TextIO: ...

    def pull(self, path: str | PurePath, *,
             encoding: str | None = 'utf-8') -> BinaryIO | TextIO:
        self._check_connection()
        text, local = self._local(path)
        try:
            return cast('BinaryIO | TextIO',
                        local.open('rb' if encoding is None else 'r', encoding=encoding))
        except FileNotFoundError:
            raise pebble.PathError('not-found',
                                   f'stat {text}: no such file or directory') from None
        except IsADirectoryError:
            raise pebble.PathError('generic-file-error',
                                   f'can only read a regular file: "{text}"') from None

    def push(self, path: str | PurePath,
             source: str | bytes | bytearray | memoryview | TextIO | BinaryIO, *,
             encoding: str = 'utf-8', make_dirs: bool = False, permissions: int | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None) -> None:
        self._check_connection()
        _check_permissions(permissions)
        text, local = self._local(path)
        parent = os.path.dirname(text)
        if make_dirs and not local.parent.exists():
            self.make_dir(parent, make_parents=True)
        try:
            if isinstance(source, str):
                local.write_text(source, encoding=encoding)
            elif isinstance(source, bytes | bytearray | memoryview):
                local.write_bytes(bytes(source))
            else:
                binary = isinstance(source.read(0), bytes)
                with local.open('wb' if binary else 'w',
                                encoding=None if binary else encoding) as target:
                    shutil.copyfileobj(cast(Any, source), target)
            local.chmod(0o644 if permissions is None else permissions)
        except FileNotFoundError:
            raise pebble.PathError('not-found',
                                   f'parent directory not found: {parent}') from None
        except NotADirectoryError:
            raise pebble.PathError('generic-file-error',
                                   f'open {text}.~: not a directory') from None

    def list_files(self, path: str | PurePath, *, pattern: str | None = None,
                   itself: bool = False) -> list[pebble.FileInfo]:
        self._check_connection()
        text, local = self._local(path)
        if not local.exists():
            raise api_error(404, f'stat {text}: no such file or directory')
        found = [local]
        if not itself and local.is_dir():
            found = sorted(local.iterdir())
        if pattern is not None:
            found = [item for item in found if fnmatch.fnmatch(item.name, pattern)]
        infos = []
        for item in found:
            # The path as the container sees it: not resolved, so a mount (a symlink under
            # the root) keeps its place in the tree.
            relative = os.path.relpath(item, self._root)
            infos.append(file_info(item, '/' if relative == '.' else '/' + relative))
        return infos

    def make_dir(self, path: str | PurePath, *, make_parents: bool = False,
                 permissions: int | None = None, user_id: int | None = None,
                 user: str | None = None, group_id: int | None = None,
                 group: str | None = None) -> None:
        self._check_connection()
        _check_permissions(permissions)
        text, local = self._local(path)
        if not local.parent.exists():
            if not make_parents:
                raise pebble.PathError('not-found', f'parent directory not found: {text}')
            self.make_dir(os.path.dirname(text), make_parents=True, permissions=permissions)
        try:
            local.mkdir()
            local.chmod(permissions or 0o755)
        except FileExistsError:
            if not make_parents:
                raise pebble.PathError('generic-file-error',
                                       f'mkdir {text}: file exists') from None
        except NotADirectoryError as error:
            raise pebble.PathError('generic-file-error',
                                   f'not a directory: {error.args[0]}') from None

    def remove_path(self, path: str | PurePath, *, recursive: bool = False) -> None:
        self._check_connection()
        text, local = self._local(path)
        link = local.is_symlink()  # a link goes, never what it points to
        if not link and not local.exists():
            if recursive:
                return
            raise pebble.PathError('not-found', f'remove {text}: no such file or directory')
        if link or not local.is_dir():
            local.unlink()
        elif recursive:
            shutil.rmtree(local)
        else:
            try:
                local.rmdir()
            except OSError as error:
                raise pebble.PathError(
                    'generic-file-error',
                    'cannot remove non-empty directory without recursive=True') from error

    # -- exec ------------------------------------------------------------------------------

    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None,
             stdin: str | bytes | TextIO | BinaryIO | None = None,
             stdout: TextIO | BinaryIO | None = None, stderr: TextIO | BinaryIO | None = None,
             encoding: str | None = 'utf-8', combine_stderr: bool = False) -> Any:
        self._check_connection()
        target = self._exec_target(command)
        env = {} if environment is None else dict(environment)
        if service_context is not None:
            # As Pebble does: the service's environment, directory and identity are the
            # defaults the call's own arguments override.
            service = self._exec_services().get(service_context)
            if service is None:
                raise api_error(500, f'context service "{service_context}" not found')
            env = {**service.environment, **env}
            working_dir = service.working_dir if working_dir is None else working_dir
            user = service.user if user is None else user
            user_id = service.user_id if user_id is None else user_id
            group = service.group if group is None else group
            group_id = service.group_id if group_id is None else group_id
        if stdin is not None and not isinstance(stdin, str | bytes):
            stdin = stdin.read()
        args = ExecArgs(command=list(command), environment=env,
                        working_dir=None if working_dir is None else str(working_dir),
                        timeout=timeout, user_id=user_id, user=user, group_id=group_id,
                        group=group, stdin=stdin, encoding=encoding,
                        combine_stderr=combine_stderr)
        return self._start_exec(target, args, stdout, stderr)
