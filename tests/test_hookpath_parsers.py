"""The hook path's hand-written parsers accept and read exactly what the regular
expressions they replace (kept here as the specification) accept and read."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactops._private import jujunames
from reactops.framework import Handle, _split_segment
from reactops.jujuversion import JujuVersion

# The patterns as they were before the parsers were written out.
VERSION = re.compile(r'^(?P<major>\d{1,9})\.(?P<minor>\d{1,9})'
                     r'(?:(?:\.|-(?P<tag>[a-z]+))(?P<patch>\d{1,9}))?'
                     r'(?:\.(?P<build>\d{1,9}))?$')
SAFE_UNIT = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/[0-9]{1,9}$')
RELATION_ID = re.compile(r'^(?:[A-Za-z0-9][A-Za-z0-9_.-]*:)?([0-9]{1,18})$')
SEGMENT = re.compile(r'([^\[\]]+)(?:\[(.*)\])?')

VERSIONISH = st.text(alphabet='0123456789.-abz\n٣A', max_size=14)


def version_by_pattern(text: str) -> tuple[int, int, str, int, int] | None:
    match = VERSION.match(text)
    if match is None:
        return None
    return (int(match['major']), int(match['minor']), match['tag'] or '',
            int(match['patch'] or 0), int(match['build'] or 0))


@settings(max_examples=3000, deadline=None)
@given(VERSIONISH | st.from_regex(VERSION, fullmatch=True))
def test_juju_versions_are_read_as_the_pattern_reads_them(text: str) -> None:
    expected = version_by_pattern(text)
    try:
        version = JujuVersion(text)
    except RuntimeError:
        assert expected is None
    else:
        assert (version.major, version.minor, version.tag, version.patch,
                version.build) == expected
    # JUJU_VERSION as a hook checks it: the whole text, no trailing line break.
    fully = VERSION.fullmatch(text) is not None
    assert (jujunames.version_problem(text) is None) == fully


@pytest.mark.parametrize('text', ['3.6.1', '3.1-beta1', '2.9.1.1', '3.6', '3.6.1\n',
                                  '1234567890.1', '3.6.1.2.3', '3.-1', '3.1-1', '٣.6.1'])
def test_juju_version_edge_cases(text: str) -> None:
    test_juju_versions_are_read_as_the_pattern_reads_them.hypothesis.inner_test(text)


def test_a_juju_version_must_be_text() -> None:
    with pytest.raises(TypeError):
        JujuVersion(361)  # type: ignore[arg-type]


UNITISH = st.text(alphabet='aZ09_.-/:\n é', max_size=12)


@settings(max_examples=3000, deadline=None)
@given(UNITISH | st.from_regex(SAFE_UNIT, fullmatch=True)
       | st.from_regex(RELATION_ID, fullmatch=True))
def test_unit_names_and_relation_ids_are_checked_as_the_patterns_check_them(text: str) -> None:
    assert (jujunames.unit_name_problem(text) is None) == (SAFE_UNIT.fullmatch(text) is not None)
    match = RELATION_ID.fullmatch(text)
    assert (jujunames.relation_id_problem(text) is None) == (match is not None)
    if match is None:
        with pytest.raises(ValueError):
            jujunames.parse_relation_id(text)
    else:
        assert jujunames.parse_relation_id(text) == int(match[1])


@pytest.mark.parametrize('text', ['a' * 100 + '/1', 'a' * 101 + '/1', 'a/1234567890', 'db:7',
                                  '7', ':7', 'a:b:7', 'db:' + '1' * 19, '.a/1', 'a/1\n'])
def test_unit_name_and_relation_id_edge_cases(text: str) -> None:
    test_unit_names_and_relation_ids_are_checked_as_the_patterns_check_them.hypothesis \
        .inner_test(text)


def test_handle_path_segments_are_split_as_the_pattern_splits_them() -> None:
    for size in range(7):  # every segment of up to 6 of these characters
        for chars in itertools.product('a[]\n1', repeat=size):
            segment = ''.join(chars)
            match = SEGMENT.fullmatch(segment)
            assert _split_segment(segment) == (match.groups() if match else (None, None))


def test_a_handle_path_reads_back() -> None:
    handle = Handle.from_path('MyCharm/on/config_changed[4]')
    assert (handle.kind, handle.key, handle.path) == ('config_changed', '4',
                                                       'MyCharm/on/config_changed[4]')
    with pytest.raises(RuntimeError, match='malformed segment'):
        Handle.from_path('MyCharm/on]/x')
