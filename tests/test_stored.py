"""StoredState: persistent attributes, saved only when the dispatch commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops.framework import Framework, Object, StoredDict, StoredList, StoredSet, StoredState
from reactops.storage import SQLiteStorage


class Charm(Object):
    _stored = StoredState()

    def __init__(self, framework: Framework):
        super().__init__(framework, None)


def open_charm(path: Path) -> tuple[Framework, Charm]:
    framework = Framework(SQLiteStorage(path), None, None, None)
    return framework, Charm(framework)

@pytest.fixture
def framework() -> Framework:
    """A framework over an in-memory store, for tests of one dispatch."""
    return Framework(SQLiteStorage(':memory:'), None, None, None)



def test_stored_values_persist_only_when_the_dispatch_commits(tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    framework, charm = open_charm(path)
    charm._stored.port = 8080
    framework.close()  # no commit

    framework, charm = open_charm(path)
    assert not hasattr(charm._stored, 'port')
    charm._stored.port = 8080
    framework.commit()
    framework.close()

    framework, charm = open_charm(path)
    assert charm._stored.port == 8080
    framework.close()


def test_stored_state_lives_at_the_ops_handle_path(framework: Framework) -> None:
    charm = Charm(framework)
    charm._stored.x = 1
    framework.commit()
    assert framework._storage.load_snapshot('Charm/StoredStateData[_stored]') == {'x': 1}


def test_every_allowed_type_round_trips(tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    values = {
        'none': None, 'flag': True, 'count': 3, 'ratio': 0.5, 'name': 'x', 'raw': b'\x00\xff',
        'items': [1, [2]], 'pair': (1, 'a'), 'map': {'a': {'b': 1}, 1: 'int key'},
        'tags': {'a', 'b'}, 'frozen': frozenset({1}),
    }
    framework, charm = open_charm(path)
    for key, value in values.items():
        setattr(charm._stored, key, value)
    framework.commit()
    framework.close()

    framework, charm = open_charm(path)
    for key, value in values.items():
        loaded = getattr(charm._stored, key)
        assert loaded == value, key
        if isinstance(value, (tuple, frozenset, bytes)):
            assert type(loaded) is type(value)
    framework.close()


def test_containers_come_back_wrapped_and_in_place_changes_are_saved(tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    framework, charm = open_charm(path)
    charm._stored.set_default(peers={}, ports=[], names=set())
    framework.commit()
    framework.close()

    framework, charm = open_charm(path)
    assert isinstance(charm._stored.peers, StoredDict)
    assert isinstance(charm._stored.ports, StoredList)
    assert isinstance(charm._stored.names, StoredSet)
    charm._stored.peers['a'] = {'addr': '10.0.0.1'}
    charm._stored.peers['a']['zone'] = 'z1'  # nested dicts are wrapped too
    charm._stored.ports.append(80)
    charm._stored.ports.extend([443, 8080])
    charm._stored.ports.remove(8080)
    charm._stored.names.add('x')
    charm._stored.names |= {'y'}
    framework.commit()
    framework.close()

    framework, charm = open_charm(path)
    assert charm._stored.peers == {'a': {'addr': '10.0.0.1', 'zone': 'z1'}}
    assert charm._stored.ports == [80, 443]
    assert charm._stored.ports < [80, 444]
    assert charm._stored.names == {'x', 'y'}
    framework.close()


def test_an_unchanged_stored_state_is_not_rewritten(framework: Framework) -> None:
    charm = Charm(framework)
    charm._stored.x = 1
    framework.commit()
    framework._storage.save_snapshot('Charm/StoredStateData[_stored]', {'x': 'sentinel'})
    framework.commit()  # nothing changed since: the store keeps what is there
    assert framework._storage.load_snapshot('Charm/StoredStateData[_stored]') == {
        'x': 'sentinel'}


def test_set_default_only_fills_missing_attributes(framework: Framework) -> None:
    charm = Charm(framework)
    charm._stored.a = 1
    charm._stored.set_default(a=2, b=3)
    assert (charm._stored.a, charm._stored.b) == (1, 3)


def test_unset_attribute_and_bad_values_raise_clearly(framework: Framework) -> None:
    charm = Charm(framework)
    with pytest.raises(AttributeError, match="attribute 'missing' is not stored"):
        _ = charm._stored.missing
    with pytest.raises(AttributeError, match=r"attribute 'thing' cannot be a object"):
        charm._stored.thing = object()
    with pytest.raises(ValueError, match=r"Charm/StoredStateData\[_stored\]\.data.*\['when'\]"):
        charm._stored.data = {'when': object()}
    with pytest.raises(ValueError, match='cannot store'):
        charm._stored.set_default(items=[])
        charm._stored.items.append(object())
    with pytest.raises(AttributeError, match='reserved'):
        charm._stored.on = 1
    with pytest.raises(AttributeError, match='reserved'):
        _ = charm._stored.on


def test_one_stored_state_cannot_serve_two_classes_or_names(framework: Framework) -> None:
    # As in ops, the sharing is found on first use from an instance, not at class creation.
    shared = StoredState()

    class First(Object):
        state = shared

    class Second(Object):
        other = shared

    First(framework, None).state.x = 1
    second = Second(framework, None)
    with pytest.raises(RuntimeError, match='StoredState shared by First and Second'):
        second.other.x = 2
    assert 'other' not in second.__dict__

    class Twice(Object):
        one = StoredState()
        two = one

    with pytest.raises(RuntimeError, match='StoredState shared by Twice.one and Twice.two'):
        Twice(framework, None).one.x = 1


def test_stored_state_is_per_instance_and_inherited(framework: Framework) -> None:
    class Base(Object):
        _stored = StoredState()

    class Child(Base):
        pass

    one, two = Child(framework, 'one'), Child(framework, 'two')
    one._stored.x = 1
    two._stored.x = 2
    assert (one._stored.x, two._stored.x) == (1, 2)
    assert one._stored is one._stored
