"""Endpoint building blocks without a dispatch: data views, KeyList, CombinedUnitsView, and
how an endpoint's class is found (find_endpoint_class)."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import pytest

from reactops import Endpoint
from reactops.reactive._endpoint_views import (
    CombinedUnitsView,
    EndpointDataWriteError,
    JSONUnitDataView,
    KeyList,
    UnitDataView,
)
from reactops.reactive.endpoint import EndpointLookupError, find_endpoint_class

# -- views ----------------------------------------------------------------------------------


def test_json_view_decodes_with_raw_fallback_and_none_for_missing() -> None:
    raw = UnitDataView({'port': '5432', 'on': 'true', 'name': 'abc', 'empty': '',
                        'obj': '{"a": 1}'}, owner='unit pg/0')
    view = JSONUnitDataView(raw)
    assert view['port'] == 5432 and view['on'] is True and view['name'] == 'abc'
    assert view['empty'] == '' and view['obj'] == {'a': 1}
    assert view['missing'] is None and raw['missing'] is None
    assert view.get('missing', 7) == 7 and sorted(view) == sorted(raw)


def test_remote_views_refuse_writes_naming_the_owner() -> None:
    view = JSONUnitDataView(UnitDataView({}, owner='the data of remote unit pg/0 in db:1'))
    with pytest.raises(EndpointDataWriteError, match='remote unit pg/0 in db:1'):
        view['x'] = 1
    with pytest.raises(ValueError, match='to_publish'):
        view.raw_data.update(x='1')


def test_writeable_views_encode_json_and_raw_scalars() -> None:
    bag: dict[str, str] = {'gone': 'x'}
    raw = UnitDataView(bag, owner='our unit', writeable=True)
    view = JSONUnitDataView(raw)
    view['s'] = 'probe'
    view['d'] = {'b': 2, 'a': 1}
    view['n'] = None
    raw['port'] = 5432
    raw['flag'] = True
    del raw['gone']
    assert bag == {'s': '"probe"', 'd': '{"a": 1, "b": 2}', 'n': 'null', 'port': '5432',
                   'flag': 'true', 'gone': ''}  # '' is how the model deletes a key
    with pytest.raises(TypeError, match='encode it'):
        raw['bad'] = [1]


class _Unit:
    def __init__(self, name: str, data: dict[str, str]):
        self.unit_name = name
        self.received_raw = UnitDataView(data, owner=name)


def test_keylist_indexes_by_position_and_key() -> None:
    items = KeyList([_Unit('a/0', {}), _Unit('a/1', {})], key='unit_name')
    assert items[1].unit_name == 'a/1' and items['a/0'] is items[0]
    assert 'a/1' in items and items[0] in items and 'a/2' not in items
    assert items.keys() == ['a/0', 'a/1'] and [k for k, _ in items.items()] == items.keys()
    with pytest.raises(KeyError, match="'a/9'"):
        items['a/9']


def test_combined_units_merge_data_first_unit_wins() -> None:
    units = CombinedUnitsView([_Unit('a/0', {'k': '1', 'x': '"a"'}),
                               _Unit('a/1', {'k': '2', 'y': 'true'})])
    assert dict(units.received_raw) == {'k': '1', 'x': '"a"', 'y': 'true'}
    assert dict(units.received) == {'k': 1, 'x': 'a', 'y': True}
    assert units['a/1'].unit_name == 'a/1'
    with pytest.raises(EndpointDataWriteError):
        units.received['k'] = 3


# -- find_endpoint_class ------------------------------------------------------------------------


LAYER = """
from reactops import Endpoint

class Base(Endpoint):
    pass

class {name}(Base):
    pass
