"""Pebble's files API over the container folder: pull, push, list, make-dirs, remove.

Paths in requests are container paths (``/etc/app.conf``); :class:`Files` maps them into the
workload's folder and refuses any that would leave it, whether by ``..`` or through a
symbolic link that points outside. Each path of a request gets its own result, with an error
in Pebble's shape (``kind`` not-found, permission-denied or generic-file-error) when its
operation failed, as Pebble answers.

Ownership (``user``/``user-id``/``group``/``group-id``) is honoured only when the manager runs
as root and the account exists on this machine; otherwise files belong to the manager's user.
"""

from __future__ import annotations

import errno
import fnmatch
import grp
import os
import posixpath
import pwd
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ._errors import APIError

__all__ = ['Files', 'FileError', 'file_result', 'ownership']

Item = Mapping[str, Any]


class FileError(Exception):
    """One path's operation failed: Pebble's error *kind* and *message* for its result."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _os_error(error: OSError, verb: str, path: str) -> FileError:
    """An OS error as Go words it (``open /x: no such file or directory``), with the
    container path, never the host path, in the message."""
    reason = os.strerror(error.errno).lower() if error.errno else str(error)
    if error.errno == errno.ENOENT:
        kind = 'not-found'
    elif error.errno in (errno.EACCES, errno.EPERM):
        kind = 'permission-denied'
    else:
        kind = 'generic-file-error'
    return FileError(kind, f'{verb} {path}: {reason}')


def file_result(path: str, action: Callable[[], None]) -> dict[str, Any]:
    """Run one path's *action*; its result item, with Pebble's error when it failed."""
    try:
        action()
    except FileError as e:
        return {'path': path, 'error': {'message': e.message, 'kind': e.kind}}
    except APIError as e:
        return {'path': path, 'error': {'message': e.message,
                                        'kind': e.kind or 'generic-file-error'}}
    return {'path': path}


def _lookup(table: Callable[[Any], Any], name: str | int) -> Any | None:
    try:
        return table(name)
    except KeyError:
        return None


def _named(kind: str, name: str, number: Any, found: int | None) -> int | None:
    """The ID of account *name* (None when this machine has no such account); Pebble's
    error when the request also gave a different ID for it."""
    if found is not None and number is not None and number != found:
        label = {'user': 'UID', 'group': 'GID'}[kind]
        raise FileError('generic-file-error', f'{kind} "{name}" {label} ({found}) does not '
                        f'match {kind}-id ({number})')
    return found


def ownership(item: Item) -> tuple[int, int] | None:
    """The (uid, gid) a request's user fields ask for, or None to leave the manager's own.

    The fields are checked as Pebble checks them; they take effect only as root and for
    accounts of this machine (the container's accounts are not this machine's).
    """
    uid, gid = item.get('user-id'), item.get('group-id')
    user, group = item.get('user') or '', item.get('group') or ''
    if uid is None and gid is None and not user and not group:
        return None
    if uid is None and not user:
        raise FileError('generic-file-error', 'must specify user, not just group')
    if os.geteuid() != 0:
        return None
    if user:
        account = _lookup(pwd.getpwnam, user)
        uid = _named('user', user, uid, account.pw_uid if account else None)
    if group:
        entry = _lookup(grp.getgrnam, group)
        gid = _named('group', group, gid, entry.gr_gid if entry else None)
        if gid is None:
            return None
    if uid is None:
        return None
    if gid is None:
        account = _lookup(pwd.getpwuid, uid)
        if account is None:
            return None
        gid = account.pw_gid
    return int(uid), int(gid)


def _permissions(text: str | None, default: int) -> int:
    if not text:
        return default
    try:
        if len(text) != 3:
            raise ValueError(text)
        return int(text, 8)
    except ValueError:
        raise FileError('generic-file-error', 'permissions must be a 3-digit octal string, '
                        f'got "{text}"') from None


def _absolute(path: str) -> None:
    if not path.startswith('/'):
        raise FileError('generic-file-error', f'paths must be absolute, got "{path}"')


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISREG, 'file'), (stat.S_ISDIR, 'directory'),
                       (stat.S_ISLNK, 'symlink'), (stat.S_ISSOCK, 'socket'),
                       (stat.S_ISFIFO, 'named-pipe'), (stat.S_ISBLK, 'device'),
                       (stat.S_ISCHR, 'device')):
        if test(mode):
            return name
    return 'unknown'


def _name(table: Callable[[int], Any], number: int, field: str) -> str:
    try:
        return str(getattr(table(number), field))
    except KeyError:
        return ''


class Files:
    """The files API of one container; *fs* is its folder, *host_path* maps a container
    path into it (the workload's ``container_path``, which refuses ``..`` escapes)."""

    def __init__(self, fs: Path, host_path: Callable[[str], Path]):
        self.fs = fs
        self._host_path = host_path

    # --- paths ----------------------------------------------------------------------------

    def _inside(self, real: str) -> bool:
        root = os.path.realpath(self.fs)
        return real == root or real.startswith(root.rstrip('/') + '/')

    def local(self, path: str, *, follow: bool = True) -> Path:
        """The host path of container *path*; a path that leads outside the container
        folder (through ``..`` or a symbolic link) is refused as permission denied."""
        _absolute(path)
        try:
            host = self._host_path(path)
        except APIError as e:  # a '..' escape: that path's error, not the request's
            raise FileError(e.kind or 'generic-file-error', e.message) from None
        parent = os.path.realpath(host.parent)
        real = os.path.realpath(host) if follow else os.path.join(parent, host.name)
        if not self._inside(parent if host.name == '' else real):
            raise FileError('permission-denied',
                            f'{path}: path leads outside the container filesystem')
        return host

    # --- reading --------------------------------------------------------------------------

    def open_for_read(self, path: str) -> BinaryIO:
        """The content of the regular file at *path*, open for reading."""
        host = self.local(path)
        try:
            if not stat.S_ISREG(host.stat().st_mode):
                raise FileError('generic-file-error', f'can only read a regular file: "{path}"')
            return host.open('rb')
        except OSError as e:
            raise _os_error(e, 'stat' if not host.exists() else 'open', path) from None

    def info(self, host: Path, path: str) -> dict[str, Any]:
        """Pebble's description of one file (``list_files`` items)."""
        st = host.lstat() if host.is_symlink() and not host.exists() else host.stat()
        mtime = time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(st.st_mtime))
        offset = time.localtime(st.st_mtime).tm_gmtoff or 0
        zone = 'Z' if not offset else \
            f'{"+" if offset > 0 else "-"}{abs(offset) // 3600:02d}:{abs(offset) % 3600 // 60:02d}'
        result: dict[str, Any] = {
            'path': path, 'name': posixpath.basename(path) or '/',
            'type': _file_type(st.st_mode),
            'permissions': format(stat.S_IMODE(st.st_mode) & 0o777, '03o'),
            'last-modified': mtime + zone, 'user-id': st.st_uid,
            'user': _name(pwd.getpwuid, st.st_uid, 'pw_name'), 'group-id': st.st_gid,
            'group': _name(grp.getgrgid, st.st_gid, 'gr_name')}
        if stat.S_ISREG(st.st_mode):
            result['size'] = st.st_size
        return result

    def listing(self, path: str, pattern: str, itself: bool) -> list[dict[str, Any]]:
        """The files at *path* (a directory's entries, or the file itself), as Pebble lists
        them; errors are whole-request errors (404 when missing), as Pebble answers."""
        if not path.startswith('/'):
            raise APIError(400, f'path must be absolute, got "{path}"')
        try:
            host = self.local(path)
            entries = self._entries(host, path, itself)
        except FileError as e:
            status = {'not-found': 404, 'permission-denied': 403}.get(e.kind, 400)
            raise APIError(status, e.message, e.kind) from None
        return [self.info(h, p) for h, p in entries
                if not pattern or fnmatch.fnmatchcase(posixpath.basename(p), pattern)]

    def _entries(self, host: Path, path: str, itself: bool) -> list[tuple[Path, str]]:
        try:
            if itself or not host.is_dir():
                host.stat()
                return [(host, path)]
            names = sorted(os.listdir(host))
        except OSError as e:
            raise _os_error(e, 'stat', path) from None
        return [(host / name, posixpath.join(path, name)) for name in names]

    # --- writing --------------------------------------------------------------------------

    def write(self, item: Item, content: Iterator[bytes]) -> None:
        """Write one pushed file from its *content* chunks, atomically (a temporary file
        renamed into place), creating its folders first when ``make-dirs`` says so."""
        path = item.get('path') or ''
        _absolute(path)
        owner = ownership(item)
        mode = _permissions(item.get('permissions'), 0o644)
        host = self.local(path, follow=False)
        if item.get('make-dirs'):
            self._make_dirs(posixpath.dirname(path), 0o755, owner)
        try:
            fd, temporary = tempfile.mkstemp(dir=host.parent, prefix=f'.{host.name}.')
        except OSError as e:
            raise _os_error(e, 'open', path) from None
        try:
            with os.fdopen(fd, 'wb') as out:
                for chunk in content:
                    out.write(chunk)
            os.chmod(temporary, mode)
            if owner is not None:
                os.chown(temporary, *owner)
            os.replace(temporary, host)
        except OSError as e:
            raise _os_error(e, 'open', path) from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def _make_dirs(self, path: str, mode: int, owner: tuple[int, int] | None) -> None:
        """Make *path* and its missing parents (each new one with *mode* and *owner*)."""
        missing = []
        while path != '/' and not self.local(path).is_dir():
            missing.append(path)
            path = posixpath.dirname(path)
        for each in reversed(missing):
            self._make_dir(each, mode, owner, exist_ok=True)

    def _make_dir(self, path: str, mode: int, owner: tuple[int, int] | None,
                  exist_ok: bool) -> None:
        host = self.local(path)
        try:
            host.mkdir()
        except FileExistsError:
            if not exist_ok or not host.is_dir():
                raise _os_error(FileExistsError(errno.EEXIST, ''), 'mkdir', path) from None
        except OSError as e:
            raise _os_error(e, 'mkdir', path) from None
        os.chmod(host, mode)
        if owner is not None:
            os.chown(host, *owner)

    def make_dir(self, item: Item) -> None:
        """One ``make-dirs`` item: the directory, and its parents with ``make-parents``."""
        path = item.get('path') or ''
        _absolute(path)
        mode = _permissions(item.get('permissions'), 0o755)
        owner = ownership(item)
        if item.get('make-parents'):
            self._make_dirs(path, mode, owner)
            self._make_dir(path, mode, owner, exist_ok=True)
        else:
            self._make_dir(path, mode, owner, exist_ok=False)

    def remove(self, item: Item) -> None:
        """One ``remove`` item: a file, an empty directory, or a whole tree (``recursive``);
        a symbolic link is removed itself, never what it points to."""
        path = item.get('path') or ''
        _absolute(path)
        host = self.local(path, follow=False)
        if os.path.realpath(host) == os.path.realpath(self.fs):
            raise FileError('permission-denied', f'remove {path}: cannot remove the '
                            'container root')
        try:
            if item.get('recursive'):
                if host.is_dir() and not host.is_symlink():
                    shutil.rmtree(host)
                elif host.exists() or host.is_symlink():
                    host.unlink()
            elif host.is_dir() and not host.is_symlink():
                host.rmdir()
            else:
                host.unlink()
        except OSError as e:
            raise _os_error(e, 'remove', path) from None
