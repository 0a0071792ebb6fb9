"""Bundle files: which applications to deploy into the local model, and how to relate them.

A bundle is a YAML mapping (a subset of Juju's bundle format; Juju's spellings
``num_units`` and ``options`` are accepted too)::

    applications:
      web:
        charm: ./reactive-webapp     # a charm directory, relative to the bundle file
        units: 2                     # default 1
        config: {port: 8080}         # default: the charm's defaults
        resources:                   # a Kubernetes charm's oci-image resources (never
          web-image: python:3.12     # pulled): default their upstream-source
      db:
        charm: ./tinydb
    relations:
      - [web:database, db:db]        # "app:endpoint" or just "app" when unambiguous
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._checks import (
    MAX_UNITS,
    check_app_name,
    check_config,
    check_units,
    endpoints,
    match_endpoints,
)
from ._containers import oci_images
from ._state import LocalModelError

__all__ = ['AppSpec', 'Bundle', 'bundle_from_charm_dirs', 'load_bundle']

_APP_KEYS = {'charm', 'units', 'num_units', 'config', 'options', 'resources'}


@dataclass(frozen=True)
class AppSpec:
    """One application of a bundle."""

    name: str
    charm: Path
    units: int = 1
    config: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, str | int] = field(default_factory=dict)
    """What the charm's ``oci-image`` resources name, where the bundle says."""


@dataclass(frozen=True)
class Bundle:
    """What ``reactops run`` deploys: applications, then relations between them."""

    applications: tuple[AppSpec, ...]
    relations: tuple[tuple[str, str], ...] = ()


def load_bundle(path: Path, *, max_units: int = MAX_UNITS) -> Bundle:
    """Read and check the bundle file at *path*; errors name the file and the entry.

    Everything is checked before anything is deployed: names, unit counts (at most
    *max_units* per application), config values against each charm's ``config.yaml``, and
    that each relation's endpoints exist and fit.
    """
    import yaml

    from .._private.yaml import YAMLBoundError, load_bounded

    try:
        raw = load_bounded(path.read_text(encoding='utf-8'))
    except OSError as e:
        raise LocalModelError(f'cannot read bundle {path}: {e.strerror}') from None
    except (yaml.YAMLError, YAMLBoundError, UnicodeDecodeError) as e:
        raise LocalModelError(f'bundle {path} is not valid YAML: '
                              f'{" ".join(str(e).split())}') from None
    if not isinstance(raw, dict) or not isinstance(raw.get('applications'), dict) \
            or not raw['applications']:
        raise _bad(path, 'it must be a mapping with an "applications" mapping (name: '
                         '{charm: DIR})')
    unknown = set(raw) - {'applications', 'relations', 'description', 'name', 'series',
                          'default-base'}
    if unknown:
        raise _bad(path, f'unknown top-level key(s) {", ".join(sorted(unknown))}; expected '
                         f'"applications" and "relations"')
    apps = tuple(_app(path, name, spec, max_units)
                 for name, spec in raw['applications'].items())
    relations = _relations(path, raw.get('relations') or [], {a.name for a in apps})
    _check_relations(path, apps, relations)
    return Bundle(apps, relations)


def bundle_from_charm_dirs(paths: list[Path]) -> Bundle:
    """One unit of each charm, named after the charm, unrelated."""
    from ..meta import CharmMeta

    apps = []
    for path in paths:
        if not path.is_dir():
            raise LocalModelError(f'{path} is not a charm directory (nor a bundle file)')
        name = CharmMeta.from_charm_root(path).name
        try:
            check_app_name(name)
        except LocalModelError as e:
            raise LocalModelError(f'charm {path} is named {e}; write a bundle file to deploy '
                                  f'it under a valid application name') from None
        apps.append(AppSpec(name, path.resolve()))
    names = [a.name for a in apps]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise LocalModelError(f'charm {twice[0]!r} given twice; write a bundle file to '
                              f'deploy it under two application names')
    return Bundle(tuple(apps))


def _bad(path: Path, message: str) -> LocalModelError:
    return LocalModelError(f'bundle {path}: {message}')


def _app(path: Path, name: object, spec: object, max_units: int) -> AppSpec:
    where = f'application {name!r}'
    try:
        name = check_app_name(name)  # YAML gives keys of any type
    except LocalModelError as e:
        raise _bad(path, str(e)) from None
    if not isinstance(spec, dict) or not isinstance(spec.get('charm'), str):
        raise _bad(path, f'{where} needs "charm: DIR" (a charm directory relative to the '
                         f'bundle)')
    unknown = set(spec) - _APP_KEYS
    if unknown:
        raise _bad(path, f'{where} has unknown key(s) {", ".join(sorted(unknown))}; allowed: '
                         f'charm, units, config, resources')
    charm = (path.parent / spec['charm']).resolve()
    if not charm.is_dir():
        raise _bad(path, f'{where}: charm directory {charm} does not exist')
    config = spec.get('config', spec.get('options')) or {}
    if not isinstance(config, dict):
        raise _bad(path, f'{where}: config must be a mapping of option: value')
    resources = spec.get('resources') or {}
    if not isinstance(resources, dict):
        raise _bad(path, f'{where}: resources must be a mapping of resource: image')
    try:
        units = check_units(spec.get('units', spec.get('num_units', 1)), max_units)
        meta = _meta(charm)
        values = check_config(name, meta, {str(k): v for k, v in config.items()})
        oci_images(name, meta, {str(k): v for k, v in resources.items()})
    except LocalModelError as e:
        raise _bad(path, f'{where}: {e}') from None
    return AppSpec(name, charm, units, values, {str(k): v for k, v in resources.items()})


def _meta(charm: Path) -> Any:
    """The metadata of the charm in directory *charm*."""
    from ..errors import ReactopsError
    from ..meta import CharmMeta

    try:
        return CharmMeta.from_charm_root(charm)
    except FileNotFoundError:
        raise LocalModelError(f'{charm} is not a charm directory: it has no metadata.yaml '
                              f'or charmcraft.yaml') from None
    except ReactopsError as e:
        raise LocalModelError(f'charm {charm}: {e}') from None


def _check_relations(path: Path, apps: tuple[AppSpec, ...],
                     relations: tuple[tuple[str, str], ...]) -> None:
    """Each relation joins existing endpoints that fit, once (as deploying would check)."""
    ends = {app.name: endpoints(_meta(app.charm)) for app in apps}
    seen: set[frozenset[tuple[str, str]]] = set()
    for i, (end1, end2) in enumerate(relations):
        app1, app2 = end1.partition(':')[0], end2.partition(':')[0]
        try:
            ep1, ep2, _ = match_endpoints(end1, end2, ends[app1], ends[app2])
        except LocalModelError as e:
            raise _bad(path, f'relation {i + 1} [{end1}, {end2}]: {e}') from None
        key = frozenset({(app1, ep1), (app2, ep2)})
        if key in seen:
            raise _bad(path, f'relation {i + 1} [{end1}, {end2}]: {app1}:{ep1} and '
                             f'{app2}:{ep2} are already related above')
        seen.add(key)


def _relations(path: Path, raw: object, apps: set[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        raise _bad(path, '"relations" must be a list of [app:endpoint, app:endpoint] pairs')
    pairs = []
    for i, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(p, str) for p in pair)):
            raise _bad(path, f'relation {i + 1} must be a pair [app:endpoint, app:endpoint], '
                             f'not {pair!r}')
        for end in pair:
            if end.partition(':')[0] not in apps:
                raise _bad(path, f'relation {i + 1} names application '
                                 f'{end.partition(":")[0]!r}, which the bundle does not '
                                 f'deploy')
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)
