"""The import shim: legacy module names resolve to reactops only once installed, every
top-level name of charms.reactive 1.5.3 is there, and a charm's ``lib/charms`` libraries
still import next to it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import reactops.legacy
from reactops.legacy import UnsupportedLegacyAPIError

REPO = Path(__file__).resolve().parents[1]

# ``dir(charms.reactive)`` of 1.5.3 (reference §1.6), without its incidental imports.
CHARMS_REACTIVE_NAMES = (
    'BaseRequest', 'BaseResponse', 'Endpoint', 'Field', 'RelationBase', 'RequesterEndpoint',
    'ResponderEndpoint', 'all_flags_set', 'all_states', 'any_file_changed', 'any_flags_set',
    'any_states', 'clear_flag', 'collect_metrics', 'data_changed', 'endpoint_from_flag',
    'endpoint_from_name', 'get_flags', 'get_states', 'get_unset_flags', 'hook',
    'is_data_changed', 'is_flag_set', 'is_state', 'main', 'meter_status_changed',
    'not_unless', 'only_once', 'register_trigger', 'relation_from_flag',
    'relation_from_state', 'remove_state', 'scopes', 'set_flag', 'set_state', 'toggle_flag',
    'toggle_state', 'when', 'when_all', 'when_any', 'when_file_changed', 'when_none',
    'when_not', 'when_not_all', 'bus', 'decorators', 'endpoints', 'flags', 'helpers',
    'relations', 'trace', 'patterns', 'hookenv', 'unitdata',
)


@pytest.fixture
def shim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shim installed, with a charm ``lib/`` holding layer libraries on sys.path."""
    lib = tmp_path / 'lib'
    (lib / 'charms' / 'layer').mkdir(parents=True)
    (lib / 'charms' / 'apt.py').write_text('QUEUED = []\n')
    (lib / 'charms' / 'layer' / 'status.py').write_text(textwrap.dedent("""
        from charms.reactive import set_flag
        def blocked(message):
            return ('blocked', message)
    """))
    (tmp_path / 'layer.yaml').write_text('options:\n  basic: {use_venv: true}\n'
                                         '  mine: {colour: blue}\n')
    monkeypatch.syspath_prepend(str(lib))
    monkeypatch.setenv('CHARM_DIR', str(tmp_path))
    monkeypatch.delenv('JUJU_CHARM_DIR', raising=False)
    reactops.legacy.install()
    try:
        yield tmp_path
    finally:
        reactops.legacy.uninstall()


def test_a_plain_import_of_reactops_installs_nothing() -> None:
    code = ('import sys, reactops, reactops.reactive, reactops.legacy; '
            'import importlib.util as u; '
            'print(any(k.startswith(("charms", "charmhelpers")) for k in sys.modules), '
            'reactops.legacy.is_installed())')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout.split()
    assert out == ['False', 'False']


def test_every_top_level_name_of_charms_reactive_is_provided(shim: Path) -> None:
    import charms.reactive

    missing = [name for name in CHARMS_REACTIVE_NAMES if not hasattr(charms.reactive, name)]
    assert missing == []
    from reactops.reactive import flags

    assert charms.reactive.set_flag is flags.set_flag  # reactops' own functions


def test_the_submodules_and_the_deprecated_aliases_import(shim: Path) -> None:
    from charms.reactive import bus, decorators, endpoints, helpers, relations
    from charms.reactive.flags import State, StateList, _get_flag_value

    assert callable(bus.set_state) and callable(bus.get_states) and bus.State is State
    assert callable(helpers.is_state) and callable(helpers.toggle_state)
    assert callable(helpers.any_hook) and callable(helpers.data_changed)
    assert decorators.when is endpoints.Endpoint.__dict__ or callable(decorators.when)
    assert relations.RelationBase.__name__ == 'RelationBase' and StateList and _get_flag_value


def test_the_charms_namespace_stays_open_for_the_charms_lib(shim: Path) -> None:
    import charms.apt
    import charms.layer
    from charms.layer import basic, options, status

    assert charms.apt.QUEUED == []
    assert status.blocked('no db') == ('blocked', 'no db')
    assert options.get('mine', 'colour') == 'blue'
    assert options.get('basic') == {'use_venv': True}
    assert options.get('nope', 'x') is None
    basic.bootstrap_charm_deps()  # nothing to install: dependencies are packed
    charms.layer.import_layer_libs()
    assert 'charms.layer.status' in sys.modules


def test_a_name_the_shim_lacks_says_what_to_do(shim: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from charmhelpers.core import hookenv

    monkeypatch.setattr(hookenv, '_REAL', [None])  # no charmhelpers packed with the charm

    with pytest.raises(UnsupportedLegacyAPIError, match='port-check'):
        hookenv.relation_gett  # noqa: B018 - the lookup is the test
    assert not hasattr(hookenv, 'Hookz')  # still an AttributeError for hasattr()
    from charms.reactive import bus

    with pytest.raises(reactops.legacy.LegacyError, match='reactops.legacy.main'):
        bus.dispatch()


def test_modules_of_the_real_packages_imported_before_are_replaced(shim: Path) -> None:
    reactops.legacy.uninstall()
    fake = type(sys)('charms.reactive')
    sys.modules['charms.reactive'] = fake
    reactops.legacy.install()
    import charms.reactive

    assert charms.reactive is not fake and hasattr(charms.reactive, 'when')
