"""A charm using a built-in interface layer pays nothing for finding and loading it.

Issue 21: the endpoint class lookup used to import ``importlib.metadata`` (email, zipfile,
csv: 20-35 ms) on every hook, and the built-in layers ``dataclasses`` and ``inspect``.
These guards count modules, never time; ``bench/`` has the timings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from charmrun import REPO, CharmUnit

from reactops._private.record import dataclass, field

# What the lookup and the layers must not bring into a hook.
KEPT_OUT = {'importlib.metadata', 'email', 'zipfile', 'csv', 'dataclasses', 'inspect',
            'typing'}


def _imported(stderr: str) -> set[str]:
    return {line.rsplit('|', 1)[-1].strip() for line in stderr.splitlines()
            if line.startswith('import time:')}


@pytest.fixture
def webapp(tmp_path: Path) -> CharmUnit:
    """The reactive web app example: a `database` endpoint of the built-in pgsql layer."""
    unit = CharmUnit(tmp_path / 'unit', REPO / 'examples' / 'reactive-webapp', 'webapp/0',
                     config={'port': 8080, 'motd': ''})
    unit.juju.add_relation('database', 3, 'postgresql', ['postgresql/0'], data={
        'postgresql/0': {'master': 'host=10.0.0.9 port=5432 dbname=webapp user=u password=p',
                         'database': 'webapp', 'allowed-units': 'webapp/0'}})
    return unit


def test_a_hook_of_a_charm_with_a_built_in_layer_loads_no_metadata_machinery(
        webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')  # the first hook parses the metadata; later ones are quiet
    result = webapp.run('hooks/update-status', PYTHONPROFILEIMPORTTIME='1')
    assert result.returncode == 0, result.stderr
    imported = _imported(result.stderr)
    assert 'reactops.layers.pgsql' in imported  # the layer was found and loaded ...
    assert 'reactops.reactive._entry_points' in imported  # ... after installed ones were read
    assert not imported & KEPT_OUT


def test_a_relation_hook_of_the_layer_reads_the_server_answer(webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')
    result = webapp.run('hooks/database-relation-changed', PYTHONPROFILEIMPORTTIME='1',
                        JUJU_RELATION='database', JUJU_RELATION_ID='database:3',
                        JUJU_REMOTE_UNIT='postgresql/0', JUJU_REMOTE_APP='postgresql')
    assert result.returncode == 0, result.stderr
    assert 'database.master.available' in webapp.flags()
    assert not _imported(result.stderr) & KEPT_OUT


# -- records with fields left out of equality (what the layers' values use) ---------------


@dataclass(frozen=True)
class Request:
    relation: object = field(compare=False)
    database: str
    roles: tuple[str, ...] = ()


def test_a_field_left_out_of_comparison_is_still_required_shown_and_kept() -> None:
    one, other = Request('rel-1', 'app'), Request(relation='rel-2', database='app')
    assert one == other and hash(one) == hash(other)
    assert one != Request('rel-1', 'other')
    assert one.relation == 'rel-1'
    assert repr(one) == "Request(relation='rel-1', database='app', roles=())"
    with pytest.raises(TypeError, match="missing required argument.*'relation'"):
        Request(database='app')  # type: ignore[call-arg]


def test_the_layers_values_compare_as_their_dataclasses_did() -> None:
    from reactops.layers.mysql import DatabaseRequest as MysqlRequest
    from reactops.layers.pgsql import ConnectionString, DatabaseRequest

    first = DatabaseRequest(object(), '3', 'app', 'db', ('r',))  # type: ignore[arg-type]
    second = DatabaseRequest(object(), '3', 'app', 'db', ('r',))  # type: ignore[arg-type]
    assert first == second and len({first, second}) == 1  # the relation is not compared
    assert MysqlRequest(object(), '1', 'a', 'd') == MysqlRequest(object(), '1', 'a', 'd')  # type: ignore[arg-type]
    conn = ConnectionString.parse("host=h port=5 dbname=d user=u password='p w\\'x'")
    assert conn == ConnectionString('h', 5, 'd', 'u', "p w'x")
    assert str(conn) == "dbname=d host=h password='p w\\'x' port=5 user=u"
    assert conn is not None and conn.uri == 'postgresql://u:p%20w%27x@h:5/d'


def test_a_hook_outside_the_local_model_loads_nothing_of_its_tool_socket(
        webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')
    result = webapp.run('hooks/update-status', PYTHONPROFILEIMPORTTIME='1')
    assert result.returncode == 0, result.stderr
    assert 'reactops._private.toolwire' not in _imported(result.stderr)
