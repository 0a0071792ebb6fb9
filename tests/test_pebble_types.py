"""The Pebble client's data: layers and the plan, records read from Pebble's JSON, errors,
the multipart reader of pulls, and what importing :mod:`reactops.pebble` costs."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest

from reactops import pebble
from reactops._private.pebble_files import FilesParser, MultipartReader


def test_a_layer_round_trips_through_yaml_and_dict() -> None:
    text = """\
checks:
  up:
    http:
      url: http://localhost/
    level: ready
    override: replace
services:
  web:
    command: run
    environment:
      A: '1'
    override: replace
summary: web
"""
    layer = pebble.Layer(text)
    assert layer.to_yaml() == text
    assert str(layer) == text
    assert pebble.Layer(layer.to_dict()) == layer
    assert layer == layer.to_dict()
    assert layer.services['web'] == {'override': 'replace', 'command': 'run',
                                     'environment': {'A': '1'}}
    assert repr(layer.checks['up']).startswith("Check({'override': 'replace'")


def test_an_empty_plan_and_its_read_only_mappings() -> None:
    plan = pebble.Plan('')
    assert plan.to_dict() == {}
    assert plan.to_yaml() == '{}\n'
    with pytest.raises(AttributeError):
        plan.services = {}  # type: ignore[misc]


def test_merging_items_follows_pebbles_override_rules() -> None:
    service = pebble.Service('s', {'command': 'a', 'after': ['x'], 'environment': {'A': '1'}})
    service._merge(pebble.Service('s', {'after': ['y'], 'environment': {'B': '2'}}))
    assert service.to_dict() == {'command': 'a', 'after': ['x', 'y'],
                                 'environment': {'A': '1', 'B': '2'}}

    check = pebble.Check('c', {'startup': 'disabled', 'exec': {'command': 'a',
                                                               'environment': {'A': '1'}}})
    check._merge(pebble.Check('c', {'exec': {'environment': {'B': '2'}}}))
    assert check.startup == pebble.CheckStartup.DISABLED  # unset does not override
    assert check.exec == {'command': 'a', 'environment': {'A': '1', 'B': '2'}}


def test_records_keep_values_a_newer_pebble_sends() -> None:
    info = pebble.ServiceInfo.from_dict({'name': 's', 'startup': 'later', 'current': 'active'})
    assert info.startup == 'later'
    assert info.is_running()
    change = pebble.Change.from_dict({
        'id': '7', 'kind': 'exec', 'summary': '', 'status': 'Done', 'ready': True,
        'spawn-time': '2024-01-02T03:04:05.123456789+13:00', 'new-field': 1,
    })
    assert change.id == pebble.ChangeID('7')
    assert repr(change.id) == "ChangeID('7')"
    assert change.spawn_time.utcoffset() == datetime.timedelta(hours=13)
    assert change.tasks == [] and change.data == {}


def test_error_texts() -> None:
    assert str(pebble.PathError('not-found', 'gone')) == 'not-found - gone'
    error = pebble.ExecError(['ls', '-l'], 2, 'x' * 2000, None)
    assert str(error).startswith("non-zero exit code 2 executing 'ls', stdout='xxx")
    assert str(error).endswith("' [truncated]")
    assert isinstance(pebble.TimeoutError('t'), TimeoutError)
    assert isinstance(pebble.TimeoutError('t'), pebble.Error)


def _parse(body: bytes, chunk: int) -> FilesParser:
    parser = FilesParser('b0undary')
    for at in range(0, len(body), chunk):
        parser.feed(body[at:at + chunk])
    return parser


RESPONSE = json.dumps({'result': [{'path': '/f'}]}).encode()


@pytest.mark.parametrize('chunk', [1, 2, 3, 7, 13, 1000])
def test_the_multipart_reader_takes_any_chunking(chunk: int) -> None:
    body = (b'preamble\r\n--b0undary \t\r\n'
            b'Content-Disposition: form-data; name="files"; filename="/f"\r\n\r\n'
            b'data\r\n--b0undar with a near miss\r\n'
            b'\r\n--b0undary\r\n'
            b'Content-Disposition: form-data; name="response"\r\n\r\n' + RESPONSE +
            b'\r\n--b0undary--\r\nepilogue')
    parser = _parse(body, chunk)
    assert parser.response() == {'result': [{'path': '/f'}]}
    assert parser.filenames() == ['/f']
    with parser.open_file('/f', None) as f:
        assert f.read() == b'data\r\n--b0undar with a near miss\r\n'


def test_the_multipart_reader_refuses_parts_pebble_does_not_send() -> None:
    body = b'--b0undary\r\nContent-Disposition: form-data; name="other"\r\n\r\nx'
    with pytest.raises(pebble.ProtocolError, match='unexpected name in content-disposition'):
        _parse(body, 100)
    unfinished = FilesParser('b0undary')
    unfinished.feed(b'--b0undary\r\nContent-Disposition: form-data; name="response"\r\n\r\n{')
    assert unfinished.response() is None


def test_importing_the_client_loads_no_model_no_transport_and_no_websockets() -> None:
    code = ('import sys, reactops.pebble; '
            'print(sorted(m for m in ("reactops.model", "http.client", "websocket", "yaml", '
            '"urllib.request") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == '[]'


def test_spans_record_nothing_without_opentelemetry() -> None:
    with pebble.tracer.start_as_current_span('pebble x') as span:
        span.set_attribute('pebble.socket_path', '/s')
        span.set_attributes({'a': 1})


@pytest.mark.parametrize('chunk', [1, 4, 1000])
def test_a_boundary_not_ending_its_line_is_content(chunk: int) -> None:
    parts: list[tuple[bytes, bytes, bool]] = []

    def headers(block: bytes) -> None:
        parts.append((block, b'', False))

    def body(data: bytes, done: bool = False) -> None:
        block, content, _ = parts[-1]
        parts[-1] = (block, content + data, done)

    reader = MultipartReader(b'b0undary', headers, body)
    data = (b'\r\n--b0undary\r\nH: 1\r\n\r\nx\r\n--b0undaryX\r\n--b0undary\r\r'
            b'\r\n--b0undary \t--tail ignored')
    for at in range(0, len(data), chunk):
        reader.feed(data[at:at + chunk])
    assert parts == [(b'H: 1\r\n\r\n', b'x\r\n--b0undaryX\r\n--b0undary\r\r', True)]
