"""fastjson against json: the same value, the same text and the same error for every input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactops._private import fastjson

SCALARS = (st.none() | st.booleans() | st.integers()
           | st.integers(min_value=-10**600, max_value=10**600)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    | st.tuples(inner, inner),
    max_leaves=30)
# Keys json turns into text by itself (and sorts, or refuses to sort when mixed).
KEYS = st.text(max_size=4) | st.integers() | st.floats() | st.booleans() | st.none()


def outcome(call: Callable[[], Any]) -> tuple[str, ...]:
    """What *call* gives, comparable across NaN: ('ok', repr) or the error's details."""
    try:
        value = call()
    except json.JSONDecodeError as err:
        return ('JSONDecodeError', err.msg, str(err.pos), str(err.lineno), str(err.colno))
    except (TypeError, ValueError, RecursionError, UnicodeDecodeError) as err:
        return (type(err).__name__, str(err))
    return ('ok', repr(value), type(value).__name__)


def json_dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(value, separators=(',', ':'), **kwargs)


@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans())
def test_dumps_writes_what_json_writes(value: Any, sort_keys: bool) -> None:
    assert outcome(lambda: fastjson.dumps(value, sort_keys=sort_keys)) == \
        outcome(lambda: json_dumps(value, sort_keys=sort_keys))


@settings(max_examples=100, deadline=None)
@given(VALUES, st.sampled_from([(', ', ': '), (',', ':'), (';', '=')]))
def test_dumps_uses_the_separators_json_uses(value: Any, separators: tuple[str, str]) -> None:
    assert outcome(lambda: fastjson.dumps(value, separators=separators)) == \
        outcome(lambda: json.dumps(value, separators=separators))


@settings(max_examples=200, deadline=None)
@given(VALUES, st.booleans())
def test_dumps_refuses_nan_when_told_as_json_does(value: Any, sort_keys: bool) -> None:
    assert outcome(lambda: fastjson.dumps(value, sort_keys=sort_keys, allow_nan=False)) == \
        outcome(lambda: json_dumps(value, sort_keys=sort_keys, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, SCALARS, max_size=6), st.booleans())
def test_dumps_handles_non_text_keys_as_json_does(value: dict[Any, Any],
                                                  sort_keys: bool) -> None:
    assert outcome(lambda: fastjson.dumps(value, sort_keys=sort_keys)) == \
        outcome(lambda: json_dumps(value, sort_keys=sort_keys))


@pytest.mark.parametrize('value', [
    {1j: 1}, object(), {'a': {1, 2}}, b'bytes', [math.nan, -math.inf], 'é\ud800\U0001f600',
    10**5000, -0.0, 1e-320, {'': None}, [[[]]], {(1, 2): 3},
], ids=lambda value: type(value).__name__)
def test_dumps_refuses_and_accepts_what_json_does(value: Any) -> None:
    assert outcome(lambda: fastjson.dumps(value)) == outcome(lambda: json_dumps(value))


def test_dumps_refuses_a_cycle_and_stays_usable() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    assert outcome(lambda: fastjson.dumps(cycle)) == outcome(lambda: json_dumps(cycle))
    assert outcome(lambda: fastjson.dumps(cycle))[0] == 'ValueError'
    shared = [1]
    assert fastjson.dumps([shared, shared]) == '[[1],[1]]'  # not a cycle


def test_dumps_calls_default_as_json_does() -> None:
    def default(value: Any) -> Any:
        if isinstance(value, set):
            return sorted(value)
        raise TypeError('nope')
    value = {'a': {3, 1}, 'b': [{2}]}
    assert fastjson.dumps(value, default=default) == json_dumps(value, default=default)
    assert outcome(lambda: fastjson.dumps(object(), default=default)) == \
        ('TypeError', 'nope')


def test_deep_nesting_fails_as_json_does() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert outcome(lambda: fastjson.dumps(deep)) == outcome(lambda: json_dumps(deep))
    text = '[' * 100_000 + ']' * 100_000
    assert outcome(lambda: fastjson.loads(text)) == outcome(lambda: json.loads(text))
    assert outcome(lambda: fastjson.loads(text))[0] == 'RecursionError'


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from(['', ' ', '\n\t ', '\r']), st.sampled_from(['', ' \n', '\t']))
def test_loads_reads_what_json_reads(value: Any, before: str, after: str) -> None:
    text = before + json.dumps(value) + after
    assert outcome(lambda: fastjson.loads(text)) == outcome(lambda: json.loads(text))


JSONISH = st.text(alphabet='[]{}",:0123456789.eE+- \t\n\r\\ulnaftrsIiyNu\ufeff\ud800é\x00',
                  max_size=30)


