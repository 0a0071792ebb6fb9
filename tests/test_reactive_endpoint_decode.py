"""The endpoints' JSON view reads relation data exactly as ``json.loads`` with a fallback
to the raw text would, while skipping the parse (and the ``json`` import a failed parse
brings) for text that cannot be JSON."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reactops.reactive._endpoint_views import _decode

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)
_raw = st.one_of(
    st.text(),
    _json_values.map(json.dumps),
    st.text(alphabet='0123456789+-.eE ', max_size=8),  # number-like, valid or not
    st.sampled_from(['10.0.0.1', 'db-0.example.com', 'true', 'truex', 'NaN', '-Infinity',
                     '{"a": 1} x', '"a" "b"', '[', '"', ' \t{"a": [1]}\n', '1.', '.5']))


def _reference(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and (a == b or json.dumps(a) == json.dumps(b))


@given(_raw)
def test_decoding_relation_data_matches_json_loads_or_the_raw_text(raw: str) -> None:
    assert _same(_decode(raw), _reference(raw))


def test_plain_addresses_and_names_are_read_as_they_are() -> None:
    assert _decode('10.0.0.1') == '10.0.0.1' and _decode('db-0.example.com') == 'db-0.example.com'
    assert _decode('8080') == 8080 and _decode('{"a": [1]}') == {'a': [1]}
    assert _decode(None) is None
