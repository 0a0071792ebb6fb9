"""Bad charm YAML (issue 17, findings 1 and 7): bounded work whatever the text holds.

A few hundred bytes of nested YAML aliases stand for billions of values; a recursive alias
stands for an endless one; a repeated key silently loses a value; a config.yaml without
``options:`` silently declares nothing. Each is one ``MetadataError`` naming the file
(and the line where there is one), found in milliseconds, in every file reactops reads:
metadata, config, actions, charmcraft.yaml, and the local model's bundles.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from charmrun import CharmUnit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runmode import examples

from reactops._private.yaml import (
    MAX_ALIAS_VALUES,
    MAX_BYTES,
    MAX_DEPTH,
    YAMLBoundError,
    load_bounded,
)
from reactops.errors import MetadataError
from reactops.meta import CharmMeta


def alias_bomb(levels: int, key: str = 'x-anything') -> str:
    """A "billion laughs" document under *key*: each level is nine aliases of the one
    before, so it stands for 9**levels values in a few hundred bytes."""
    lines = [f'{key}:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for level in range(1, levels + 1):
        refs = ', '.join([f'*l{level - 1}'] * 9)
        lines.append(f'  l{level}: &l{level} [{refs}]')
    return '\n'.join(lines) + '\n'


def charm_dir(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / 'charm'
    root.mkdir(exist_ok=True)
    files.setdefault('metadata.yaml', 'name: demo\n')
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def refused_quickly(root: Path, *causes: str) -> None:
    """Reading the charm in *root* (with the metadata cache, as a hook does) must raise
    one MetadataError naming every cause, within a fraction of a second."""
    started = time.monotonic()
    with pytest.raises(MetadataError) as caught:
        CharmMeta.from_charm_root(root, cache_file=root / '.reactops-meta.json')
    assert time.monotonic() - started < 1.0
    for cause in causes:
        assert cause in str(caught.value)
    assert not (root / '.reactops-meta.json').exists()  # nothing refused is cached


# -- finding 1: alias bombs and recursive aliases ---------------------------------------


@pytest.mark.parametrize('levels', [7, 9, 30])
def test_a_metadata_alias_bomb_under_an_unknown_key_is_refused_in_milliseconds(
        tmp_path: Path, levels: int) -> None:
    text = 'name: demo\n' + alias_bomb(levels)
    assert len(text) < 2000
    refused_quickly(charm_dir(tmp_path, **{'metadata.yaml': text}),
                    'metadata.yaml', 'alias bomb', f'the {MAX_ALIAS_VALUES}')


@pytest.mark.parametrize('name', ['config.yaml', 'actions.yaml'])
def test_an_alias_bomb_in_config_or_actions_is_refused(tmp_path: Path, name: str) -> None:
    key = 'options' if name == 'config.yaml' else 'backup'
    refused_quickly(charm_dir(tmp_path, **{name: alias_bomb(8, key)}), name, 'alias bomb')


def test_an_alias_bomb_in_charmcraft_yaml_is_refused(tmp_path: Path) -> None:
    root = tmp_path / 'charm'
    root.mkdir()
    (root / 'charmcraft.yaml').write_text('name: demo\ntype: charm\n' + alias_bomb(8))
    refused_quickly(root, 'charmcraft.yaml', 'alias bomb')


def test_a_metadata_alias_bomb_fails_the_hook_quickly_and_writes_nothing(
        tmp_path: Path) -> None:
    source = tmp_path / 'source'
    (source / 'src').mkdir(parents=True)
    (source / 'src' / 'charm.py').write_text(
        'import reactops\n\nclass C(reactops.CharmBase):\n    pass\n\n'
        "if __name__ == '__main__':\n    reactops.main(C)\n")
    (source / 'metadata.yaml').write_text('name: demo\n' + alias_bomb(9))
    unit = CharmUnit(tmp_path / 'unit', source, 'demo/0')
    started = time.monotonic()
    result = unit.run('hooks/install')
    assert time.monotonic() - started < 15  # a process start; the bomb alone took minutes
    assert result.returncode == 1
    assert 'MetadataError' in result.stderr and 'metadata.yaml' in result.stderr
    assert not unit.state_file.exists()


@pytest.mark.parametrize('text', [
    'x: &r [*r]\n',
    'x: &r {self: *r}\n',
    'a: &a [1, {b: &b [*a]}]\n',
    'x: &r\n  - 1\n  - *r\n',
])
def test_a_recursive_alias_is_a_metadata_error_not_a_recursion_error(
        tmp_path: Path, text: str) -> None:
    refused_quickly(charm_dir(tmp_path, **{'metadata.yaml': 'name: demo\n' + text}),
                    'metadata.yaml', 'recursive alias', 'line ')
    with pytest.raises(MetadataError, match='recursive alias'):
        CharmMeta.from_yaml('name: demo\n' + text)


def test_the_python_loader_is_bounded_too() -> None:
    with pytest.raises(YAMLBoundError, match='alias bomb'):
        load_bounded(alias_bomb(9), pure=True)
    with pytest.raises(YAMLBoundError, match='recursive alias'):
        load_bounded('x: &r [*r]', pure=True)
    with pytest.raises(YAMLBoundError, match='nested'):
        load_bounded('[' * 3000 + ']' * 3000, pure=True)  # its composer recurses


def test_aliases_that_share_a_little_still_load() -> None:
    text = ('defaults: &d {type: string, description: shared}\n'
            'options:\n' + ''.join(f'  o{i}: *d\n' for i in range(200)))
    data = load_bounded(text)
    assert data['options']['o199'] == {'type': 'string', 'description': 'shared'}
    meta = CharmMeta.from_yaml('name: demo', config=text.replace('defaults', 'x-defaults'))
    assert meta.config['o0'].type == 'string'


def test_merge_keys_work_and_may_override() -> None:
    data = load_bounded('base: &b {a: 1, b: 2}\nmine:\n  <<: *b\n  b: 3\n')
    assert data['mine'] == {'a': 1, 'b': 3}


# -- bounded size and depth -------------------------------------------------------------


def test_an_oversized_charm_yaml_file_is_refused(tmp_path: Path) -> None:
    text = 'name: demo\ndescription: "' + 'x' * MAX_BYTES + '"\n'
    refused_quickly(charm_dir(tmp_path, **{'metadata.yaml': text}),
                    'metadata.yaml', f'more than the {MAX_BYTES}')
    with pytest.raises(MetadataError, match='bytes, more than'):
        CharmMeta.from_yaml(text)


def test_nesting_past_the_limit_is_refused_naming_the_line(tmp_path: Path) -> None:
    deep = 'name: demo\nx: ' + '[' * (MAX_DEPTH + 5) + ']' * (MAX_DEPTH + 5) + '\n'
    refused_quickly(charm_dir(tmp_path, **{'metadata.yaml': deep}),
                    'metadata.yaml', f'more than {MAX_DEPTH} levels')
    ok = 'name: demo\nx: ' + '[' * (MAX_DEPTH - 2) + ']' * (MAX_DEPTH - 2) + '\n'
    assert CharmMeta.from_yaml(ok).name == 'demo'


# -- finding 7: repeated keys -----------------------------------------------------------


@pytest.mark.parametrize(('name', 'text', 'key', 'line'), [
    ('metadata.yaml', 'name: demo\nsummary: a\nsummary: b\n', "'summary'", 3),
    ('config.yaml', 'options:\n  port: {type: int}\n  port:\n    type: string\n', "'port'", 3),
    ('actions.yaml', 'backup: {}\nrestore: {}\nbackup:\n  description: x\n', "'backup'", 3),
    ('metadata.yaml', 'name: demo\nrequires:\n  db: {interface: a, interface: b}\n',
     "'interface'", 3),
    ('metadata.yaml', 'name: demo\n1: a\n0x1: b\n', '1', 3),  # the same key, spelled twice
])
def test_a_repeated_yaml_key_is_an_error_naming_the_key_and_line(
        tmp_path: Path, name: str, text: str, key: str, line: int) -> None:
    refused_quickly(charm_dir(tmp_path, **{name: text}),
                    name, f'line {line}: the key {key} appears twice', 'first on line')


# -- finding 7: config.yaml without options -----------------------------------------------


def test_config_yaml_without_options_is_an_error_naming_the_file(tmp_path: Path) -> None:
    refused_quickly(charm_dir(tmp_path, **{'config.yaml': 'port:\n  type: int\n'
                                                          'name:\n  default: x\n'}),
                    'config.yaml', 'no "options" key', "'name', 'port' look like options")
    refused_quickly(charm_dir(tmp_path, **{'config.yaml': 'version: 2\n'}),
                    'config.yaml', 'no "options" key')


@pytest.mark.parametrize('text', ['', 'options:\n', 'options: {}\n', '{}\n'])
def test_an_empty_config_yaml_still_declares_no_options(tmp_path: Path, text: str) -> None:
    meta = CharmMeta.from_charm_root(charm_dir(tmp_path, **{'config.yaml': text}))
    assert meta.config == {}


def test_charmcraft_config_without_options_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / 'charm'
    root.mkdir()
    (root / 'charmcraft.yaml').write_text(
        'name: demo\ntype: charm\nconfig:\n  port: {type: int}\n')
    refused_quickly(root, 'charmcraft.yaml: config', 'no "options" key')


# -- the same loader for the local model's bundles -------------------------------------------


def test_a_bundle_is_read_with_the_bounded_loader(tmp_path: Path) -> None:
    from reactops.localmodel._bundle import load_bundle
    from reactops.localmodel._state import LocalModelError

    for text, cause in ((alias_bomb(9, 'applications'), 'alias bomb'),
                        ('applications: &r {a: *r}\n', 'recursive alias'),
                        ('applications:\n  a: {charm: x}\n  a: {charm: y}\n',
                         "the key 'a' appears twice")):
        bundle = tmp_path / 'bundle.yaml'
        bundle.write_text(text)
        with pytest.raises(LocalModelError) as caught:
            load_bundle(bundle)
        assert str(bundle) in str(caught.value) and cause in str(caught.value)


# -- any text: a result or one MetadataError, quickly (hypothesis) ------------------------

_FRAGMENTS = st.sampled_from([
    'name: demo\n', 'x: &a [1, 2]\n', 'y: *a\n', 'z: &b [*a, *a, *a]\n', 'w: [*b, *b, *b]\n',
    'r: &r [*r]\n', 'm: &m {k: *m}\n', 'name: again\n', 'options:\n', '  o: {type: int}\n',
    '  o: {type: string}\n', '  <<: {type: int}\n', 'd: 2001-13-45\n',
    'n: ' + '9' * 5000 + '\n', 'q: [[[[[[[[[[1]]]]]]]]]]\n', 'bad: [\n', '- list\n',
    '? [1]\n: x\n', 'v: !!binary "!!"\n', 't: !!python/object:os.system x\n', '"\\x00"\n',
    'k: "\\ud800"\n', '\t\n', 'e: &e\n', 's: !!set {a, b}\n', 'f: .nan\n', 'i: 1e999\n',
    'options: &o {a: {type: int}}\n', 'o2: *o\n', '1: x\n', 'true: y\n',
])


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=12)), max_size=8),
       st.sampled_from(['metadata', 'config', 'actions']))
def test_any_charm_yaml_gives_a_result_or_one_metadata_error_quickly(
        fragments: list[str], part: str) -> None:
    text = ''.join(fragments)
    started = time.monotonic()
    try:
        if part == 'metadata':
            CharmMeta.from_yaml(text)
        else:
            CharmMeta.from_yaml('name: demo', **{part: text})
    except MetadataError as error:
        assert f'{part}.yaml' in str(error)
    assert time.monotonic() - started < 0.5


@settings(max_examples=examples(200), deadline=None)
@given(st.recursive(st.one_of(st.none(), st.integers(), st.text(max_size=5)),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.text(max_size=4), inner,
                                                            max_size=3)), max_leaves=20))
def test_yaml_without_aliases_or_repeats_loads_as_pyyaml_loads_it(value: object) -> None:
    text = yaml.safe_dump(value)
    assert load_bounded(text) == yaml.safe_load(text)