@settings(max_examples=1500, deadline=None)
@given(JSONISH | st.text(max_size=20))
def test_loads_fails_where_json_fails(text: str) -> None:
    assert outcome(lambda: fastjson.loads(text)) == outcome(lambda: json.loads(text))


@pytest.mark.parametrize('text', [
    '', ' ', '1 2', '1 ', '"\\ud800"', '\ufeff[]', 'NaN', '-Infinity', '[1,]', '{"a":1,}',
    '"\x00"', '1' * 5000, '[1] x', '01', '-', ' \n[1,\n 2 ]\t ', '"\\u00e9\\ud83d\\ude00"',
], ids=repr)
def test_loads_reads_and_fails_on_edge_cases_as_json_does(text: str) -> None:
    assert outcome(lambda: fastjson.loads(text)) == outcome(lambda: json.loads(text))


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from(['utf-8', 'utf-8-sig', 'utf-16', 'utf-16-le', 'utf-16-be',
                                'utf-32', 'utf-32-le', 'utf-32-be']), st.booleans())
def test_loads_reads_bytes_as_json_does(value: Any, encoding: str, mutable: bool) -> None:
    data = json.dumps(value, ensure_ascii=False).encode(encoding, 'surrogatepass')
    data = bytearray(data) if mutable else data
    assert outcome(lambda: fastjson.loads(data)) == outcome(lambda: json.loads(data))


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=12))
def test_loads_reads_any_bytes_as_json_does(data: bytes) -> None:
    assert outcome(lambda: fastjson.loads(data)) == outcome(lambda: json.loads(data))


@pytest.mark.parametrize('data', [
    b'', b'1', b'\x00', b'\xff', b'"\xed\xa0\x80"', b'\xef\xbb\xbf1', b'1\x00', b'\x001',
    b'\xfe\xff\x001', b' [1]\n',
], ids=repr)
def test_loads_reads_edge_case_bytes_as_json_does(data: bytes) -> None:
    assert outcome(lambda: fastjson.loads(data)) == outcome(lambda: json.loads(data))


@pytest.mark.parametrize('value', [None, 1, 1.5, [b'x'], object()], ids=repr)
def test_loads_refuses_what_is_not_text_as_json_does(value: Any) -> None:
    assert outcome(lambda: fastjson.loads(value)) == outcome(lambda: json.loads(value))


def test_loads_calls_object_hook_as_json_does() -> None:
    def hook(obj: dict[str, Any]) -> Any:
        return tuple(obj['t']) if 't' in obj else obj
    text = '{"a": {"t": [1, 2]}, "b": [{"t": []}, {"c": 1}]}'
    assert fastjson.loads(text, object_hook=hook) == json.loads(text, object_hook=hook)
    assert fastjson.loads(text) == json.loads(text)  # the hook does not stick


def test_the_accelerator_is_used_on_cpython() -> None:
    if sys.implementation.name != 'cpython':
        pytest.skip('only CPython promises _json')
    assert fastjson.ACCELERATED


def test_importing_and_using_it_loads_neither_json_nor_re() -> None:
    code = ('import sys; from reactops._private import fastjson as f; '
            'assert f.loads(f.dumps({"a": [1, 2.5, None]})) == {"a": [1, 2.5, None]}; '
            'print(sorted(m for m in ("json", "re", "enum") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-S', '-c', code], capture_output=True, text=True,
                         check=True, env={'PYTHONPATH': _source_root()})
    assert out.stdout.strip() == '[]'


FALLBACK_CHECK = (
    'from reactops._private import fastjson as f\n'
    'assert not f.ACCELERATED\n'
    'assert f.dumps({"b": 1, "a": [1.5]}, sort_keys=True) == \'{"a":[1.5],"b":1}\'\n'
    'assert f.loads(" [1] ") == [1]\n'
    'try:\n    f.loads("[1,")\nexcept ValueError as err:\n    print(type(err).__name__)\n')


@pytest.mark.parametrize('sabotage', [
    # _json without the factories (json then uses its pure-Python code too)
    'import _json\ndel _json.make_encoder, _json.make_scanner\n',
    # a future _json whose encoder factory takes other arguments (json keeps the real one)
    'import json, _json\n_json.make_encoder = lambda markers, default: None\n',
], ids=['missing', 'other-arguments'])
def test_it_falls_back_to_json_when_the_accelerator_differs(sabotage: str) -> None:
    out = subprocess.run([sys.executable, '-S', '-c', sabotage + FALLBACK_CHECK],
                         capture_output=True, text=True, check=True,
                         env={'PYTHONPATH': _source_root()})
    assert out.stdout.strip() == 'JSONDecodeError'


def _source_root() -> str:
    import os

    import reactops
    return os.path.dirname(os.path.dirname(reactops.__file__))
