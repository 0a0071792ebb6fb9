"""charms.reactive's request/response pattern on reactops: a requiring charm publishes
requests, a providing charm answers them, and each side's flags follow.

Both sides are small legacy charms written in a temporary directory and run in-process
with :mod:`reactops.testing`; the data published by one side is handed to the other as a
remote unit's bag, as Juju would.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import reactops.legacy
from reactops.testing import Context, Relation, State

COMMON = """
from charms.reactive import BaseRequest, BaseResponse, Field


class CertResponse(BaseResponse):
    cert = Field('the signed certificate')


class CertRequest(BaseRequest):
    RESPONSE_CLASS = CertResponse
    common_name = Field('the CN')
"""
ROLES = {
    'requires': 'from charms.reactive import RequesterEndpoint\n'
                'from .common import CertRequest\n\n\n'
                'class CertRequires(RequesterEndpoint):\n    REQUEST_CLASS = CertRequest\n',
    'provides': 'from charms.reactive import ResponderEndpoint\n'
                'from .common import CertRequest\n\n\n'
                'class CertProvides(ResponderEndpoint):\n    REQUEST_CLASS = CertRequest\n',
}

REQUIRER = """
from charms.reactive import set_flag, when, when_not


@when('endpoint.certs.joined')
@when_not('asked')
def ask(certs):
    from relations.tls.common import CertRequest
    CertRequest.create(certs.relations[0], request_id='r1', common_name='web')
    set_flag('asked')


@when('endpoint.certs.has_responses')
def got(certs):
    set_flag('got:' + certs.response_by_common_name('web').cert)
"""

PROVIDER = """
from charms.reactive import set_flag, when


@when('endpoint.clients.new_requests')
def answer(clients):
    for request in clients.new_requests:
        request.respond(cert='CERT-' + request.common_name)
    set_flag('answered')
"""


def _charm(root: Path, name: str, meta: str, handlers: str) -> Path:
    charm = root / name
    (charm / 'hooks' / 'relations' / 'tls').mkdir(parents=True)
    (charm / 'reactive').mkdir()
    (charm / 'metadata.yaml').write_text(textwrap.dedent(meta))
    for role, source in ROLES.items():
        (charm / 'hooks' / 'relations' / 'tls' / f'{role}.py').write_text(source)
    (charm / 'hooks' / 'relations' / 'tls' / 'common.py').write_text(COMMON)
    (charm / 'hooks' / 'relations' / 'tls' / '__init__.py').write_text('')
    (charm / 'reactive' / f'{name}.py').write_text(handlers)
    return charm


@pytest.fixture
def shim() -> Iterator[None]:
    reactops.legacy.install()
    yield
    reactops.legacy.uninstall()


def test_a_request_is_answered_and_the_answer_found(tmp_path: Path, shim: None) -> None:
    requirer = Context(_charm(tmp_path, 'web', 'name: web\nrequires:\n  certs: tls\n',
                              REQUIRER))
    rel = Relation('certs', remote_app_name='ca', remote_units_data={0: {}})
    out = requirer.run(requirer.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    published = out.get_relation(rel.id).local_unit_data
    assert json.loads(published['request_r1']) == {'request_id': 'r1', 'common_name': 'web'}
    assert 'asked' in out.flags and 'endpoint.certs.has_responses' not in out.flags

    provider = Context(_charm(tmp_path, 'ca', 'name: ca\nprovides:\n  clients: tls\n',
                              PROVIDER))
    client = Relation('clients', remote_app_name='web',
                      remote_units_data={0: {'request_r1': published['request_r1']}})
    answered = provider.run(provider.on.relation_changed(client, remote_unit=0),
                            State(relations=[client]))
    response = answered.get_relation(client.id).local_unit_data['response_r1']
    assert json.loads(response) == {'cert': 'CERT-web'}
    assert {'answered', 'endpoint.clients.has_requests'} <= set(answered.flags)

    back = Relation('certs', id=rel.id, remote_app_name='ca',
                    local_unit_data=dict(published),
                    remote_units_data={0: {'response_r1': response}})
    done = requirer.run(requirer.on.relation_changed(back, remote_unit=0),
                        State(relations=[back], flags=dict.fromkeys(out.flags)))
    assert 'got:CERT-web' in done.flags
    assert {'endpoint.certs.has_responses', 'endpoint.certs.all_responses'} <= set(done.flags)
