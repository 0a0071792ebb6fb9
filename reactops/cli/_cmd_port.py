"""``reactops port-check <charm dir>``: what a legacy reactive charm needs to run on reactops.

Lists the charms.reactive / charmhelpers APIs the charm uses (found by reading its
Python files, never importing them), whether reactops provides each, the files reactops
replaces, the hooks still to point at reactops, its executable handlers, and the
documented behaviour differences its usage makes apply, each with what to check (--all
adds those with nothing to check). Exit code 0 when every API used is provided, 3 when
some are not (so CI can gate on it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import CliError

__all__ = ['register']

#: Exit code when the charm uses APIs reactops does not provide.
UNSUPPORTED_EXIT = 3


def register(subparsers: Any) -> None:
    """Add ``port-check``."""
    parser = subparsers.add_parser(
        'port-check', help='list the legacy charms.reactive/charmhelpers APIs a charm uses',
        description=__doc__)
    parser.add_argument('charm_dir', type=Path, help='the legacy charm (built or source)')
    parser.add_argument('--format', choices=('text', 'json'), default='text',
                        help='text for people, json for tools (default: text)')
    parser.add_argument('--all', action='store_true',
                        help='also show the differences that apply but leave nothing to '
                             'check')
    parser.set_defaults(func=_port_check)


def _port_check(args: argparse.Namespace) -> int:
    charm_dir: Path = args.charm_dir
    if not charm_dir.is_dir():
        raise CliError(f"{charm_dir} is not a directory: give the legacy charm's directory "
                       '(the one with metadata.yaml and reactive/)')
    from ..legacy import port_check

    report = port_check(charm_dir)
    print(report.to_json(args.all) if args.format == 'json' else report.to_text(args.all))
    return 0 if report.ok else UNSUPPORTED_EXIT
