"""Every public name of charms.reactive 1.5.3 and of charmhelpers 1.2.1's ``hookenv`` and
``unitdata`` exists under reactops' legacy shim.

The names are the checked-in lists in ``tests/legacy_names/`` (made from the real packages
by ``make_lists.py``; ``tests/compat/test_compat_names.py`` checks they still match). A
``Class.attr`` line is looked up on the class, or, for an attribute each instance sets
itself, on an instance made by :data:`INSTANCES`. A name reactops refuses on purpose is
in :data:`REFUSED`: it exists, and calling it raises a clear error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import reactops.legacy
from reactops.legacy import LegacyError

NAMES_DIR = Path(__file__).resolve().parent / 'legacy_names'
MODULES = sorted(path.stem for path in NAMES_DIR.glob('*.txt'))

#: (module, name) -> why reactops refuses it, a call that shows it, and what its error
#: says to do instead.
REFUSED: dict[tuple[str, str], tuple[str, Callable[[Any], Any], str]] = {
    ('charms.reactive.bus', 'discover'): (
        'reactops.legacy.main() discovers the handlers itself', lambda f: f(),
        r'call reactops\.legacy\.main\(\)'),
    ('charms.reactive.bus', 'dispatch'): (
        'reactops.legacy.main() runs the dispatch itself', lambda f: f(),
        r'call reactops\.legacy\.main\(\)'),
    ('charms.reactive.cli', 'render_template'): (
        "it renders with charmhelpers' templating and Jinja2, which reactops does not ship",
        lambda f: f('x.j2', 'x'), 'pack charmhelpers and jinja2'),
}


def _instances() -> dict[tuple[str, str], Callable[[], Any]]:
    """(module, class) -> a factory of an instance, for attributes set per instance."""
    from charmhelpers.core import hookenv, unitdata
    from charms.reactive import endpoints, relations

    from reactops.reactive import ReactiveRuntime, activate

    def hook_data() -> Any:
        with activate(ReactiveRuntime()):
            return unitdata.HookData()

    return {
        ('charmhelpers.core.hookenv', 'Config'): lambda: hookenv.Config({'port': 80}),
        ('charmhelpers.core.hookenv', 'Serializable'): lambda: hookenv.Serializable({}),
        ('charmhelpers.core.unitdata', 'HookData'): hook_data,
        ('charmhelpers.core.unitdata', 'Storage'): lambda: unitdata.Storage(':memory:'),
        ('charms.reactive.relations', 'Conversation'):
            lambda: relations.Conversation('db:1', ['pg/0'], 'pg/0'),
        ('charms.reactive.endpoints', 'RelatedUnit'):
            lambda: endpoints.RelatedUnit(None, 'pg/0'),
        ('charms.reactive.endpoints', 'Relation'): lambda: endpoints.Relation(None, None),
        ('charms.reactive.endpoints', 'UnitDataView'):
            lambda: endpoints.UnitDataView({}, owner='a test bag'),
        ('charms.reactive.endpoints', 'JSONUnitDataView'):
            lambda: endpoints.JSONUnitDataView(endpoints.UnitDataView({}, owner='a bag')),
    }


@pytest.fixture
def shim() -> Iterator[None]:
    reactops.legacy.install()
    yield
    reactops.legacy.uninstall()


def _lines(module: str) -> list[str]:
    return (NAMES_DIR / f'{module}.txt').read_text().splitlines()


def test_the_lists_cover_every_module_the_shim_answers_for() -> None:
    assert MODULES == [
        'charmhelpers.core.hookenv', 'charmhelpers.core.unitdata', 'charms.reactive',
        'charms.reactive.bus', 'charms.reactive.cli', 'charms.reactive.decorators',
        'charms.reactive.endpoints', 'charms.reactive.flags', 'charms.reactive.helpers',
        'charms.reactive.patterns.request_response', 'charms.reactive.relations',
        'charms.reactive.trace']
    assert len([n for n in _lines('charmhelpers.core.hookenv') if '.' not in n]) == 107


def _missing(module_name: str, line: str, instances: dict[tuple[str, str], Any]) -> str | None:
    """Why *line* of *module_name* is not there, or None when it is."""
    module = importlib.import_module(module_name)
    owner, _, attribute = line.partition('.')
    try:
        value = getattr(module, owner)
    except AttributeError as error:
        return f'{line}: {error}'
    if not attribute or hasattr(value, attribute):
        return None
    factory = instances.get((module_name, owner))
    if factory is None:
        return f'{line}: not on the class, and no instance to look on (add one to INSTANCES)'
    instance = factory()
    try:
        getattr(instance, attribute)
    except AttributeError as error:
        return f'{line}: not on the class nor on an instance ({error})'
    finally:
        if owner == 'Storage':
            instance.close()
    return None


@pytest.mark.parametrize('module', MODULES)
def test_every_listed_name_exists(shim: None, module: str) -> None:
    instances = _instances()
    missing = [why for line in _lines(module)
               if (why := _missing(module, line, instances)) is not None]
    assert missing == [], f'{module}: {len(missing)} names missing:\n' + '\n'.join(missing)


@pytest.mark.parametrize(('module', 'name'), sorted(REFUSED))
def test_a_refused_name_exists_and_says_what_to_do(shim: None, module: str, name: str) -> None:
    assert name in _lines(module)
    function = getattr(importlib.import_module(module), name)
    _why, call, advice = REFUSED[module, name]
    with pytest.raises(LegacyError, match=advice):
        call(function)
