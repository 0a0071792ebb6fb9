"""A layer's YAML written without PyYAML is exactly what PyYAML writes, or left to it."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from runmode import examples

from reactops import pebble
from reactops._private.pebble_yaml import dump

WORDS = ['web', 'PORT', 'echo bar', 'python3 -m http.server 8080', 'on', 'yes', 'No', 'null',
         '8080', 'a:b', 'x #y', ' lead', 'trail ', 'a  b', '/usr/bin/x --flag=1', '', 'é',
         'True', '~', '-x', 'a-b', 'e5', '_1', 'x' * 75, '@x', '%x', 'a,b', "it's", 'n', 'Off']
scalars = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.integers(),
                    st.booleans(), st.none(), st.floats(allow_nan=False))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), inner, max_size=3)),
    max_leaves=12)
documents = st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), values, max_size=4)


@settings(max_examples=examples(400))
@given(documents)
def test_the_text_is_pyyamls_whenever_it_is_written(document: dict[str, Any]) -> None:
    text = dump(document)
    if text is not None:
        assert text == yaml.safe_dump(document)


def test_a_usual_layer_needs_no_pyyaml() -> None:
    layer = pebble.Layer({
        'summary': 'web layer',
        'services': {'web': {
            'override': 'replace', 'command': 'python3 -m http.server 8080',
            'startup': 'enabled', 'environment': {'PORT': '8080', 'MODE': 'production'},
            'after': ['db', 'cache'], 'user-id': 1000, 'on-check-failure': {'up': 'restart'}}},
        'checks': {'up': {'override': 'replace', 'level': 'alive', 'threshold': 3,
                          'http': {'url': 'http://localhost:8080/'}}},
    })
    assert dump(layer.to_dict()) is None  # the check's URL has a colon: PyYAML writes it
    del layer.checks['up']
    text = dump(layer.to_dict())
    assert text is not None and text == yaml.safe_dump(layer.to_dict())
    assert layer.to_yaml() == text


def test_values_pyyaml_would_quote_are_left_to_it() -> None:
    for value in ['a: b', ' x', 'x ', '', 1.5, 'é', '-x', 'x' * 80, 'tRue', '0x1F']:
        assert dump({'key': value}) is None, value
    assert dump({}) == '{}\n'


def test_words_and_numbers_yaml_would_misread_are_quoted_as_pyyaml_does() -> None:
    for value in ['on', 'Yes', 'FALSE', 'null', '8080', '0755']:
        assert dump({'key': value}) == f"key: '{value}'\n" == yaml.safe_dump({'key': value})
