"""Bundle files: which applications to deploy into the local model, and how to relate them.

A bundle is a YAML mapping (a subset of Juju's bundle format; Juju's spellings
``num_units`` and ``options`` are accepted too)::

    applications:
      web:
        charm: ./reactive-webapp     # a charm directory, relative to the bundle file
        units: 2                     # default 1
        config: {port: 8080}         # default: the charm's defaults
      db:
        charm: ./tinydb
    relations:
      - [web:database, db:db]        # "app:endpoint" or just "app" when unambiguous
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._state import LocalModelError

__all__ = ['AppSpec', 'Bundle', 'bundle_from_charm_dirs', 'load_bundle']

_APP_KEYS = {'charm', 'units', 'num_units', 'config', 'options'}


@dataclass(frozen=True)
class AppSpec:
    """One application of a bundle."""

    name: str
    charm: Path
    units: int = 1
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Bundle:
    """What ``reactops run`` deploys: applications, then relations between them."""

    applications: tuple[AppSpec, ...]
    relations: tuple[tuple[str, str], ...] = ()


def load_bundle(path: Path) -> Bundle:
    """Read and check the bundle file at *path*; errors name the file and the entry."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding='utf-8'))
    except OSError as e:
        raise LocalModelError(f'cannot read bundle {path}: {e.strerror}') from None
    except yaml.YAMLError as e:
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
    apps = tuple(_app(path, str(name), spec) for name, spec in raw['applications'].items())
    relations = _relations(path, raw.get('relations') or [], {a.name for a in apps})
    return Bundle(apps, relations)


def bundle_from_charm_dirs(paths: list[Path]) -> Bundle:
    """One unit of each charm, named after the charm, unrelated."""
    from ..meta import CharmMeta

    apps = []
    for path in paths:
        if not path.is_dir():
            raise LocalModelError(f'{path} is not a charm directory (nor a bundle file)')
        apps.append(AppSpec(CharmMeta.from_charm_root(path).name, path.resolve()))
    names = [a.name for a in apps]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise LocalModelError(f'charm {twice[0]!r} given twice; write a bundle file to '
                              f'deploy it under two application names')
    return Bundle(tuple(apps))


def _bad(path: Path, message: str) -> LocalModelError:
    return LocalModelError(f'bundle {path}: {message}')


def _app(path: Path, name: str, spec: object) -> AppSpec:
    where = f'application {name!r}'
    if not isinstance(spec, dict) or not isinstance(spec.get('charm'), str):
        raise _bad(path, f'{where} needs "charm: DIR" (a charm directory relative to the '
                         f'bundle)')
    unknown = set(spec) - _APP_KEYS
    if unknown:
        raise _bad(path, f'{where} has unknown key(s) {", ".join(sorted(unknown))}; allowed: '
                         f'charm, units, config')
    charm = (path.parent / spec['charm']).resolve()
    if not charm.is_dir():
        raise _bad(path, f'{where}: charm directory {charm} does not exist')
    units = spec.get('units', spec.get('num_units', 1))
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise _bad(path, f'{where}: units must be a whole number of at least 1, not '
                         f'{units!r}')
    config = spec.get('config', spec.get('options')) or {}
    if not isinstance(config, dict):
        raise _bad(path, f'{where}: config must be a mapping of option: value')
    return AppSpec(name, charm, units, {str(k): v for k, v in config.items()})


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
