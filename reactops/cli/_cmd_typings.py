"""``reactops typings [DIR]``: stubs that tell mypy and pyright ``import ops`` is reactops.

An ops charm runs on reactops unchanged because ``reactops-ops.pth`` answers the import
name ``ops`` with reactops at run time. Type checkers never run a ``.pth`` file's import
line, so without help they report ``ops`` missing. This command writes one stub per module
of the alias (``ops``, ``ops.<module>``, ``scenario``) under ``DIR/typings`` (default: the
current directory), each re-exporting the reactops module that answers the name. pyright
reads ``typings/`` by default; mypy needs ``mypy_path = "typings"``.

Stubs it wrote before are rewritten; any other file in the way is left alone and the
command fails, naming it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import CliError

__all__ = ['OPS_SUBMODULES', 'register', 'stub_files']

#: The submodules of ops a charm imports by name (``import ops.pebble``), each answered by
#: the reactops module of the same name.
OPS_SUBMODULES = ('charm', 'framework', 'hookcmds', 'jujucontext', 'jujuversion', 'lib',
                  'log', 'main', 'model', 'pebble', 'storage', 'stored', 'testing')
_MARK = '# Written by `reactops typings`'
_HEADER = (f'{_MARK}.\n# At run time `import {{alias}}` gives {{target}} (reactops-ops.pth); '
           'this stub\n# tells mypy and pyright the same, since neither runs a .pth file.\n')


def stub_files() -> dict[str, str]:
    """Relative path -> text of every stub, for the alias as it stands."""
    files = {'ops/__init__.pyi': _stub('ops', 'reactops', extra=[
        'from reactops import __version__ as __version__',
        # ops.main stays the function the star import gives (ops.main(MyCharm)).
        *(f'from reactops import {name} as {name}' for name in OPS_SUBMODULES
          if name != 'main')])}
    for name in OPS_SUBMODULES:
        files[f'ops/{name}.pyi'] = _stub(f'ops.{name}', f'reactops.{name}')
    files['scenario/__init__.pyi'] = _stub('scenario', 'reactops.testing')
    return files


def _stub(alias: str, target: str, extra: list[str] | None = None) -> str:
    lines = [f'from {target} import *  # noqa: F403', f'from {target} import __all__ as __all__',
             *(extra or [])]
    return _HEADER.format(alias=alias, target=target) + '\n'.join(lines) + '\n'


def register(subparsers: Any) -> None:
    """Add ``typings``."""
    parser = subparsers.add_parser(
        'typings', help='write stubs so that type checkers see `import ops` as reactops',
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('directory', nargs='?', type=Path, default=Path('.'),
                        help='the charm directory; the stubs go in its typings/ '
                             '(default: the current directory)')
    parser.set_defaults(func=_typings)


def _typings(args: argparse.Namespace) -> int:
    root: Path = args.directory / 'typings'
    if not args.directory.is_dir():
        raise CliError(f'{args.directory} is not a directory: give the charm directory')
    files = stub_files()
    foreign = [path for path in files if (root / path).exists()
               and not (root / path).read_text(errors='replace').startswith(_MARK)]
    if foreign:
        raise CliError(f'{root / foreign[0]} exists and was not written by reactops typings; '
                       f'move it away (or remove it) and run again')
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    print(f'wrote {len(files)} stubs in {root}/ (ops, ops.<module>, scenario -> reactops)')
    print('pyright reads typings/ by default; for mypy add  mypy_path = "typings"  to '
          '[tool.mypy]')
    from .._private.opsalias import real_ops_installed

    if real_ops_installed():
        print('note: a real ops is installed here; at run time it wins over reactops, so '
              'these stubs describe the wrong package in this environment')
    return 0
