"""The built-in ``pgsql`` layer, with a server charm and a client charm related to each
other: each side runs one hook in-process, and what it published becomes the other side's
remote data for its next hook."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from reactops.layers.pgsql import ConnectionString
from reactops.testing import Context, Relation, State

SERVER = {
    'metadata.yaml': """
        name: pg
        provides:
          db:
            interface: pgsql
    """,
    'config.yaml': """
        options:
          master: {type: boolean, default: true, description: publish a master}
          standbys: {type: boolean, default: true, description: publish a standby}
          allowed-units: {type: string, default: '', description: override (spaces)}
          allowed-subnets: {type: string, default: '', description: subnets (commas)}
    """,
    'reactive/pg.py': """
        from reactops import current_charm, set_flag, when
        from reactops.layers.pgsql import ConnectionString


        @when('db.database.requested')
        def answer(db):
            config = current_charm().config
            requests = db.requested_databases()
            set_flag('test.requests', [[r.relation_id, r.application_name, r.database,
                                        list(r.roles), list(r.extensions), list(r.units)]
                                       for r in requests])
            for request in requests:
                def conn(host):
                    return ConnectionString(host, 5432, request.database,
                                            'u_' + request.application_name, 'pw 1')
                db.publish(request.relation,
                           conn('10.0.0.1') if config['master'] else None,
                           [conn('10.0.0.2'), conn('10.0.0.3')] if config['standbys'] else [],
                           allowed_units=config['allowed-units'].split() or None,
                           allowed_subnets=config['allowed-subnets'].split(',')
                           if config['allowed-subnets'] else None)
    """,
}

CLIENT = {
    'metadata.yaml': """
        name: client
        requires:
          db:
            interface: pgsql
    """,
    'config.yaml': """
        options:
          database: {type: string, default: app, description: the database to ask for}
          roles: {type: string, default: '', description: roles (commas)}
          extensions: {type: string, default: '', description: extensions (commas)}
    """,
    'reactive/client.py': """
        from reactops import current_charm, set_flag, when


        @when('db.connected')
        def ask(db):
            config = current_charm().config
            db.set_database(config['database'])
            if config['roles']:
                db.set_roles(config['roles'].split(','))
            if config['extensions']:
                db.set_extensions(config['extensions'])


        @when('db.master.available')
        def use_master(db):
            set_flag('test.master', str(db.master))


        @when('db.standbys.available')
        def use_standbys(db):
            set_flag('test.standbys', [str(s) for s in db.standbys])
    """,
}
CHARM_PY = 'import reactops\n\nif __name__ == "__main__":\n    reactops.main()\n'


def make_charm(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in {**files, 'src/charm.py': CHARM_PY}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


@pytest.fixture
def server(tmp_path: Path) -> Context:
    return Context(make_charm(tmp_path / 'pg', SERVER))


@pytest.fixture
def client(tmp_path: Path) -> Context:
    return Context(make_charm(tmp_path / 'client', CLIENT))


def conn(host: str, dbname: str = 'app') -> str:
    return str(ConnectionString(host, 5432, dbname, 'u_client', 'pw 1'))


def published(out: State, rel: Relation) -> dict[str, str]:
    return dict(out.get_relation(rel.id).local_unit_data)


def pg_flags(out: State) -> list[str]:
    return sorted(f for f in out.flags if f.startswith('db.'))


class Pair:
    """The two sides of one relation: the client's view (``c``) and the server's (``s``)."""

    def __init__(self, client: Context, server: Context, *,
                 client_config: Mapping[str, Any] | None = None,
                 server_config: Mapping[str, Any] | None = None):
        self.client, self.server = client, server
        self.c = Relation('db', remote_app_name='pg')
        self.s = Relation('db', remote_app_name='client')
        self.c_state = State(relations=[self.c], config=dict(client_config or {}))
        self.s_state = State(relations=[self.s], config=dict(server_config or {}))

    def client_hook(self, server_data: Mapping[str, str] | None = None,
                    **config: Any) -> State:
        if server_data is not None:
            self.c = self.c.replace(remote_units_data={0: dict(server_data)})
        state = self.c_state.replace(relations=[self.c],
                                     config={**self.c_state.config, **config})
        self.c_state = self.client.run(self.client.on.relation_changed(self.c, remote_unit=0),
                                       state)
        return self.c_state

    def server_hook(self, **config: Any) -> State:
        self.s = self.s.replace(remote_units_data={0: published(self.c_state, self.c)})
        state = self.s_state.replace(relations=[self.s],
                                     config={**self.s_state.config, **config})
        self.s_state = self.server.run(self.server.on.relation_changed(self.s, remote_unit=0),
                                       state)
        return self.s_state

    def round_trip(self, **server_config: Any) -> State:
        """The client asks, the server answers, the client reads the answer."""
        self.client_hook()
        self.server_hook(**server_config)
        return self.client_hook(published(self.s_state, self.s))


# -- the whole conversation ------------------------------------------------------------------


def test_the_client_request_reaches_the_server(client: Context, server: Context) -> None:
    pair = Pair(client, server, client_config={'roles': 'b,a', 'extensions': 'hstore'})
    out = pair.client_hook()
    assert pg_flags(out) == ['db.connected']
    sent = published(out, pair.c)
    assert (sent['database'], sent['roles'], sent['extensions']) == ('app', 'a,b', 'hstore')
    out = pair.server_hook()
    assert 'db.database.requested' in out.flags
    assert out.flags['test.requests'] == [[f'db:{pair.s.id}', 'client', 'app', ['a', 'b'],
                                           ['hstore'], ['client/0']]]
    answer = published(out, pair.s)
    assert answer['master'] == conn('10.0.0.1')
    assert answer['standbys'] == f"{conn('10.0.0.2')}\n{conn('10.0.0.3')}"
    assert {k: answer[k] for k in ('host', 'port', 'database', 'user', 'password')} == {
        'host': '10.0.0.1', 'port': '5432', 'database': 'app', 'user': 'u_client',
        'password': 'pw 1'}
    assert (answer['roles'], answer['extensions']) == ('a,b', 'hstore')
    assert answer['allowed-units'] == 'client/0'
    assert 'allowed-subnets' not in answer


def test_the_server_answer_makes_master_and_standbys_available(
        client: Context, server: Context) -> None:
    pair = Pair(client, server, client_config={'roles': 'a', 'extensions': 'x,y'})
    out = pair.round_trip()
    assert pg_flags(out) == ['db.connected', 'db.database.available', 'db.master.available',
                             'db.standbys.available']
    assert out.flags['test.master'] == conn('10.0.0.1')
    assert out.flags['test.standbys'] == [conn('10.0.0.2'), conn('10.0.0.3')]


def test_a_master_alone_makes_no_standbys_available(client: Context, server: Context) -> None:
    out = Pair(client, server).round_trip(standbys=False)
    assert pg_flags(out) == ['db.connected', 'db.database.available', 'db.master.available']


def test_standbys_alone_make_the_database_available(client: Context, server: Context) -> None:
    out = Pair(client, server).round_trip(master=False)
    assert pg_flags(out) == ['db.connected', 'db.database.available', 'db.standbys.available']
    assert 'test.master' not in out.flags


def test_an_answer_for_another_database_is_not_taken(client: Context, server: Context) -> None:
    pair = Pair(client, server)
    pair.round_trip()
    # the client now wants another database: the old answer no longer counts, at once
    out = pair.client_hook(database='other')
    assert pg_flags(out) == ['db.connected']
    pair.server_hook()
    out = pair.client_hook(published(pair.s_state, pair.s))
    assert 'db.master.available' in out.flags
    assert out.flags['test.master'] == conn('10.0.0.1', 'other')


def test_ungranted_roles_or_extensions_are_not_an_answer(
        client: Context, server: Context) -> None:
    pair = Pair(client, server, client_config={'roles': 'admin'})
    pair.round_trip()
    answer = published(pair.s_state, pair.s)
    for key, value in (('roles', None), ('extensions', 'postgis')):
        data = {k: v for k, v in {**answer, key: value}.items() if v is not None}
        out = pair.client_hook(data)
        assert pg_flags(out) == ['db.connected'], key


def test_a_client_unit_not_allowed_sees_no_database(client: Context, server: Context) -> None:
    out = Pair(client, server).round_trip(**{'allowed-units': 'client/1 client/2'})
    assert pg_flags(out) == ['db.connected']


def test_allowed_subnets_replace_allowed_units(client: Context, server: Context) -> None:
    # the client's egress-subnets are the testing default, 192.0.2.0 (as in ops.testing)
    out = Pair(client, server).round_trip(**{'allowed-units': 'other/0',
                                             'allowed-subnets': '192.0.2.0,10.0.0.0/8'})
    assert 'db.master.available' in out.flags
    out = Pair(client, server).round_trip(**{'allowed-subnets': '10.0.0.0/8'})
    assert pg_flags(out) == ['db.connected']


def test_one_server_unit_not_ready_holds_the_answer_back(
        client: Context, server: Context) -> None:
    pair = Pair(client, server)
    pair.round_trip()
    ready = published(pair.s_state, pair.s)
    stale = {**ready, 'database': 'old'}
    pair.c = pair.c.replace(remote_units_data={0: ready, 1: stale})
    out = pair.client.run(pair.client.on.relation_changed(pair.c, remote_unit=1),
                          pair.c_state.replace(relations=[pair.c]))
    assert pg_flags(out) == ['db.connected']


def test_departure_of_the_server_clears_every_flag(client: Context, server: Context) -> None:
    pair = Pair(client, server)
    pair.round_trip()
    gone = pair.c.replace(remote_units_data={})
    out = client.run(client.on.relation_departed(gone, remote_unit=0),
                     pair.c_state.replace(relations=[gone]))
    assert pg_flags(out) == []


# -- the server side's flag ------------------------------------------------------------------


def test_no_database_asked_means_no_request(server: Context) -> None:
    rel = Relation('db', remote_app_name='client')
    out = server.run(server.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    assert pg_flags(out) == []


def test_the_request_flag_goes_with_the_last_client_unit(
        client: Context, server: Context) -> None:
    pair = Pair(client, server)
    pair.client_hook()
    out = pair.server_hook()
    assert 'db.database.requested' in out.flags
    gone = pair.s.replace(remote_units_data={})
    out = server.run(server.on.relation_departed(gone, remote_unit=0),
                     out.replace(relations=[gone]))
    assert 'db.database.requested' not in out.flags


# -- connection strings ----------------------------------------------------------------------


def test_connection_strings_parse_and_print_libpq_conninfo() -> None:
    parsed = ConnectionString.parse('host=10.0.0.1 port=5432 dbname=app user=u password=p '
                                    'sslmode=require')
    assert parsed == ConnectionString('10.0.0.1', 5432, 'app', 'u', 'p')
    assert str(parsed) == 'dbname=app host=10.0.0.1 password=p port=5432 user=u'
    assert parsed is not None and parsed.uri == 'postgresql://u:p@10.0.0.1:5432/app'
    odd = ConnectionString('::1', 5433, 'my db', "o'k", 'a\\b')
    assert str(odd) == "dbname='my db' host=::1 password='a\\\\b' port=5433 user='o\\'k'"
    assert ConnectionString.parse(str(odd)) == odd
    assert odd.uri == 'postgresql://o%27k:a%5Cb@[::1]:5433/my%20db'


@pytest.mark.parametrize('conninfo', ['host=h port=5432 dbname=d user=u',
                                      'host=h port=x dbname=d user=u password=p', ''])
def test_an_incomplete_conninfo_parses_to_none(conninfo: str) -> None:
    assert ConnectionString.parse(conninfo) is None
