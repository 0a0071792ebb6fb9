"""reactops.testing.Harness behaves as ops' Harness where ops tests rely on it: one model
kept up to date, ops' metadata lookup and errors, and the action and exec result types
shared with Context (the in-memory Pebble: ``test_testing_harness_pebble.py``)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

import reactops
from reactops._private import harness as private_harness
from reactops.testing import ActionFailed, ExecResult, Harness

META = """
    name: shop
    requires:
      db: {interface: pgsql}
    resources:
      image: {type: oci-image}
      blob: {type: file, filename: blob.bin}
"""


class ShopCharm(reactops.CharmBase):
    """Takes what the tests send it; records nothing."""


@pytest.fixture
def harness() -> Any:
    h: Harness[ShopCharm] = Harness(ShopCharm, meta=META)
    yield h
    h.cleanup()


def test_model_objects_kept_by_the_test_see_later_changes(harness: Any) -> None:
    harness.begin()
    relation_id = harness.add_relation('db', 'postgresql')
    relation = harness.model.get_relation('db')
    bag = relation.data[harness.charm.unit]
    bag['mine'] = 'written by charm code between events'
    harness.update_relation_data(relation_id, 'shop/0', {'theirs': 'written by Juju'})
    assert dict(bag) == {'mine': 'written by charm code between events',
                         'theirs': 'written by Juju'}
    harness.add_relation_unit(relation_id, 'postgresql/0')
    assert [unit.name for unit in relation.units] == ['postgresql/0']
    assert harness.model is harness.charm.model  # one model, as in ops


def test_metadata_and_config_are_checked_as_ops_checks_them() -> None:
    with pytest.raises(TypeError):
        Harness(ShopCharm, config='')  # not a mapping
    with pytest.raises(RuntimeError, match='declares no type'):
        Harness(ShopCharm, config='options: {a: {default: 1}}')
    with pytest.raises(RuntimeError, match='type must be one of'):
        Harness(ShopCharm, config='options: {a: {type: colour, default: red}}')
    with pytest.raises(RuntimeError, match='is of type boolean, not str'):
        Harness(ShopCharm, config='options: {a: {type: boolean, default: "no"}}')


def test_oci_and_file_resources(harness: Any) -> None:
    with pytest.raises(reactops.ModelError, match='resource#shop/blob not found'):
        harness.model.resources.fetch('blob')  # declared, but the test gave no content
    harness.populate_oci_resources()
    harness.add_resource('blob', b'\x01\x02')
    image = harness.model.resources.fetch('image')
    assert yaml.safe_load(image.read_text())['registrypath'] == 'registrypath'
    assert harness.model.resources.fetch('blob').read_bytes() == b'\x01\x02'
    with pytest.raises(RuntimeError, match='not an OCI image'):
        harness.add_oci_resource('blob')


def test_the_cloud_spec_is_what_the_test_set(harness: Any) -> None:
    with pytest.raises(reactops.ModelError, match='set_cloud_spec'):
        harness.model.get_cloud_spec()
    spec = reactops.CloudSpec.from_dict({'type': 'lxd', 'name': 'localhost',
                                        'credential': {'auth-type': 'certificate',
                                                       'attrs': {'client-cert': 'c'}}})
    harness.set_cloud_spec(spec)
    assert harness.model.get_cloud_spec() == spec


def test_action_failures_and_exec_results_are_the_ops_testing_types() -> None:
    assert private_harness.ActionFailed is ActionFailed
    failure = ActionFailed('broken')
    assert (failure.message, failure.output.logs, failure.state) == ('broken', [], None)
    assert str(ActionFailed('')) != ''
    assert ExecResult() == ExecResult(exit_code=0, stdout=b'', stderr=b'')

