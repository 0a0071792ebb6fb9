"""The charm's metadata as reactops reads it: legacy files, unified charmcraft.yaml, and the
errors a charm author sees for a malformed file."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reactops.errors import MetadataError, ReactopsError
from reactops.meta import (
    SOURCE_FILES,
    ActionMeta,
    CharmMeta,
    ConfigMeta,
    ContainerBase,
    ContainerStorageMeta,
    JujuAssumes,
    JujuAssumesCondition,
    MetadataLinks,
    RelationMeta,
    RelationRole,
)

CHARMS = Path(__file__).parent / 'charms'


def write_charm(root: Path, **files: str) -> Path:
    """Write a charm directory; keyword names use '_' for '.', e.g. metadata_yaml."""
    for name, text in files.items():
        (root / name.replace('_yaml', '.yaml')).write_text(textwrap.dedent(text))
    return root


# -- the legacy layout -----------------------------------------------------------------


def test_legacy_layout_reads_metadata_config_and_actions():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_legacy')

    assert meta.name == 'wiki'
    assert meta.summary == 'A wiki for the team.'
    assert meta.description.startswith('Runs a small wiki')
    assert meta.tags == ['misc', 'web']
    assert meta.terms == ['wiki-eula/1']
    assert meta.series == ['jammy', 'focal']
    assert meta.min_juju_version == '2.9.0'
    assert meta.subordinate is False
    assert meta.charm_user == 'root'
    assert meta.assumes == JujuAssumes(features=[])
    assert set(meta.config) == {'port', 'title', 'ratio', 'debug', 'admin-password'}
    assert set(meta.actions) == {'backup', 'reindex', 'rotate-logs'}
    root = os.path.join(CHARMS, 'meta_legacy')
    assert meta.sources == tuple(os.path.join(root, f)
                                 for f in ('metadata.yaml', 'actions.yaml', 'config.yaml'))


def test_maintainers_and_links_from_metadata_yaml():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_legacy')

    # `maintainer` first, then `maintainers`: what ops gives for the same file.
    assert meta.maintainers == ['Ada Lovelace <ada@example.com>',
                                'Charles Babbage <charles@example.com>']
    assert meta.links == MetadataLinks(
        websites=['https://wiki.example.com'],
        sources=['https://git.example.com/wiki-operator',
                 'https://mirror.example.com/wiki-operator'],
        issues=['https://git.example.com/wiki-operator/issues'],
        documentation='https://discourse.example.com/t/wiki-docs/1',
    )


def test_relations_by_role_and_their_union():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_legacy')

    assert list(meta.requires) == ['db', 'logging']
    assert list(meta.provides) == ['website']
    assert list(meta.peers) == ['cluster']
    assert list(meta.relations) == ['db', 'logging', 'website', 'cluster']
    db = meta.relations['db']
    assert (db.role, db.relation_name, db.interface_name) == (RelationRole.requires, 'db', 'pgsql')
    assert (db.limit, db.scope, db.optional) == (1, 'global', False)
    assert meta.requires['logging'].optional is True
    assert meta.requires['logging'].limit is None
    assert meta.peers['cluster'].role.is_peer()
    assert not meta.provides['website'].role.is_peer()


def test_storage_resources_payloads_and_extra_bindings():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_legacy')

    pages = meta.storages['pages']
    assert pages.storage_name == 'pages'
    assert pages.type == 'filesystem'
    assert pages.description == 'Page attachments.'
    assert pages.location == '/srv/wiki'
    assert pages.minimum_size == '10G'
    assert (pages.shared, pages.read_only) == (False, False)
    assert pages.multiple_range == (1, 3)
    assert pages.properties == ['transient']
    snap = meta.resources['wiki-snap']
    assert (snap.resource_name, snap.type, snap.filename) == ('wiki-snap', 'file', 'wiki.snap')
    assert snap.description == 'The wiki snap, for offline installs.'
    assert (meta.payloads['indexer'].payload_name, meta.payloads['indexer'].type) == (
        'indexer', 'docker')
    assert meta.extra_bindings == {'data-port': None}
    assert meta.containers == {}


def test_config_types_and_defaults():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_legacy')

    assert meta.config['port'] == ConfigMeta('port', 'int', 8080, 'The port the wiki listens on.')
    assert meta.config['title'] == ConfigMeta('title', 'string', 'Our wiki', None)
    assert meta.config['ratio'] == ConfigMeta('ratio', 'float', 1, None)  # an int is a float
    assert meta.config['debug'] == ConfigMeta('debug', 'boolean', False, None)
    assert meta.config['admin-password'].type == 'secret'
    assert meta.config['admin-password'].default is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.config['port'].default = 1  # type: ignore[misc]


def test_actions_params_required_and_additional_properties(monkeypatch):
    monkeypatch.setenv('JUJU_VERSION', '3.6.4')
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_legacy')

    backup = meta.actions['backup']
    assert backup.name == 'backup'
    assert backup.description == 'Back the pages up.'
    assert backup.parameters == {
        'target': {'type': 'string', 'description': 'Where to send the backup.'},
        'compress': {'type': 'boolean', 'default': True},
    }
    assert backup.params is backup.parameters
    assert backup.required == ['target']
    assert backup.additional_properties is False  # set explicitly
    reindex = meta.actions['reindex']
    assert (reindex.title, reindex.description) == ('Rebuild the search index', '')
    assert reindex.additional_properties is True  # Juju 3's default
    # An action with nothing under it is valid: no parameters at all.
    rotate = meta.actions['rotate-logs']
    assert (rotate.parameters, rotate.required, rotate.title) == ({}, [], '')


@pytest.mark.parametrize(('env', 'arg', 'expected'), [
    (None, None, True),          # not under Juju: Juju 3's default
    ('2.9.46', None, True),
    ('3.6.1', None, True),
    ('4.0.0', None, False),
    ('4.0-beta2', None, False),
    ('4.1.0', '3.6.0', True),    # the argument wins over the environment
    ('3.6.0', '4.0.0', False),
])
def test_additional_properties_default_follows_the_juju_version(monkeypatch, env, arg, expected):
    if env is None:
        monkeypatch.delenv('JUJU_VERSION', raising=False)
    else:
        monkeypatch.setenv('JUJU_VERSION', env)

    action = ActionMeta('a', {'params': {}}, juju_version=arg)

    assert action.additional_properties is expected


def test_additional_properties_reads_juju_version_when_used(monkeypatch):
    monkeypatch.setenv('JUJU_VERSION', '3.6.0')
    meta = CharmMeta.from_yaml('name: x', 'a: {}')

    monkeypatch.setenv('JUJU_VERSION', '4.0.0')

    assert meta.actions['a'].additional_properties is False


# -- the unified charmcraft.yaml -------------------------------------------------------


def test_unified_charmcraft_yaml_holds_all_three_parts():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_unified')

    assert meta.name == 'wiki-k8s'
    assert meta.sources == (os.path.join(CHARMS, 'meta_unified', 'charmcraft.yaml'),)
    assert meta.config == {'log-level': ConfigMeta('log-level', 'string', 'info',
                                                   'How much the wiki logs.')}
    assert list(meta.actions) == ['backup']
    assert meta.actions['backup'].required == ['target']
    # What charmcraft pack would write to metadata.yaml: no build keys, no config/actions.
    for key in ('type', 'base', 'platforms', 'parts', 'charmhub', 'config', 'actions'):
        assert key not in meta.raw
    assert meta.config_raw['options']['log-level']['default'] == 'info'
    assert list(meta.relations) == ['db', 'metrics-endpoint', 'wiki-peers']


def test_unified_links_contact_and_charm_user():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_unified')

    # A list under links.contact adds each entry (ops would add the list as one item).
    assert meta.maintainers == ['Ada Lovelace <ada@example.com>',
                                'https://matrix.to/#/#wiki:example.com']
    assert meta.links == MetadataLinks(
        websites=['https://wiki.example.com'],
        sources=['https://git.example.com/wiki-k8s-operator'],
        issues=['https://git.example.com/wiki-k8s-operator/issues'],
        documentation='https://discourse.example.com/t/wiki-k8s-docs/2',
    )
    assert meta.charm_user == 'non-root'


def test_maintainers_merge_all_three_sources():
    meta = CharmMeta({'maintainer': 'a@example.com', 'maintainers': ['b@example.com'],
                      'links': {'contact': 'c@example.com'}})

    assert meta.maintainers == ['a@example.com', 'b@example.com', 'c@example.com']


def test_top_level_links_win_over_the_links_section():
    meta = CharmMeta({'website': 'https://a.example.com', 'docs': 'https://docs.example.com',
                      'links': {'website': ['https://b.example.com'],
                                'documentation': 'https://other.example.com',
                                'source': 'https://src.example.com'}})

    assert meta.links.websites == ['https://a.example.com']
    assert meta.links.documentation == 'https://docs.example.com'
    assert meta.links.sources == ['https://src.example.com']


def test_assumes_nesting():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_unified')

    assert meta.assumes == JujuAssumes(
        features=[
            'k8s-api',
            JujuAssumes(
                features=['juju >= 3.6',
                          JujuAssumes(features=['juju >= 3.4', 'juju < 3.5'],
                                      condition=JujuAssumesCondition.ALL)],
                condition=JujuAssumesCondition.ANY),
        ],
        condition=JujuAssumesCondition.ALL,
    )
    assert JujuAssumes.from_list(['a', {'any-of': ['b', 'c']}]).features[1] == JujuAssumes(
        ['b', 'c'], JujuAssumesCondition.ANY)


def test_containers_with_resource_bases_and_mounts():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_unified')

    wiki = meta.containers['wiki']
    assert (wiki.name, wiki.resource, wiki.bases) == ('wiki', 'wiki-image', None)
    assert wiki.mounts['cache'].location == '/var/cache/wiki'
    pages = wiki.mounts['pages']
    assert pages.locations == ['/srv/pages', '/srv/pages-archive']
    with pytest.raises(RuntimeError, match='pages.*locations'):
        _ = pages.location
    indexer = meta.containers['indexer']
    assert indexer.resource is None
    assert indexer.bases == [ContainerBase('ubuntu', '22.04', ['amd64', 'arm64'])]
    assert indexer.mounts == {}
    assert meta.resources['wiki-image'].type == 'oci-image'
    assert meta.storages['cache'].minimum_size == '1G'


def test_container_storage_meta_on_its_own():
    mount = ContainerStorageMeta('data', '/a')
    assert (mount.storage, mount.location, mount.locations) == ('data', '/a', ['/a'])
    mount.add_location('/b')
    assert mount.locations == ['/a', '/b']


@pytest.mark.parametrize(('text', 'expected'), [
    ('3', (3, 3)),
    (3, (3, 3)),
    ('1-5', (1, 5)),
    ('2-', (2, None)),
    ('2+', (2, None)),
    ('0-1', (0, 1)),
])
def test_storage_multiple_ranges(text, expected):
    meta = CharmMeta({'storage': {'d': {'type': 'block', 'multiple': {'range': text}}}})

    assert meta.storages['d'].multiple_range == expected
    assert meta.storages['d'].type == 'block'


def test_subordinate_with_container_scope():
    meta = CharmMeta.from_yaml(textwrap.dedent("""
        name: log-shipper
        subordinate: true
        requires:
          juju-info:
            interface: juju-info
            scope: container
        provides:
          logs: syslog
    """))

    assert meta.subordinate is True
    assert meta.requires['juju-info'].scope == 'container'
    # The Juju shorthand: an endpoint given by its interface name alone.
    assert meta.provides['logs'].interface_name == 'syslog'
    assert meta.provides['logs'].scope == 'global'


def test_relation_meta_and_role_on_their_own():
    rel = RelationMeta(RelationRole.peer, 'cluster', {'interface': 'c', 'limit': 2})

    assert (rel.relation_name, rel.interface_name, rel.limit) == ('cluster', 'c', 2)
    assert rel.role.is_peer()
    assert RelationRole('requires') is RelationRole.requires
    with pytest.raises(MetadataError, match=r'^metadata.yaml: peers.cluster.interface: '):
        RelationMeta(RelationRole.peer, 'cluster', {})


# -- which file wins -------------------------------------------------------------------


def test_metadata_yaml_wins_over_charmcraft_yaml():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_both')

    assert meta.name == 'packed'
    assert meta.summary == 'What charmcraft pack wrote.'
    assert list(meta.config) == ['packed-option']
    # No actions.yaml: the actions come from charmcraft.yaml, as charmcraft merges them.
    assert list(meta.actions) == ['from-charmcraft']


def test_legacy_metadata_with_config_in_charmcraft_yaml(tmp_path):
    write_charm(tmp_path, metadata_yaml='name: mixed\n', charmcraft_yaml="""
        type: charm
        bases: [{name: ubuntu, channel: '22.04'}]
        config:
          options:
            colour: {type: string, default: blue}
    """)

    meta = CharmMeta.from_charm_root(tmp_path)

    assert meta.name == 'mixed'
    assert meta.config['colour'].default == 'blue'
    assert meta.actions == {}
    assert meta.sources == (str(tmp_path / 'charmcraft.yaml'), str(tmp_path / 'metadata.yaml'))


def test_charmcraft_yaml_not_read_when_the_legacy_files_are_all_there(tmp_path):
    write_charm(tmp_path, metadata_yaml='name: x\n', config_yaml='options: {}\n',
                actions_yaml='{}\n', charmcraft_yaml='this: is: not yaml')

    meta = CharmMeta.from_charm_root(str(tmp_path))

    assert str(tmp_path / 'charmcraft.yaml') not in meta.sources
    assert set(SOURCE_FILES) == {'metadata.yaml', 'config.yaml', 'actions.yaml',
                                 'charmcraft.yaml'}


def test_no_metadata_at_all(tmp_path):
    with pytest.raises(MetadataError, match='no charm metadata found') as exc:
        CharmMeta.from_charm_root(tmp_path)
    assert str(tmp_path) in str(exc.value)


def test_charmcraft_yaml_without_a_name_is_not_metadata(tmp_path):
    write_charm(tmp_path, charmcraft_yaml='type: charm\nparts: {}\n')

    with pytest.raises(MetadataError, match='no metadata.yaml, and no charmcraft.yaml'):
        CharmMeta.from_charm_root(tmp_path)


def test_metadata_yaml_without_a_name(tmp_path):
    write_charm(tmp_path, metadata_yaml='summary: nameless\n')

    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_charm_root(tmp_path)
    assert str(exc.value).startswith(f'{tmp_path / "metadata.yaml"}: name: ')


def test_errors_from_files_name_the_path(tmp_path):
    write_charm(tmp_path, charmcraft_yaml="""
        name: x
        config:
          options:
            port: {type: int, default: eighty}
    """)

    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_charm_root(tmp_path)
    assert str(exc.value).startswith(
        f"{tmp_path / 'charmcraft.yaml'}: config.options.port.default: expected an integer")


# -- building from YAML text and from dicts --------------------------------------------


def test_from_yaml_takes_text_or_files():
    meta = CharmMeta.from_yaml(io.StringIO('name: x\n'), io.StringIO('go: {}\n'),
                               io.StringIO('options:\n'))

    assert (meta.name, list(meta.actions), meta.config) == ('x', ['go'], {})
    assert meta.sources == ()


def test_from_yaml_accepts_a_whole_charmcraft_yaml():
    meta = CharmMeta.from_yaml((CHARMS / 'meta_unified' / 'charmcraft.yaml').read_text())

    assert list(meta.config) == ['log-level']
    assert list(meta.actions) == ['backup']
    assert 'parts' not in meta.raw


def test_from_yaml_refuses_actions_given_twice():
    with pytest.raises(MetadataError, match=r'^charmcraft.yaml: actions: .*one place'):
        CharmMeta.from_yaml('name: x\nactions: {a: {}}\n', actions='b: {}\n')


def test_empty_metadata_defaults():
    meta = CharmMeta()

    assert (meta.name, meta.summary, meta.description) == ('', '', '')
    assert meta.maintainers == meta.tags == meta.terms == meta.series == []
    assert meta.links == MetadataLinks([], [], [], None)
    assert meta.assumes == JujuAssumes([])
    assert (meta.subordinate, meta.min_juju_version, meta.charm_user) == (False, None, 'root')
    assert meta.relations == meta.storages == meta.resources == meta.containers == {}
    assert meta.actions == meta.config == meta.extra_bindings == {}
    assert (meta.raw, meta.actions_raw, meta.config_raw) == ({}, {}, {})


def test_empty_options_are_accepted():
    assert CharmMeta(config_raw={'options': None}).config == {}
    assert CharmMeta.from_yaml('name: x', config='').config == {}


def test_raw_dicts_rebuild_the_same_metadata_through_json():
    meta = CharmMeta.from_charm_root(CHARMS / 'meta_unified')
    stored = json.dumps([meta.raw, meta.actions_raw, meta.config_raw])

    again = CharmMeta(*json.loads(stored))

    assert again.name == meta.name
    assert again.assumes == meta.assumes
    assert again.links == meta.links
    assert again.config == meta.config
    assert again.containers['wiki'].mounts['pages'].locations == ['/srv/pages',
                                                                  '/srv/pages-archive']
    assert again.actions['backup'].parameters == meta.actions['backup'].parameters


def test_import_reads_no_file_and_no_yaml():
    code = 'import sys, reactops.meta; print("yaml" in sys.modules)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == 'False'


def test_yaml_is_loaded_safely():
    with pytest.raises(MetadataError, match=r'^metadata.yaml: line 1, column 7: '):
        CharmMeta.from_yaml("name: !!python/object/apply:os.system ['true']")


# -- errors: each names the file and the field, and says how to fix it -----------------

METADATA_ERRORS = [
    ('requires: {db: {interface: pg, limit: two}}',
     "requires.db.limit: limit should be an int, not <class 'str'> ('two')"),
    ('requires: {db: {limit: 1}}', 'requires.db.interface: this required field is missing'),
    ('provides: {db: [pg]}', 'provides.db: expected a mapping with an "interface" key'),
    ('requires: {db: {interface: pg, scope: local}}',
     "requires.db.scope: scope should be one of 'global', 'container'; not 'local'"),
    ('peers: {p: {interface: pg, optional: maybe}}',
     "peers.p.optional: expected true or false, got 'maybe'"),
    ('requires: {db: pg}\npeers: {db: pg-peer}',
     "peers.db: the endpoint name 'db' is also declared under requires"),
    ('requires: {1: {interface: pg}}', 'requires.1: expected a name, got 1'),
    ('requires: [db]', 'requires: expected a mapping, got a list'),
    ('subordinate: "yes"', "subordinate: expected true or false, got 'yes'"),
    ('name: [a]', 'name: expected a string, got a list'),
    ('tags: web', "tags: expected a list of strings, got 'web'"),
    ('series: [jammy, 22]', 'series[1]: expected a string, got 22'),
    ('min-juju-version: 2.9', 'min-juju-version: expected a string, got 2.9'),
    ('charm-user: admin', "charm-user: expected one of 'root', 'sudoer', 'non-root'"),
    ('website: {url: x}', 'website: expected a string or a list of strings, got a mapping'),
    ('links: {contact: [1]}', 'links.contact[0]: expected a string, got 1'),
    ('assumes: k8s-api', "assumes: expected a list of features, got 'k8s-api'"),
    ('assumes: [{one-of: [a]}]', 'assumes[0]: expected a single all-of or any-of key'),
    ('assumes: [{any-of: [a, {all-of: b}]}]',
     "assumes[0].any-of[1].all-of: expected a list of features, got 'b'"),
    ('storage: {d: {type: [disk]}}', 'storage.d.type: expected a string, got a list'),
    ('storage: {d: {location: /x}}', 'storage.d.type: this required field is missing'),
    ('storage: {d: {type: block, multiple: {range: 5-2}}}',
     "storage.d.multiple.range: expected a count or range ('2', '1-5', '1-' or '1+'), "
     "got '5-2'"),
    ('storage: {d: {type: block, multiple: {range: many}}}',
     'storage.d.multiple.range: expected a count or range'),
    ('storage: {d: {type: block, multiple: {}}}',
     'storage.d.multiple.range: this required field is missing'),
    ('storage: {d: {type: block, shared: 1}}', 'storage.d.shared: expected true or false'),
    ('resources: {img: {type: docker}}',
     "resources.img.type: expected one of 'file', 'oci-image', got 'docker'"),
    ('payloads: {p: {}}', 'payloads.p.type: this required field is missing'),
    ('containers: {c: {resource: img, bases: [{name: ubuntu, channel: "22.04"}]}}',
     'containers.c: a container may take its image from "resource" or from "bases", '
     'not both'),
    ('containers: {c: {bases: [{name: ubuntu}]}}',
     'containers.c.bases[0].channel: this required field is missing'),
    ('containers: {c: {mounts: {storage: d}}}',
     'containers.c.mounts: expected a list of {storage, location} mappings'),
    ('containers: {c: {mounts: [{location: /x}]}}',
     'containers.c.mounts[0].storage: this required field is missing'),
    ('extra-bindings: [a]', 'extra-bindings: expected a mapping, got a list'),
]


@pytest.mark.parametrize(('text', 'message'), METADATA_ERRORS)
def test_metadata_errors_name_the_file_and_field(text, message):
    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_yaml(text)

    assert str(exc.value).startswith(f'metadata.yaml: {message}')
    assert '; ' in str(exc.value)  # ... followed by the fix


def test_the_error_of_the_design_example():
    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_yaml('requires:\n  db:\n    interface: pgsql\n    limit: two\n')
    assert str(exc.value) == (
        "metadata.yaml: requires.db.limit: limit should be an int, not <class 'str'> ('two'); "
        'write a whole number such as 1, or leave it out for no limit')
    assert isinstance(exc.value, TypeError)  # the type ops raises


def test_what_ops_accepts_is_accepted():
    meta = CharmMeta.from_yaml(
        'name: x\nrequires: {db: {interface: pg, limit: true}}',
        config='options: {debug: {type: bool, default: true}, port: {type: integer}}',
        actions='backup: {required: target}')
    assert meta.requires['db'].limit is True
    assert (meta.config['debug'].type, meta.config['debug'].default) == ('bool', True)
    assert meta.config['port'].type == 'integer'
    assert meta.actions['backup'].required == 'target'  # kept as written, as ops keeps it
    with pytest.raises(MetadataError, match='expected true or false'):
        CharmMeta.from_yaml('name: x', config='options: {debug: {type: bool, default: 1}}')


CONFIG_ERRORS = [
    ('options: {port: {default: 80}}', 'options.port.type: this required field is missing'),
    ('options: {port: {type: int, default: eighty}}',
     "options.port.default: expected an integer (the option is of type 'int'), got 'eighty'"),
    ('options: {port: {type: int, default: true}}',
     "options.port.default: expected an integer (the option is of type 'int'), got True"),
    ('options: {port: {type: int, default: 1.5}}', 'options.port.default: expected an integer'),
    ('options: {r: {type: float, default: fast}}',
     "options.r.default: expected a number (the option is of type 'float'), got 'fast'"),
    ('options: {d: {type: boolean, default: "no"}}',
     "options.d.default: expected true or false (the option is of type 'boolean'), got 'no'"),
    ('options: {t: {type: string, default: 8080}}',
     "options.t.default: expected a string (the option is of type 'string'), got 8080"),
    ('options: {t: {type: string, default: 2024-01-01}}',
     'options.t.default: expected a string (the option is of type '),
    ('options: {s: {type: secret, default: 5}}', 'options.s.default: expected a secret URI'),
    ('options: {t: {type: string, description: [a]}}',
     'options.t.description: expected a string, got a list'),
    ('options: {t: string}', "options.t: expected a mapping, got 'string'"),
    ('options: [port]', 'options: expected a mapping, got a list'),
    ('- options', 'expected a mapping of keys at the top level, got a list'),
    ('options: {a: b: c}', 'line 1, column 15: '),
]


@pytest.mark.parametrize(('text', 'message'), CONFIG_ERRORS)
def test_config_errors_name_the_file_and_field(text, message):
    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_yaml('name: x', config=text)

    assert str(exc.value).startswith(f'config.yaml: {message}')
    assert '; ' in str(exc.value)


ACTIONS_ERRORS = [
    ('backup: {params: [target]}',
     'backup.params: expected a mapping of parameter names to schemas, got a list'),
    ('backup: {params: {target: string}}',
     "backup.params.target: expected a JSON schema mapping, got 'string'"),
    ('backup: {additionalProperties: sometimes}',
     "backup.additionalProperties: expected true or false, got 'sometimes'"),
    ('backup: {description: [a]}', 'backup.description: expected a string, got a list'),
    ('backup: 5', 'backup: expected a mapping, got 5'),
    ('[backup]', 'expected a mapping of keys at the top level, got a list'),
]


@pytest.mark.parametrize(('text', 'message'), ACTIONS_ERRORS)
def test_actions_errors_name_the_file_and_field(text, message):
    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_yaml('name: x', actions=text)

    assert str(exc.value).startswith(f'actions.yaml: {message}')
    assert '; ' in str(exc.value)


@pytest.mark.parametrize('text', ['name: [', 'a: b: c', 'key: "unclosed'])
def test_malformed_yaml_names_the_line(text):
    with pytest.raises(MetadataError, match=r'^metadata.yaml: line \d+, column \d+: .*YAML'):
        CharmMeta.from_yaml(text)


@pytest.mark.parametrize('text', ['- a\n- b\n', 'just text\n', '42\n'])
def test_top_level_must_be_a_mapping(text):
    with pytest.raises(MetadataError, match='^metadata.yaml: expected a mapping of keys'):
        CharmMeta.from_yaml(text)


def test_unified_errors_point_into_charmcraft_yaml():
    with pytest.raises(MetadataError) as exc:
        CharmMeta.from_yaml('name: x\ntype: charm\nactions: {go: {params: 1}}\n')
    assert str(exc.value).startswith('charmcraft.yaml: actions.go.params: expected a mapping')


def test_errors_from_dicts_and_the_exception_hierarchy():
    with pytest.raises(MetadataError) as exc:
        CharmMeta({'requires': {'db': {'interface': 'pg', 'limit': 'two'}}})

    assert isinstance(exc.value, ReactopsError)
    assert isinstance(exc.value, ValueError)
    with pytest.raises(MetadataError, match='^metadata.yaml: expected a mapping of metadata'):
        CharmMeta(['name'])  # type: ignore[arg-type]
