from __future__ import annotations

import pytest

from reactops import jujucontext
from reactops.jujuversion import JujuVersion

# -- JujuVersion -------------------------------------------------------------------------


@pytest.mark.parametrize(('text', 'parts'), [
    ('2.9.44', (2, 9, '', 44, 0)),
    ('3.6.1', (3, 6, '', 1, 0)),
    ('3.1-beta1', (3, 1, 'beta', 1, 0)),
    ('2.9.1.1', (2, 9, '', 1, 1)),
    ('2.9-rc2.3', (2, 9, 'rc', 2, 3)),
    ('3.0', (3, 0, '', 0, 0)),
])
def test_version_parses_juju_forms(text: str, parts: tuple[object, ...]) -> None:
    version = JujuVersion(text)
    assert (version.major, version.minor, version.tag, version.patch, version.build) == parts


@pytest.mark.parametrize('text', ['', 'three', '3', '3.6.1-', '3.6.x', 'v3.6.1', '3.6.1.2.3'])
def test_version_rejects_what_is_not_a_version(text: str) -> None:
    with pytest.raises(RuntimeError, match='not a valid Juju version'):
        JujuVersion(text)


@pytest.mark.parametrize(('text', 'shown'), [
    ('3.6.1', '3.6.1'), ('3.0', '3.0.0'), ('3.1-beta1', '3.1-beta1'), ('2.9.1.1', '2.9.1.1')])
def test_version_prints_back(text: str, shown: str) -> None:
    assert str(JujuVersion(text)) == shown
    assert repr(JujuVersion(text)) == shown  # as ops shows it


def test_versions_order_with_prereleases_before_the_release() -> None:
    ordered = ['2.7.0', '2.9-beta1', '2.9-rc1', '2.9.0', '2.9.0.1', '2.9.44', '3.1-beta1',
               '3.1.0', '3.6.1', '10.0.0']
    versions = [JujuVersion(v) for v in ordered]
    assert sorted(reversed(versions)) == versions
    for low, high in zip(versions, versions[1:], strict=False):
        assert low < high and high > low and low != high


def test_versions_compare_with_strings_both_ways() -> None:
    version = JujuVersion('3.6.1')
    assert version == '3.6.1' and version != '3.6.2'
    assert version < '3.7' and version >= '3.6.1' and version > '3.6-rc9'
    assert '3.7.0' > version and '3.6.0' < version
    assert hash(version) == hash(JujuVersion('3.6.1.0'))
    with pytest.raises(RuntimeError, match='cannot compare'):
        _ = version == 3


def test_the_context_module_still_offers_the_version_class() -> None:
    assert jujucontext.JujuVersion is JujuVersion


def test_version_from_environ_is_deprecated_and_defaults_to_zero(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('JUJU_VERSION', raising=False)
    with pytest.deprecated_call():
        assert JujuVersion.from_environ() == '0.0.0'
    monkeypatch.setenv('JUJU_VERSION', '2.9.44')
    with pytest.deprecated_call():
        assert JujuVersion.from_environ() == '2.9.44'


@pytest.mark.parametrize(('text', 'app_data', 'dispatch', 'secrets', 'exec_context'), [
    ('2.6.9', False, False, False, False),
    ('2.7.0', True, False, False, False),
    ('2.8.0', True, True, False, False),
    ('3.0.2', True, True, False, False),
    ('3.0-beta3', True, True, True, False),  # as ops: major.minor.patch only, tag ignored
    ('3.0.3', True, True, True, False),
    ('3.1.5', True, True, True, False),
    ('3.1.6', True, True, True, True),
    ('3.2.0', True, True, True, False),
    ('3.2.2', True, True, True, True),
    ('3.6.1', True, True, True, True),
])
def test_version_features(text: str, app_data: bool, dispatch: bool, secrets: bool,
                          exec_context: bool) -> None:
    version = JujuVersion(text)
    assert version.has_app_data() is app_data
    assert version.is_dispatch_aware() is dispatch
    assert version.has_controller_storage() is dispatch
    assert version.has_secrets is secrets
    assert version.supports_open_port_on_k8s is secrets
    assert version.supports_exec_service_context is exec_context
