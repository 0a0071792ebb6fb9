"""The entry-point reader that keeps importlib.metadata out of hooks answers as it does."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reactops.reactive import _entry_points
from reactops.reactive._entry_points import entry_points

GROUP = 'reactops.test-group'


def dist(site: Path, folder: str, entry_points_txt: str | None, name: str = '') -> None:
    """A distribution's metadata folder in *site* (name taken from *folder* if not given)."""
    info = site / folder
    info.mkdir(parents=True)
    name = name or folder.partition('-')[0]
    meta = 'PKG-INFO' if folder.endswith('.egg-info') else 'METADATA'
    (info / meta).write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n')
    if entry_points_txt is not None:
        (info / 'entry_points.txt').write_text(entry_points_txt)


@pytest.fixture
def sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    first, second = tmp_path / 'first', tmp_path / 'second'
    first.mkdir()
    second.mkdir()
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    yield first, second


def reference(group: str) -> list[tuple[str, str, str]]:
    return [(e.name, e.value, e.group) for e in importlib.metadata.entry_points(group=group)]


def ours(group: str, name: str | None = None) -> list[tuple[str, str, str]]:
    return [(e.name, e.value, e.group) for e in entry_points(group, name)]


def test_it_reads_what_importlib_metadata_reads(sites: tuple[Path, Path]) -> None:
    first, second = sites
    dist(first, 'alpha-1.0.dist-info',
         f'# a comment\n[console_scripts]\nalpha = alpha:main\n\n'
         f'[{GROUP}]\n one.requires =  alpha.layer:Requires \n'
         f'two.provides=alpha.layer:Provides [extra]\n')
    dist(first, 'Beta_Pkg-2.0.dist-info', f'[{GROUP}]\nbeta.requires = beta:Requires\n')
    dist(first, 'gamma-1.0.egg-info', f'[{GROUP}]\ngamma.peers = gamma:Peers\n')
    dist(first, 'no_entry_points-1.0.dist-info', None)
    # The same distributions again, later on the path: the first of each name wins
    # (beta compared by its normalised name).
    dist(second, 'alpha-0.9.dist-info', f'[{GROUP}]\nold.requires = old:Requires\n')
    dist(second, 'beta.pkg-1.0.dist-info', f'[{GROUP}]\nold.beta = old:Beta\n')
    dist(second, 'delta-1.0.dist-info', f'[{GROUP}]\ndelta.requires = delta:Requires\n')
    assert sorted(ours(GROUP)) == sorted(reference(GROUP))
    assert {name for name, _, _ in ours(GROUP)} == {
        'one.requires', 'two.provides', 'beta.requires', 'gamma.peers', 'delta.requires'}
    assert ours(GROUP, 'beta.requires') == [('beta.requires', 'beta:Requires', GROUP)]
    assert ours(GROUP, 'nothing') == []
    assert entry_points(GROUP, 'delta.requires')[0].distribution == 'delta'


def test_it_sees_a_package_installed_after_the_first_answer(sites: tuple[Path, Path]) -> None:
    first, _ = sites
    assert ours(GROUP) == []
    dist(first, 'late-1.0.dist-info', f'[{GROUP}]\nlate.requires = late:Requires\n')
    assert ours(GROUP) == [('late.requires', 'late:Requires', GROUP)]


def test_load_imports_the_named_attribute(sites: tuple[Path, Path]) -> None:
    first, _ = sites
    (first / 'eploaded.py').write_text('class Outer:\n    class Inner:\n        pass\n')
    dist(first, 'eploaded-1.0.dist-info', f'[{GROUP}]\nx = eploaded:Outer.Inner\n'
                                          f'y = eploaded\n')
    loaded = {entry.name: entry.load() for entry in entry_points(GROUP)}
    module = sys.modules['eploaded']
    assert loaded == {'x': module.Outer.Inner, 'y': module}


def test_a_zip_on_the_path_is_left_to_importlib_metadata(
        sites: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / 'zipped.zip'
    with zipfile.ZipFile(archive, 'w') as zipped:
        zipped.writestr('zipped-1.0.dist-info/METADATA',
                        'Metadata-Version: 2.1\nName: zipped\nVersion: 1.0\n')
        zipped.writestr('zipped-1.0.dist-info/entry_points.txt',
                        f'[{GROUP}]\nzipped.requires = zipped:Requires\n')
    monkeypatch.syspath_prepend(str(archive))
    assert ours(GROUP) == reference(GROUP) == [('zipped.requires', 'zipped:Requires', GROUP)]


def test_a_finder_with_distributions_of_its_own_is_asked_through_importlib_metadata(
        sites: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = sites
    dist(first, 'hidden-1.0.dist-info', f'[{GROUP}]\nhidden.requires = hidden:Requires\n')

    class OnlyThisFinder:
        """Lists the distributions of one folder, as a custom finder may."""

        @staticmethod
        def find_spec(*args: object) -> None:
            return None

        @staticmethod
        def find_distributions(context: object = None) -> Iterator[object]:
            yield importlib.metadata.PathDistribution(first / 'hidden-1.0.dist-info')

    monkeypatch.setattr(sys, 'meta_path', [*sys.meta_path, OnlyThisFinder()])
    assert not _entry_points._scan_sees_everything()
    assert ('hidden.requires', 'hidden:Requires', GROUP) in ours(GROUP)
    assert sorted(set(ours(GROUP))) == sorted(set(reference(GROUP)))


def test_legacy_relation_factories_come_from_the_same_reader(
        sites: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from reactops.legacy.reactive.relations import FACTORY_ENTRY_POINTS, RelationFactory

    first, _ = sites
    (first / 'epfactory.py').write_text(
        'class Factory:\n'
        '    loaded = False\n'
        '    @classmethod\n'
        '    def load(cls):\n'
        '        cls.loaded = True\n'
        '    @classmethod\n'
        '    def from_name(cls, name):\n'
        '        return cls if name == "db" else None\n')
    dist(first, 'epfactory-1.0.dist-info',
         f'[{FACTORY_ENTRY_POINTS}]\nfactory = epfactory:Factory\n')
    monkeypatch.setattr(RelationFactory, '_factories', [])
    monkeypatch.setattr(RelationFactory, '_discovered', False)
    factory = RelationFactory.get_factory('db')
    assert factory is sys.modules['epfactory'].Factory and factory.loaded
    assert RelationFactory.get_factory('web') is None
