"""``reactops init``: a new charm directory whose tests pass from the start.

The charm has charmcraft.yaml, an executable ``dispatch``, ``src/charm.py``, handlers in
``reactive/`` (``--reactive``, the default) or an ops-style charm class (``--ops``),
``tests/test_charm.py`` on :mod:`reactops.testing`, ``tests/integration/test_charm.py``
deploying it into a local model with the ``juju`` fixture (Jubilant's shape), a README,
``requirements.txt`` (reactops pinned to the releases compatible with the one running, see
:func:`requirement`) and a ``.gitignore``.
"""

from __future__ import annotations

import argparse
import re
import stat
import string
from pathlib import Path
from typing import Any

from ._common import CliError

__all__ = ['CHARM_NAME', 'create_charm', 'register', 'requirement']

#: A Juju charm name: lowercase letters and digits in dash-separated words, from a letter.
CHARM_NAME = re.compile(r'^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$')
# A PEP 440 version's epoch and the first two numbers of its release segment.
_MAJOR_MINOR = re.compile(r'^(\d+!)?(\d+)(?:\.(\d+))?')


def register(subparsers: Any) -> None:
    """Add ``init``."""
    init = subparsers.add_parser(
        'init', help='create a new charm',
        description='Create a charm directory: charmcraft.yaml, dispatch, src/charm.py, '
                    'handlers (reactive style) or a charm class (ops style), tests using '
                    'reactops.testing, and a README.')
    init.add_argument('name', metavar='NAME', help='the charm name, e.g. hello-web')
    style = init.add_mutually_exclusive_group()
    style.add_argument('--reactive', dest='style', action='store_const', const='reactive',
                       help='handlers in reactive/ run on flags (default)')
    style.add_argument('--ops', dest='style', action='store_const', const='ops',
                       help='a charm class observing events, as with ops')
    init.add_argument('--path', metavar='DIR',
                      help='the directory to create (default: ./NAME)')
    init.set_defaults(func=_init, style='reactive')


def _init(args: argparse.Namespace) -> int:
    target = Path(args.path) if args.path else Path(args.name)
    written = create_charm(args.name, target, style=args.style)
    print(f'Created the {args.style} charm {args.name} in {target} ({len(written)} files).')
    print(f'Next: cd {target} && python -m pytest tests && reactops check .')
    return 0


def create_charm(name: str, target: Path, *, style: str = 'reactive') -> list[Path]:
    """Write a new charm called *name* into *target* (which must not exist or be
    empty); return the files written."""
    from . import _templates

    if not CHARM_NAME.match(name):
        raise CliError(f'{name!r} is not a charm name: use lowercase letters and digits in '
                       'words joined by dashes, starting with a letter (e.g. hello-web)')
    if style not in ('reactive', 'ops'):
        raise CliError(f'unknown charm style {style!r}: use reactive or ops')
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CliError(f'{target} already exists and is not an empty directory; choose '
                       'another NAME or --path')
    words = name.split('-')
    values = {'name': name, 'module': name.replace('-', '_'),
              'klass': ''.join(w.capitalize() for w in words) + 'Charm',
              'title': ' '.join([words[0].capitalize(), *words[1:]]), 'style': style,
              'requirement': requirement()}
    files = {**_templates.COMMON,
             **(_templates.REACTIVE if style == 'reactive' else _templates.OPS)}
    written = []
    for relative, text in files.items():
        path = target / string.Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(string.Template(text).substitute(values))
        written.append(path)
    for executable in (target / 'dispatch', target / 'src' / 'charm.py'):
        mode = executable.stat().st_mode
        executable.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return written


def requirement(version: str | None = None) -> str:
    """The reactops line of a new charm's requirements.txt: *version* (default: the
    reactops running now) or any later release with the same API.

    Below 1.0 a minor release may break charms, so 0.1.x allows up to 0.2; from 1.0 on, up
    to the next major. The lower bound is *version* itself, without a local label: the
    charm was generated, and its tests passed, with that release. A development or
    pre-release version (``0.1.0.dev0``) stays the lower bound too, so the build that made
    the charm satisfies it (``>=0.1`` would not: ``0.1.0.dev0`` sorts before ``0.1``).
    """
    if version is None:
        from .. import __version__
        version = __version__
    public = version.split('+', 1)[0]
    match = _MAJOR_MINOR.match(public)
    if match is None:  # not a PEP 440 version: nothing to derive a range from
        return 'reactops'
    epoch, major, minor = match[1] or '', int(match[2]), int(match[3] or 0)
    below = f'{major}.{minor + 1}' if major == 0 else str(major + 1)
    return f'reactops>={public},<{epoch}{below}'
