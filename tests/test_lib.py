"""ops.lib (deprecated in ops, kept so old charms run): libraries found by their metadata."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reactops import lib

pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning')


def _library(root: Path, package: str, name: str, api: int, patch: int) -> None:
    where = root / package / 'opslib' / name
    where.mkdir(parents=True)
    (root / package / '__init__.py').write_text('')
    (where / '__init__.py').write_text(
        f'LIBNAME = "db"\nLIBAPI = {api}\nLIBPATCH = {patch}\nLIBAUTHOR = "ann@example.com"\n')


def test_use_imports_the_highest_patch_of_the_api_asked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _library(tmp_path, 'one', 'db', 1, 3)
    _library(tmp_path, 'two', 'db', 1, 7)
    _library(tmp_path, 'three', 'db', 2, 0)
    monkeypatch.setattr(sys, 'path', [str(tmp_path)])
    lib.autoimport()
    module = lib.use('db', 1, 'ann@example.com')
    assert (module.LIBAPI, module.LIBPATCH) == (1, 7)
    with pytest.raises(ImportError, match=r'with API version 5 \(have 2, 1, 1\)'):
        lib.use('db', 5, 'ann@example.com')
    with pytest.raises(ImportError, match='cannot find library "db" from "bob@example.com"'):
        lib.use('db', 1, 'bob@example.com')


@pytest.mark.parametrize(('args', 'error'), [
    ((1, 2, 'ann@example.com'), TypeError),
    (('db', '2', 'ann@example.com'), TypeError),
    (('db', -1, 'ann@example.com'), ValueError),
    (('Db', 1, 'ann@example.com'), ValueError),
    (('db', 1, 'example.com'), ValueError),
])
def test_use_refuses_malformed_arguments(args: tuple[object, ...], error: type) -> None:
    with pytest.raises(error):
        lib.use(*args)  # type: ignore[arg-type]


def test_use_is_deprecated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, 'path', [str(tmp_path)])
    with pytest.warns(DeprecationWarning, match='ops.lib is deprecated'):
        lib.autoimport()
