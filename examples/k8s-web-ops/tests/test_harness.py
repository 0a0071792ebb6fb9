"""Kubernetes web (ops style) under the Harness: one charm instance driven event by event,
with an in-memory Pebble per container. Like test_charm.py, these run on ops as well."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops import ActiveStatus, WaitingStatus, testing

CHARM_DIR = Path(__file__).resolve().parents[1]
# The Harness is deprecated, in ops as in reactops; it still serves existing test suites.
pytestmark = pytest.mark.filterwarnings('ignore::PendingDeprecationWarning')


def charm_class() -> Any:
    spec = importlib.util.spec_from_file_location('k8s_web_ops_charm',
                                                  CHARM_DIR / 'src' / 'charm.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the Harness finds charmcraft.yaml from the class's file
    spec.loader.exec_module(module)
    return module.K8sWebCharm


@pytest.fixture
def harness() -> Iterator[testing.Harness[Any]]:
    harness = testing.Harness(charm_class())
    harness.begin()
    yield harness
    harness.cleanup()


def test_pebble_ready_starts_the_server(harness: testing.Harness[Any]) -> None:
    harness.container_pebble_ready('web')  # also lets the charm connect to the container
    plan = harness.get_container_pebble_plan('web')
    assert plan.services['web'].command == 'python3 -m http.server 8080 --directory /srv/www'
    assert harness.model.unit.get_container('web').get_service('web').is_running()
    page = harness.get_filesystem_root('web') / 'srv' / 'www' / 'index.html'
    assert page.read_text() == '<h1>hello</h1>\n'
    assert harness.model.unit.status == ActiveStatus('serving on :8080')


def test_a_config_change_waits_for_pebble(harness: testing.Harness[Any]) -> None:
    harness.set_can_connect('web', False)
    harness.update_config({'greeting': 'hi'})
    assert harness.model.unit.status == WaitingStatus('waiting for Pebble in the web container')
    harness.container_pebble_ready('web')
    page = harness.get_filesystem_root('web') / 'srv' / 'www' / 'index.html'
    assert page.read_text() == '<h1>hi</h1>\n'


def test_the_action_reports_the_version(harness: testing.Harness[Any]) -> None:
    harness.set_can_connect('web', True)
    harness.handle_exec('web', ['python3', '--version'], result='Python 3.12.4\n')
    output = harness.run_action('python-version')
    assert output.results == {'version': '3.12.4'}
    assert harness.get_workload_version() == '3.12.4'
