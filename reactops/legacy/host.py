"""``charmhelpers.core.host``'s file helpers, for a charm that packs no charmhelpers.

charms.reactive's ``any_file_changed`` and many layers hash files and write them with
these (``file_hash``, ``path_hash``, ``check_hash``, ``write_file``, ``mkdir``, ...), with
charmhelpers' names, arguments and return values. Everything else in charmhelpers' host
module (services, users, mounts, packages, NICs) manages the machine, which reactops
leaves to charmhelpers: using such a name raises
:class:`~reactops.legacy.UnsupportedLegacyAPIError` saying to pack charmhelpers with the
charm. A charm that packs charmhelpers gets that copy's ``host`` instead of this module.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import grp
import hashlib
import os
import pwd
from collections.abc import Iterator
from typing import Any

from ._errors import UnsupportedLegacyAPIError

__all__ = ['ChecksumError', 'chdir', 'check_hash', 'chownr', 'file_hash', 'lchownr', 'mkdir',
           'owner', 'path_hash', 'symlink', 'write_file']


class ChecksumError(ValueError):
    """A file's checksum is not the one expected (:func:`check_hash`)."""


def file_hash(path: str, hash_type: str = 'md5') -> str | None:
    """The hex digest of the file's contents (any :mod:`hashlib` algorithm), or ``None``
    if there is no such file."""
    if not os.path.exists(path):
        return None
    digest = hashlib.new(hash_type)
    with open(path, 'rb') as source:
        for block in iter(lambda: source.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def path_hash(path: str) -> dict[str, str | None]:
    """The MD5 of every file matching the glob pattern *path*: ``{filename: hash}``."""
    return {filename: file_hash(filename) for filename in glob.iglob(path)}


def check_hash(path: str, checksum: str, hash_type: str = 'md5') -> None:
    """Raise :class:`ChecksumError` unless the file's digest is *checksum*."""
    actual = file_hash(path, hash_type)
    if checksum != actual:
        raise ChecksumError(f"'{checksum}' != '{actual}'")


def _log(message: str, level: str | None = None) -> None:
    from .hookenv import log

    log(message, level)


def _ids(owner: str, group: str) -> tuple[int, int]:
    return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid


def write_file(path: str, content: str | bytes, owner: str = 'root', group: str = 'root',
               perms: int = 0o444) -> None:
    """Make *path* hold *content* (text is written as UTF-8), owned by *owner*:*group*
    with mode *perms*; a file that already holds it is not rewritten, only its owner and
    mode put right."""
    uid, gid = _ids(owner, group)
    data = content.encode('utf-8') if isinstance(content, str) else content
    try:
        with open(path, 'rb') as existing:
            same = existing.read() == data
        stat = os.stat(path)
    except OSError:
        same, stat = False, None
    if not same or stat is None:
        _log(f'Writing file {path} {owner}:{group} {perms:o}', level='DEBUG')
        with open(path, 'wb') as target:
            os.fchown(target.fileno(), uid, gid)
            os.fchmod(target.fileno(), perms)
            target.write(data)
        return
    if stat.st_uid != uid or stat.st_gid != gid:
        os.chown(path, uid, gid)
    if stat.st_mode & 0o7777 != perms:
        os.chmod(path, perms)


def mkdir(path: str, owner: str = 'root', group: str = 'root', perms: int = 0o555,
          force: bool = False) -> None:
    """Make directory *path* (and its parents) owned by *owner*:*group* with mode
    *perms*; with *force*, a file in its place is removed first."""
    _log(f'Making dir {path} {owner}:{group} {perms:o}')
    uid, gid = _ids(owner, group)
    real = os.path.abspath(path)
    if os.path.exists(real) and force and not os.path.isdir(real):
        _log(f'Removing non-directory file {path} prior to mkdir()')
        os.unlink(real)
    if not os.path.exists(real):
        os.makedirs(real, perms)
    os.chown(real, uid, gid)
    os.chmod(real, perms)


def symlink(source: str, destination: str) -> None:
    """Make *destination* a symbolic link to *source*, replacing a file or link there."""
    _log(f'Symlinking {source} as {destination}')
    target = destination
    if os.path.isdir(destination):  # as ``ln -sf``: a link inside the directory
        target = os.path.join(destination, os.path.basename(source))
    temporary = f'{target}.reactops-link'
    os.symlink(source, temporary)
    os.replace(temporary, target)


@contextlib.contextmanager
def chdir(directory: str) -> Iterator[None]:
    """Work in *directory* for the block, then go back."""
    previous = os.getcwd()
    try:
        os.chdir(directory)
        yield
    finally:
        os.chdir(previous)


def chownr(path: str, owner: str, group: str, follow_links: bool = True,
           chowntopdir: bool = False) -> None:
    """Give everything under *path* (and *path* itself with *chowntopdir*) to
    *owner*:*group*; files vanishing meanwhile are skipped."""
    uid, gid = _ids(owner, group)
    chown = os.chown if follow_links else os.lchown
    if chowntopdir and not (os.path.lexists(path) and not os.path.exists(path)):
        chown(path, uid, gid)
    for root, dirs, files in os.walk(path, followlinks=follow_links):
        for name in dirs + files:
            try:
                chown(os.path.join(root, name), uid, gid)
            except OSError as error:
                if error.errno != errno.ENOENT:
                    raise


def lchownr(path: str, owner: str, group: str) -> None:
    """:func:`chownr` without following symbolic links."""
    chownr(path, owner, group, follow_links=False)


def owner(path: str) -> tuple[str, str]:
    """The names of the user and group owning *path*."""
    stat = os.stat(path)
    return pwd.getpwuid(stat.st_uid).pw_name, grp.getgrgid(stat.st_gid).gr_name


def __getattr__(name: str) -> Any:
    if name.startswith('__'):
        raise AttributeError(name)
    raise UnsupportedLegacyAPIError(
        f"charmhelpers.core.host.{name} is not provided by reactops, which has only the "
        f"file helpers of charmhelpers' host module ({', '.join(__all__)}): pack "
        "charmhelpers with the charm (list it in the charm's wheelhouse or requirements) "
        'and its own host module is used, or replace the call (see docs/porting.md)')
