"""An interface layer from an installed package, used by a charm running as real processes.

``examples/interface-redis`` is a third-party package declaring its classes in the entry
point group ``reactops.interfaces``; CI installs it beside reactops (see ``.ci/run``).
The test charm only names the interface in its metadata, as a charm author would.
"""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from charmrun import CharmUnit

CHARM = Path(__file__).resolve().parent / 'charms' / 'redis_client'
RELATION = {'JUJU_RELATION': 'cache', 'JUJU_RELATION_ID': 'cache:3',
            'JUJU_REMOTE_UNIT': 'redis/0', 'JUJU_REMOTE_APP': 'redis'}


@pytest.fixture(scope='module', autouse=True)
def _installed() -> None:
    try:
        importlib.metadata.distribution('reactops-interface-redis')
    except importlib.metadata.PackageNotFoundError:
        pytest.fail('the example interface package is not installed: run '
                    '`pip install ./examples/interface-redis` (as .ci/run does)')


@pytest.fixture
def unit(tmp_path: Path) -> CharmUnit:
    unit = CharmUnit(tmp_path, CHARM, 'cache-user/0')
    unit.juju.add_relation('cache', 3, 'redis', ['redis/0'],
                           data={'redis/0': {'host': '10.0.0.7', 'port': '6379'},
                                 'redis': {'password': 'pw'}})
    return unit


def test_the_installed_package_serves_the_endpoint(unit: CharmUnit) -> None:
    unit.ok('hooks/cache-relation-changed', **RELATION)
    flags = unit.flags()
    assert {'cache.connected', 'cache.available', 'endpoint.cache.joined'} <= set(flags)
    assert flag_value(unit, 'test.class') == 'reactops_redis.RedisRequires'
    assert flag_value(unit, 'test.uris') == ['redis://:pw@10.0.0.7:6379']
    status = [argv for argv in unit.tools() if argv[0] == 'status-set']
    assert status == [['status-set', '--application=false', 'active', '--', 'using 10.0.0.7']]


def flag_value(unit: CharmUnit, flag: str) -> Any:
    with sqlite3.connect(unit.state_file) as db:
        (data,) = db.execute('SELECT data FROM kv WHERE key = ?',
                             (f'reactive.states.{flag}',)).fetchone()
    return json.loads(data)