"""


def write_layer(path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(LAYER.format(name=name)))


def install_entry_point(root: Path, name: str, target: str) -> None:
    """A package 'eplayer' on sys.path declaring the entry point *name* -> *target*."""
    (root / 'eplayer.py').write_text('from reactops import Endpoint\n\n'
                                     'class Installed(Endpoint):\n    pass\n\n'
                                     'NotEndpoint = object\n')
    info = root / 'eplayer-1.0.dist-info'
    info.mkdir(exist_ok=True)
    (info / 'METADATA').write_text('Metadata-Version: 2.1\nName: eplayer\nVersion: 1.0\n')
    (info / 'entry_points.txt').write_text(f'[reactops.interfaces]\n{name} = {target}\n')


@pytest.fixture
def charm_dir(tmp_path: Path) -> Path:
    charm = tmp_path / 'charm'
    charm.mkdir()
    return charm


def test_the_charms_own_layer_comes_first(charm_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_layer(charm_dir / 'hooks' / 'relations' / 'foo' / 'requires.py', 'Legacy')
    (tmp_path / 'site').mkdir()
    install_entry_point(tmp_path / 'site', 'foo.requires', 'eplayer:Installed')
    monkeypatch.syspath_prepend(str(tmp_path / 'site'))
    cls = find_endpoint_class(charm_dir, 'foo', 'requires')
    assert cls is not None and cls.__name__ == 'Legacy'  # the most derived class
    assert cls.__module__ == 'relations.foo.requires'  # the module discovery imports
    assert find_endpoint_class(charm_dir, 'foo-bar', 'requires') is None


def test_installed_packages_come_before_built_ins(charm_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / 'site').mkdir()
    install_entry_point(tmp_path / 'site', 'foo.provides', 'eplayer:Installed')
    monkeypatch.syspath_prepend(str(tmp_path / 'site'))
    builtin = types.ModuleType('reactops.layers.foo')
    builtin.Provides = type('Provides', (Endpoint,), {})  # type: ignore[attr-defined]
    builtin.Requires = type('Requires', (Endpoint,), {})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, 'reactops.layers.foo', builtin)
    cls = find_endpoint_class(charm_dir, 'foo', 'provides')
    assert cls is not None and cls.__name__ == 'Installed'
    assert find_endpoint_class(charm_dir, 'foo', 'requires') is builtin.Requires  # type: ignore[attr-defined]
    assert find_endpoint_class(charm_dir, 'foo', 'peers') is None


def test_built_ins_may_use_an_endpoints_map(charm_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = types.ModuleType('reactops.layers.my_iface')
    peer = type('Peer', (Endpoint,), {})
    builtin.ENDPOINTS = {'peers': peer}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, 'reactops.layers.my_iface', builtin)
    assert find_endpoint_class(charm_dir, 'my-iface', 'peers') is peer


def test_two_implementations_in_the_charm_are_an_error(charm_dir: Path) -> None:
    write_layer(charm_dir / 'hooks' / 'relations' / 'foo' / 'requires.py', 'Legacy')
    write_layer(charm_dir / 'interfaces' / 'foo' / 'requires.py', 'New')
    with pytest.raises(EndpointLookupError, match=r'2 implementations.*New.*Legacy'):
        find_endpoint_class(charm_dir, 'foo', 'requires')


def test_two_unrelated_classes_in_one_file_are_an_error(charm_dir: Path) -> None:
    path = charm_dir / 'interfaces' / 'bar' / 'provides.py'
    path.parent.mkdir(parents=True)
    path.write_text('from reactops import Endpoint\n'
                    'class A(Endpoint): pass\nclass B(Endpoint): pass\n')
    with pytest.raises(EndpointLookupError, match=r'interfaces/bar/provides.py.*A, B'):
        find_endpoint_class(charm_dir, 'bar', 'provides')


def test_an_entry_point_that_is_no_endpoint_is_an_error(charm_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / 'site').mkdir()
    install_entry_point(tmp_path / 'site', 'baz.requires', 'eplayer:NotEndpoint')
    monkeypatch.syspath_prepend(str(tmp_path / 'site'))
    with pytest.raises(EndpointLookupError, match='eplayer:NotEndpoint.*not an Endpoint'):
        find_endpoint_class(charm_dir, 'baz', 'requires')
