"""Bundle files: what a valid one gives, and the error each mistake gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops.localmodel import LocalModelError, bundle_from_charm_dirs, load_bundle

REPO = Path(__file__).resolve().parents[1]
CHARMS = Path(__file__).resolve().parent / 'localmodel'


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / 'shop').symlink_to(CHARMS / 'shop')
    path = tmp_path / 'bundle.yaml'
    path.write_text(text)
    return path


def test_the_example_bundle() -> None:
    bundle = load_bundle(REPO / 'examples' / 'webapp-bundle.yaml')
    assert [(a.name, a.charm.name, a.units) for a in bundle.applications] == [
        ('webapp', 'reactive-webapp', 1), ('tinydb', 'tinydb', 1)]
    assert bundle.relations == (('webapp:database', 'tinydb:db'),)


def test_juju_spellings_are_accepted(tmp_path: Path) -> None:
    bundle = load_bundle(write(tmp_path, 'applications:\n  s:\n    charm: ./shop\n'
                                         '    num_units: 2\n    options: {greeting: yo}\n'))
    assert bundle.applications[0].units == 2
    assert bundle.applications[0].config == {'greeting': 'yo'}


@pytest.mark.parametrize(('text', 'error'), [
    ('[1, 2]', 'must be a mapping with an "applications" mapping'),
    ('applications: {s: {units: 1}}', 'application \'s\' needs "charm: DIR"'),
    ('applications: {s: {charm: ./nowhere}}', 'does not exist'),
    ('applications: {s: {charm: ./shop, units: 0}}', 'units must be a whole number'),
    ('applications: {s: {charm: ./shop, colour: red}}', 'unknown key(s) colour'),
    ('applications: {s: {charm: ./shop}}\nrelations: [[s, t]]',
     "names application 't', which the bundle does not deploy"),
    ('applications: {s: {charm: ./shop}}\nrelations: [s]', 'must be a pair'),
    ('applications: {s: {charm: ./shop}', 'is not valid YAML'),
])
def test_mistakes_are_named(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(LocalModelError, match='bundle .*bundle.yaml') as info:
        load_bundle(write(tmp_path, text))
    assert error in str(info.value)


def test_charm_dirs_deploy_under_their_names() -> None:
    bundle = bundle_from_charm_dirs([CHARMS / 'shop', CHARMS / 'depot'])
    assert [a.name for a in bundle.applications] == ['shop', 'depot']
    with pytest.raises(LocalModelError, match="charm 'shop' given twice"):
        bundle_from_charm_dirs([CHARMS / 'shop', CHARMS / 'shop'])
