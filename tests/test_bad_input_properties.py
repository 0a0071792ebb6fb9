"""Property-based sweeps (hypothesis) of what charm authors and Juju can feed reactops:
stored values round-trip through the state store's JSON or are refused by name; any
non-empty string is a flag name that persists, anything else is refused; endpoint data
views publish what they can read back and refuse the rest; charm YAML of any shape parses
or raises MetadataError (never a TypeError from deep inside)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactops._private import codec as _codec
from reactops.errors import (
    HandlerDefinitionError,
    MetadataError,
    RelationDataTypeError,
    SnapshotEncodingError,
)
from reactops.meta import CharmMeta
from reactops.reactive import ReactiveRuntime, activate, get_flag_value, get_flags, set_flag
from reactops.reactive._endpoint_views import (
    EndpointDataWriteError,
    JSONUnitDataView,
    UnitDataView,
)
from reactops.storage import SQLiteStorage

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                     st.floats(allow_nan=False))
_KEYS = st.one_of(st.text(), st.integers(), st.booleans(), st.none(),
                  st.tuples(st.integers(), st.text()))
STORABLE = st.recursive(
    st.one_of(_SCALARS, st.binary(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=3),
        st.frozensets(st.integers(), max_size=3), st.sets(st.text(max_size=3), max_size=3)),
    max_leaves=12)
JSON = st.recursive(_SCALARS.filter(lambda v: not (isinstance(v, float) and math.isinf(v))),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.text(max_size=6), inner,
                                                            max_size=4)), max_leaves=10)
UNSTORABLE = st.sampled_from([object(), len, range(3), 1j, Path('/x'), Ellipsis])
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (True is not 1, a tuple not a list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(v, b[k]) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@FAST
@given(STORABLE)
def test_every_storable_value_round_trips_through_the_store(value: Any) -> None:
    store = SQLiteStorage(':memory:')
    store.kv_set('k', value)
    store.save_snapshot('Charm/StoredStateData[_s]', {'v': value})
    assert same(store.kv_get('k'), value)
    assert same(store.load_snapshot('Charm/StoredStateData[_s]'), {'v': value})
    store.close()


@FAST
@given(STORABLE, UNSTORABLE, st.text(max_size=5))
def test_a_value_that_cannot_be_stored_is_refused_by_path(value: Any, bad: object,
                                                          key: str) -> None:
    with pytest.raises(SnapshotEncodingError, match='kv key'):
        _codec.encode({'ok': value, key: [bad]}, where='kv key')


@FAST
@given(names=st.lists(st.text(min_size=1), min_size=1, max_size=5, unique=True),
       value=JSON)
def test_any_nonempty_string_is_a_flag_name_that_persists(
        tmp_path_factory: pytest.TempPathFactory, names: list[str], value: Any) -> None:
    path = tmp_path_factory.mktemp('flags') / '.unit-state.db'
    store = SQLiteStorage(path)
    with activate(ReactiveRuntime(store)):
        for name in names:
            set_flag(name, value)
    store.commit()
    store.close()
    store = SQLiteStorage(path)
    with activate(ReactiveRuntime(store)):
        assert get_flags() == sorted(names)
        assert all(same(get_flag_value(name), value) for name in names)
    store.close()


@FAST
@given(st.one_of(st.just(''), st.integers(), st.none(), st.binary(), st.lists(st.text())),
       UNSTORABLE)
def test_a_flag_name_or_value_that_cannot_be_stored_is_refused(name: object,
                                                               bad: object) -> None:
    with activate(ReactiveRuntime(SQLiteStorage(':memory:'))):
        with pytest.raises(HandlerDefinitionError, match='flag name must be a non-empty'):
            set_flag(name)  # type: ignore[arg-type]
        with pytest.raises(SnapshotEncodingError, match="flag 'f'"):
            set_flag('f', {'nested': [bad]})
        assert get_flags() == []


@FAST
@given(st.dictionaries(st.text(), JSON, max_size=5))
def test_the_json_view_reads_back_what_it_published(data: dict[str, Any]) -> None:
    bag: dict[str, str] = {}
    view = JSONUnitDataView(UnitDataView(bag, owner='demo/0', writeable=True))
    view.update(data)
    assert all(isinstance(v, str) for v in bag.values())  # Juju stores strings only
    for key, value in data.items():
        assert view[key] == value


@FAST
@given(st.text(), st.one_of(UNSTORABLE, st.just(math.nan), st.just(math.inf),
                            st.builds(lambda b: {'k': b}, UNSTORABLE)))
def test_the_json_view_refuses_what_standard_json_cannot_carry(key: str, value: object) -> None:
    view = JSONUnitDataView(UnitDataView({}, owner='demo/0', writeable=True))
    with pytest.raises(RelationDataTypeError, match='cannot publish'):
        view[key] = value


@FAST
@given(st.dictionaries(st.text(), st.text()), st.text(), st.one_of(UNSTORABLE, st.lists(
    st.text(), min_size=1)))
def test_the_raw_view_keeps_strings_and_refuses_structures(data: dict[str, str], key: str,
                                                           bad: object) -> None:
    bag: dict[str, str] = {}
    view = UnitDataView(bag, owner='demo/0', writeable=True)
    view.update(data)
    assert bag == data
    with pytest.raises(RelationDataTypeError, match='relation data values are strings'):
        view[key] = bad
    assert bag == data
    remote = UnitDataView(dict(data), owner='pg/0')
    with pytest.raises(EndpointDataWriteError, match='read-only'):
        remote[key] = 'x'


_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=4),
                  st.sampled_from(['pgsql', '0-', '1-3', 'file', 'block', 'string', 'int',
                                   'secret', 'boolean', 'container', 'true']))
_WORDS = st.sampled_from(['interface', 'type', 'range', 'multiple', 'scope', 'limit',
                          'params', 'required', 'default', 'options', 'location', 'bases',
                          'name', 'channel', 'resource', 'mounts', 'storage', 'optional'])
_YAML_VALUE = st.recursive(_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(_WORDS, st.text(max_size=3)), inner, max_size=3)),
    max_leaves=8)
_META_KEYS = st.sampled_from([
    'name', 'summary', 'description', 'requires', 'provides', 'peers', 'storage',
    'resources', 'containers', 'extra-bindings', 'subordinate', 'series', 'assumes',
    'maintainers', 'links', 'terms', 'payloads', 'devices', 'charm-user', 'config',
    'actions', 'type'])


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_META_KEYS, _YAML_VALUE, max_size=4), _YAML_VALUE, _YAML_VALUE)
def test_charm_yaml_of_any_shape_parses_or_names_the_problem(
        meta: dict[str, Any], config: Any, actions: Any) -> None:
    meta.setdefault('name', 'x')
    attempts: list[Callable[[], object]] = [
        lambda: CharmMeta.from_yaml(yaml.safe_dump(meta)),
        lambda: CharmMeta.from_yaml('name: x', config=yaml.safe_dump({'options': config})),
        lambda: CharmMeta.from_yaml('name: x', config=yaml.safe_dump(config)),
        lambda: CharmMeta.from_yaml('name: x', actions=yaml.safe_dump(actions)),
        lambda: CharmMeta.from_yaml('name: x', actions=yaml.safe_dump({'a': actions})),
    ]
    for attempt in attempts:
        try:
            attempt()
        except MetadataError:
            pass
