"""The built-in ``mysql`` layer, with a server charm and a client charm related to each
other: each side runs one hook in-process, and what it published becomes the other side's
remote data for its next hook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from test_layers_pgsql import make_charm

from reactops.testing import Context, Relation, State

SERVER = {
    'metadata.yaml': """
        name: mysql
        provides:
          db:
            interface: mysql
    """,
    'config.yaml': """
        options:
          app: {type: boolean, default: false, description: publish in the app bag}
    """,
    'reactive/mysql.py': """
        from reactops import current_charm, set_flag, when


        @when('db.database.requested')
        def answer(db):
            requests = db.requested_databases()
            set_flag('test.requests', [[r.relation_id, r.application_name, r.database]
                                       for r in requests])
            for request in requests:
                db.publish(request.relation_id, database=request.database, user='u',
                           password='secret', host='10.0.0.9', port=3306,
                           app=current_charm().config['app'])
    """,
}

CLIENT = {
    'metadata.yaml': """
        name: client
        requires:
          db:
            interface: mysql
    """,
    'reactive/client.py': """
        from reactops import set_flag, when


        @when('db.connected')
        def ask(db):
            db.set_database('app')


        @when('db.available')
        def use(db):
            set_flag('test.conn', [db.database, db.user, db.password, db.host, db.port])
    """,
}


@pytest.fixture
def server(tmp_path: Path) -> Context:
    return Context(make_charm(tmp_path / 'mysql', SERVER))


@pytest.fixture
def client(tmp_path: Path) -> Context:
    return Context(make_charm(tmp_path / 'client', CLIENT))


def db_flags(out: State) -> list[str]:
    return sorted(f for f in out.flags if f.startswith('db.'))


def client_hook(client: Context, rel: Relation, state: State | None = None) -> State:
    state = (state or State()).replace(relations=[rel])
    return client.run(client.on.relation_changed(rel, remote_unit=0), state)


def server_hook(server: Context, client_data: Mapping[str, str], *,
                app: bool = False) -> tuple[Relation, State]:
    rel = Relation('db', remote_app_name='client', remote_units_data={0: dict(client_data)})
    out = server.run(server.on.relation_changed(rel, remote_unit=0),
                     State(relations=[rel], leader=app, config={'app': app}))
    return rel, out


@pytest.mark.parametrize('app', [False, True], ids=['unit-bag', 'app-bag'])
def test_request_and_answer_make_the_database_available(
        client: Context, server: Context, app: bool) -> None:
    crel = Relation('db', remote_app_name='mysql')
    cout = client_hook(client, crel)
    assert db_flags(cout) == ['db.connected']
    asked = dict(cout.get_relation(crel.id).local_unit_data)
    assert asked['database'] == 'app'

    srel, sout = server_hook(server, asked, app=app)
    assert 'db.database.requested' in sout.flags
    assert sout.flags['test.requests'] == [[f'db:{srel.id}', 'client', 'app']]
    answered = sout.get_relation(srel.id)
    bag = answered.local_app_data if app else answered.local_unit_data
    expected = {'database': 'app', 'user': 'u', 'password': 'secret', 'host': '10.0.0.9',
                'port': '3306'}
    assert {k: bag[k] for k in expected} == expected

    if app:
        crel = crel.replace(remote_app_data=dict(answered.local_app_data))
    else:
        crel = crel.replace(remote_units_data={0: dict(answered.local_unit_data)})
    cout = client_hook(client, crel, cout)
    assert db_flags(cout) == ['db.available', 'db.connected']
    assert cout.flags['test.conn'] == ['app', 'u', 'secret', '10.0.0.9', 3306]


@pytest.mark.parametrize('missing', ['database', 'user', 'password', 'host', 'port'])
def test_one_field_missing_means_not_available(client: Context, server: Context,
                                               missing: str) -> None:
    srel, sout = server_hook(server, {'database': 'app'})
    answer = {k: v for k, v in sout.get_relation(srel.id).local_unit_data.items()
              if k != missing}
    out = client_hook(client, Relation('db', remote_app_name='mysql',
                                       remote_units_data={0: answer}))
    assert db_flags(out) == ['db.connected']


def test_a_port_that_is_not_a_number_means_not_available(client: Context) -> None:
    data = {'database': 'a', 'user': 'u', 'password': 'p', 'host': 'h', 'port': 'x'}
    out = client_hook(client, Relation('db', remote_app_name='mysql',
                                       remote_units_data={0: data}))
    assert db_flags(out) == ['db.connected']


def test_the_app_bag_wins_over_unit_bags(client: Context) -> None:
    unit = {'database': 'a', 'user': 'u', 'password': 'p', 'host': 'old', 'port': '1'}
    rel = Relation('db', remote_app_name='mysql', remote_units_data={0: unit},
                   remote_app_data={'host': 'new'})
    out = client_hook(client, rel)
    assert out.flags['test.conn'] == ['a', 'u', 'p', 'new', 1]


def test_departure_of_the_server_clears_the_flags(client: Context) -> None:
    data = {'database': 'a', 'user': 'u', 'password': 'p', 'host': 'h', 'port': '1'}
    rel = Relation('db', remote_app_name='mysql', remote_units_data={0: data})
    out = client_hook(client, rel)
    assert db_flags(out) == ['db.available', 'db.connected']
    gone = rel.replace(remote_units_data={})
    out = client.run(client.on.relation_departed(gone, remote_unit=0),
                     out.replace(relations=[gone]))
    assert db_flags(out) == []


def test_no_database_name_means_no_request(server: Context) -> None:
    srel, out = server_hook(server, {'private-address': '10.0.0.5'})
    assert db_flags(out) == []


def test_the_request_flag_goes_with_the_last_client_unit(server: Context) -> None:
    srel, out = server_hook(server, {'database': 'app'})
    gone = srel.replace(remote_units_data={})
    out = server.run(server.on.relation_departed(gone, remote_unit=0),
                     out.replace(relations=[gone]))
    assert db_flags(out) == []
