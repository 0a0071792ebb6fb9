"""Secrets against fake hook tools: content only ever in files, read once per Secret,
metadata read every time, ids canonical, and Juju before 3.6 given every field."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
from fakejuju import FakeJuju

from reactops._private.backend import ModelBackend
from reactops.errors import SecretNotFoundError
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import Model, Secret, SecretInfo, SecretRotate

META = 'name: demo\nrequires:\n  db: {interface: pgsql}\n'


def make_model(monkeypatch: pytest.MonkeyPatch, **env: str) -> Model:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Model(CharmMeta.from_yaml(META), ModelBackend(JujuContext.from_environ()))


def file_args(argv: list[str]) -> dict[str, str]:
    return dict(arg.split('#file=', 1) for arg in argv if '#file=' in arg)


def add_secret(fake: FakeJuju, content: dict[str, str], **fields: Any) -> str:
    """A secret already in the model, owned by our app; returns its id."""
    state = fake.state()
    number = state['next_secret']
    secret_id = f'secret:c{number:019d}'
    state['next_secret'] = number + 1
    state['secrets'][secret_id] = {'owner': 'application', 'revisions': {'1': content},
                                   'tracked': None, 'grants': [], **fields}
    fake.set_state(state)
    return secret_id


# -- creating ----------------------------------------------------------------------------


def test_add_secret_puts_content_in_files_never_on_argv(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    expire = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    secret = model.app.add_secret({'password': 'hunter2', 'user-name': 'bob'},
                                  label='db-pass', description='for the db',
                                  expire=expire, rotate=SecretRotate.MONTHLY)
    [argv] = fake_juju.argvs('secret-add')
    assert argv[:10] == ['secret-add', '--label', 'db-pass', '--description', 'for the db',
                         '--expire', '2030-01-02T03:04:05Z', '--rotate', 'monthly',
                         '--owner']
    assert argv[10] == 'application'
    files = file_args(argv)
    assert sorted(files) == ['password', 'user-name']
    assert not any('hunter2' in arg or 'bob' in arg for arg in argv)
    assert not any(os.path.exists(path) for path in files.values())  # cleaned up
    assert secret.id == 'secret:c0000000000000000001'
    assert secret.label == 'db-pass'
    assert secret.unique_identifier == 'c0000000000000000001'
    assert secret.get_content() == {'password': 'hunter2', 'user-name': 'bob'}
    assert fake_juju.argvs('secret-get') == []  # the content is known
    stored = fake_juju.state()['secrets'][secret.id]
    assert stored['revisions']['1'] == {'password': 'hunter2', 'user-name': 'bob'}


def test_a_unit_owns_the_secrets_it_adds(fake_juju: FakeJuju,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    secret = make_model(monkeypatch).unit.add_secret(
        {'token': 't0k'}, expire=datetime.timedelta(hours=1))
    [argv] = fake_juju.argvs('secret-add')
    assert argv[argv.index('--owner') + 1] == 'unit'
    expiry = datetime.datetime.fromisoformat(argv[argv.index('--expire') + 1][:-1])
    assert expiry > datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert fake_juju.state()['secrets'][secret.id or '']['owner'] == 'unit'


@pytest.mark.parametrize(('content', 'error', 'match'), [
    ({}, ValueError, 'empty'),
    ({'ab': 'x'}, ValueError, "'ab'"),
    ({'Password': 'x'}, ValueError, 'Password'),
    ({'a--b': 'x'}, ValueError, 'a--b'),
    ({'pass': 1}, TypeError, 'pass'),
    ([('pass', 'x')], TypeError, 'dict'),
])
def test_secret_content_is_checked_before_juju_sees_it(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch, content: Any,
        error: type[Exception], match: str) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(error, match=match):
        model.app.add_secret(content)
    assert fake_juju.argvs() == []


# -- reading -----------------------------------------------------------------------------


def test_get_secret_by_id_reads_the_content_once(fake_juju: FakeJuju,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'})
    model = make_model(monkeypatch)
    bare = secret_id.removeprefix('secret:')
    secret = model.get_secret(id=bare)
    assert secret.id == f'secret://{model.uuid}/{bare}'  # canonical
    assert secret.unique_identifier == bare
    content = secret.get_content()
    content['token'] = 'tampered'
    assert secret.get_content() == {'token': 'v1'}  # a copy each time
    assert fake_juju.argvs('secret-get') == [
        ['secret-get', '--format=json', f'secret://{model.uuid}/{bare}']]


def test_refresh_and_peek(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'})
    model = make_model(monkeypatch)
    secret = model.get_secret(id=secret_id, label='tok')
    state = fake_juju.state()
    state['secrets'][secret_id]['revisions']['2'] = {'token': 'v2'}
    fake_juju.set_state(state)
    assert secret.get_content() == {'token': 'v1'}
    assert secret.peek_content() == {'token': 'v2'}
    assert secret.peek_content() == {'token': 'v2'}  # not cached
    assert secret.get_content() == {'token': 'v1'}  # still tracking revision 1
    assert secret.get_content(refresh=True) == {'token': 'v2'}
    assert secret.get_content() == {'token': 'v2'}
    assert fake_juju.argvs('secret-get') == [
        ['secret-get', '--format=json', secret_id, '--label', 'tok'],
        ['secret-get', '--format=json', secret_id, '--label', 'tok', '--peek'],
        ['secret-get', '--format=json', secret_id, '--label', 'tok', '--peek'],
        ['secret-get', '--format=json', secret_id, '--label', 'tok', '--refresh'],
    ]


def test_get_secret_by_label(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    add_secret(fake_juju, {'token': 'v1'}, label='tok')
    secret = make_model(monkeypatch).get_secret(label='tok')
    assert secret.id is None and secret.label == 'tok'
    assert secret.get_content() == {'token': 'v1'}
    assert fake_juju.argvs() == [['secret-get', '--format=json', '--label', 'tok']]


def test_an_unknown_secret_is_not_found(fake_juju: FakeJuju,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(SecretNotFoundError):
        model.get_secret(id='secret:nope')
    with pytest.raises(TypeError):
        model.get_secret()
    with pytest.raises(TypeError):
        Secret(model._backend)


def test_get_info_is_read_every_time(fake_juju: FakeJuju,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'}, label='tok', description='d',
                           rotate='daily', expire='2030-01-02T03:04:05.123456789Z')
    model = make_model(monkeypatch)
    secret = model.get_secret(id=secret_id)
    info = secret.get_info()
    assert isinstance(info, SecretInfo)
    # Juju prints the bare id; as ops, the info names it with the model's UUID.
    long_id = f'secret://{model.uuid}/{secret_id.removeprefix("secret:")}'
    assert (info.id, info.label, info.revision, info.description) == \
        (long_id, 'tok', 1, 'd')
    assert info.rotation is SecretRotate.DAILY
    assert info.expires == datetime.datetime(2030, 1, 2, 3, 4, 5, 123456,
                                             tzinfo=datetime.timezone.utc)
    assert info.rotates is None
    secret.get_info()
    assert fake_juju.argvs('secret-info-get') == [
        ['secret-info-get', '--format=json', secret_id]] * 2


# -- changing ----------------------------------------------------------------------------


def test_set_content_makes_a_new_revision_through_files(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'})
    secret = make_model(monkeypatch).get_secret(id=secret_id)
    secret.set_content({'token': 's3cret-v2'})
    [argv] = fake_juju.argvs('secret-set')
    assert argv[:2] == ['secret-set', secret_id]
    assert sorted(file_args(argv)) == ['token']
    assert not any('s3cret' in arg for arg in argv)
    assert fake_juju.state()['secrets'][secret_id]['revisions']['2'] == {'token': 's3cret-v2'}
    assert secret.get_content() == {'token': 'v1'}  # the tracked revision is unchanged
    with pytest.raises(ValueError):
        secret.set_content({})


def test_set_info_changes_metadata_only(fake_juju: FakeJuju,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'})
    secret = make_model(monkeypatch).get_secret(id=secret_id)
    secret.set_info(label='new', rotate=SecretRotate.WEEKLY)
    assert fake_juju.argvs('secret-set') == [
        ['secret-set', '--label', 'new', '--rotate', 'weekly', secret_id]]
    assert secret.label == 'new'
    with pytest.raises(TypeError):
        secret.set_info()


def test_before_juju_3_6_every_field_is_restated(fake_juju: FakeJuju,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'}, label='tok', rotate='daily')
    secret = make_model(monkeypatch, JUJU_VERSION='3.5.4').get_secret(id=secret_id)
    fake_juju.clear_calls()
    secret.set_info(description='about')
    calls = fake_juju.argvs()
    assert calls[:2] == [['secret-get', '--format=json', secret_id, '--peek'],
                         ['secret-info-get', '--format=json', secret_id]]
    last = calls[2]
    assert last[:7] == ['secret-set', '--label', 'tok', '--description', 'about',
                        '--rotate', 'daily']
    assert sorted(file_args(last)) == ['token']


def test_a_secret_known_by_label_looks_its_id_up_once(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_id = add_secret(fake_juju, {'token': 'v1'}, label='tok')
    model = make_model(monkeypatch)
    secret = model.get_secret(label='tok')
    secret.remove_revision(1)
    secret.remove_all_revisions()
    long_id = f'secret://{model.uuid}/{secret_id.removeprefix("secret:")}'  # as ops
    assert fake_juju.argvs()[1:] == [
        ['secret-info-get', '--format=json', '--label', 'tok'],
        ['secret-remove', long_id, '--revision', '1'],
        ['secret-remove', long_id],
    ]
    assert secret.id == long_id


def test_grant_and_revoke_through_a_relation(fake_juju: FakeJuju,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    secret_id = add_secret(fake_juju, {'token': 'v1'})
    model = make_model(monkeypatch)
    secret = model.get_secret(id=secret_id)
    relation = model.relations['db'][0]
    secret.grant(relation)
    secret.grant(relation, unit=model.get_unit('pg/0'))
    secret.revoke(relation, unit=model.get_unit('pg/0'))
    secret.revoke(relation)
    assert fake_juju.argvs()[-4:] == [
        ['secret-grant', '--relation', '3', secret_id],
        ['secret-grant', '--relation', '3', '--unit', 'pg/0', secret_id],
        ['secret-revoke', '--relation', '3', '--unit', 'pg/0', secret_id],
        ['secret-revoke', '--relation', '3', secret_id],
    ]
    assert fake_juju.state()['secrets'][secret_id]['grants'] == []
