"""Field readers for :mod:`reactops.meta`: each one checks a value's type and, when it is
wrong, raises :class:`~reactops.errors.MetadataError` naming the file and the dotted field
path, what was found, and how to fix it.

YAML is parsed here too, with PyYAML imported only when a file is actually parsed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping

from ..errors import MetadataError, ModelError
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import IO, Any, NoReturn


class MetadataTypeError(MetadataError, TypeError):
    """A field ops rejects with :class:`TypeError` (a relation's ``limit`` or ``scope``)."""


class MetadataModelError(MetadataError, ModelError):
    """Metadata ops rejects with :class:`~reactops.errors.ModelError` (a container with
    both an image resource and bases)."""


class Where:
    """The place of a value: the file it was read from and its dotted path inside it."""

    __slots__ = ('file', 'path')

    def __init__(self, file: str, path: str = ''):
        self.file = file
        self.path = path

    def __truediv__(self, key: object) -> Where:
        if isinstance(key, int):
            return Where(self.file, f'{self.path}[{key}]')
        return Where(self.file, f'{self.path}.{key}' if self.path else str(key))

    def __repr__(self) -> str:
        return f'Where({self.file!r}, {self.path!r})'

    def fail(self, problem: str, fix: str,
             error: type[MetadataError] = MetadataError) -> NoReturn:
        """Raise *error* (a :class:`MetadataError`) for the value at this place."""
        place = f'{self.file}: {self.path}' if self.path else self.file
        raise error(f'{place}: {problem}; {fix}')

    def expected(self, what: str, value: object, fix: str = '') -> NoReturn:
        """Raise for a value that is not *what* (e.g. ``'an integer'``)."""
        self.fail(f'expected {what}, got {describe(value)}', fix or f'write {what} here')


def describe(value: object) -> str:
    """A short description of a YAML value for an error message."""
    if isinstance(value, Mapping):
        return 'a mapping'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, str | int | float | bool) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + '...'
    return f'a {type(value).__name__} ({value!s:.40})'


# -- YAML ------------------------------------------------------------------------------


def load_yaml(source: str | IO[str], file: str) -> dict[str, Any]:
    """Parse *source* with PyYAML's safe loader, bounded (see ``_private.yaml.load_bounded``:
    a size limit, an alias-expansion limit, no recursive alias, no repeated key); an empty
    document gives ``{}``.

    Raises :class:`MetadataError` naming *file* if the text is not YAML, is refused by
    those bounds, or its top level is not a mapping.
    """
    import yaml  # Imported here: a hook whose metadata is cached never needs PyYAML.

    from .yaml import YAMLBoundError, load_bounded

    text: str | bytes = source if isinstance(source, str) else source.read()
    try:
        data = load_bounded(text.decode('utf-8') if isinstance(text, bytes) else text)
    except UnicodeDecodeError as exc:
        raise MetadataError(f'{file}: is not UTF-8 text ({exc.reason} at byte '
                            f'{exc.start}); save it as UTF-8') from None
    except YAMLBoundError as exc:
        raise MetadataError(f'{file}: {exc}') from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        place = f'line {mark.line + 1}, column {mark.column + 1}: ' if mark else ''
        problem = ': '.join(p for p in (exc.context, exc.problem) if p) or 'invalid YAML'
        raise MetadataError(
            f'{file}: {place}{problem}; the file is not valid YAML, fix its syntax there'
        ) from None
    except yaml.YAMLError as exc:
        raise MetadataError(
            f'{file}: {exc}; the file is not valid YAML, fix its syntax') from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        Where(file).expected(
            'a mapping of keys at the top level', data,
            'the file must hold "key: value" lines, not a list or a single value')
    return data


def read_yaml_file(path: str, cache: ParseCache | None = None) -> dict[str, Any]:
    """Read and parse the YAML file at *path*; errors name the path.

    With a *cache*, a file whose text is the one parsed before is not parsed again.
    """
    from .yaml_limits import MAX_BYTES

    try:
        with open(path, encoding='utf-8') as f:
            text = f.read(MAX_BYTES + 1)  # characters: never more than that many bytes
    except (OSError, UnicodeDecodeError) as exc:
        raise MetadataError(f'{path}: cannot be read ({exc}); check the file exists and '
                            'is readable UTF-8 text') from None
    if cache is None:
        return load_yaml(text, path)
    return cache.parse(path, text)


class ParseCache:
    """Parsed metadata files kept between hooks in a JSON file, keyed by their exact text.

    Importing PyYAML and parsing the files is most of what reading metadata costs in a
    hook, and the files change only when the charm is upgraded. The cache holds each
    file's text beside its parsed data, so a changed file (whatever its time stamps say)
    is parsed again; data JSON cannot hold exactly (a YAML date, a number as a key) is
    never cached. The cache is only a shortcut: one that cannot be read or written is
    ignored, and never changes what the files mean. Like the state file it is written
    0600, and one that others may write is ignored (it would let them change the
    metadata the charm sees).
    """

    def __init__(self, path: str):
        self.path = path
        self.entries: dict[str, list[Any]] = {}  # file -> [text, data]
        self.dirty = False
        try:
            with open(path, encoding='utf-8') as f:
                if os.fstat(f.fileno()).st_mode & 0o022:
                    return
                from . import fastjson

                loaded = fastjson.loads(f.read())
        except (OSError, ValueError):
            return
        if isinstance(loaded, dict) and loaded.get('version') == 1:
            files = loaded.get('files')
            if isinstance(files, dict):
                self.entries = {k: v for k, v in files.items()
                                if isinstance(v, list) and len(v) == 2}

    def parse(self, file: str, text: str) -> dict[str, Any]:
        """The data of *file*, whose text is *text*: from the cache if that is unchanged."""
        entry = self.entries.get(file)
        if entry is not None and entry[0] == text and isinstance(entry[1], dict):
            data: dict[str, Any] = entry[1]
            return data
        data = load_yaml(text, file)
        if _json_exact(data):
            self.entries[file] = [text, data]
            self.dirty = True
        return data

    def save(self) -> None:
        """Write the cache if a file was parsed; a failure only costs the next hook a parse."""
        if not self.dirty:
            return
        from . import fastjson

        temporary = f'{self.path}.{os.getpid()}.tmp'
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, 'w', encoding='utf-8') as f:
                f.write(fastjson.dumps({'version': 1, 'files': self.entries}))
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _json_exact(value: object) -> bool:
    """Whether *value* comes back from JSON as it is (so the cache cannot change it)."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return value == value and value not in (float('inf'), float('-inf'))
    if isinstance(value, list):
        return all(_json_exact(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_exact(v) for k, v in value.items())
    return False


# -- typed readers ---------------------------------------------------------------------


def mapping(value: object, where: Where, what: str = 'a mapping') -> dict[str, Any]:
    """*value* as a dict with string keys; ``None`` (an empty YAML section) gives ``{}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        where.expected(what, value)
    for key in value:
        if not isinstance(key, str):
            (where / str(key)).fail(
                f'expected a name, got {describe(key)}',
                'quote the key so YAML reads it as text')
    return value


def section(raw: Mapping[str, Any], key: str, where: Where) -> dict[str, Any]:
    """The mapping under *key* of *raw* (``{}`` when absent or empty)."""
    return mapping(raw.get(key), where / key)


def config_options(config: Mapping[str, Any], where: Where) -> dict[str, Any]:
    """The ``options`` mapping of config.yaml (``{}`` when the file is empty or ``options:``
    is empty, as charmcraft accepts). A file with other keys but no ``options`` would
    declare nothing at all, so it is refused, saying which keys look like options."""
    if config and 'options' not in config:
        looks = sorted(str(k) for k, v in config.items()
                       if isinstance(v, Mapping) and not {'type', 'default', 'description'}
                       .isdisjoint(v))
        shown = ', '.join(repr(k) for k in looks[:5]) + (', ...' if len(looks) > 5 else '')
        where.fail(
            'there is no "options" key, so no option is declared'
            + (f'; the top-level key(s) {shown} look like options' if looks else ''),
            'indent each option under a top-level "options:" key')
    return section(config, 'options', where)


def text(raw: Mapping[str, Any], key: str, where: Where, default: str = '') -> str:
    """The string under *key*, or *default* when absent."""
    value = raw.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        (where / key).expected('a string', value, 'quote the value so YAML reads it as text')
    return value


def optional_text(raw: Mapping[str, Any], key: str, where: Where) -> str | None:
    """The string under *key*, or ``None`` when absent."""
    return text(raw, key, where) if raw.get(key) is not None else None


def required_text(raw: Mapping[str, Any], key: str, where: Where, fix: str) -> str:
    """The string under *key*, which must be present and not empty."""
    if raw.get(key) in (None, ''):
        (where / key).fail('this required field is missing', fix)
    return text(raw, key, where)


def flag(raw: Mapping[str, Any], key: str, where: Where, default: bool = False) -> bool:
    """The boolean under *key*, or *default* when absent."""
    value = raw.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        (where / key).expected('true or false', value)
    return value


def integer(raw: Mapping[str, Any], key: str, where: Where, fix: str = '') -> int | None:
    """The integer under *key*, or ``None`` when absent (YAML booleans are refused)."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        (where / key).expected('an integer', value, fix)
    return value


def choice(raw: Mapping[str, Any], key: str, where: Where, choices: Iterable[str],
           default: str) -> str:
    """The string under *key*, which must be one of *choices*; *default* when absent."""
    value = raw.get(key)
    if value is None:
        return default
    options = list(choices)
    if value not in options:
        (where / key).expected(
            'one of ' + ', '.join(repr(c) for c in options), value,
            f'use one of them (or leave it out for {default!r})' if default else 'use one of them')
    return str(value)


def texts(raw: Mapping[str, Any], key: str, where: Where, *, single_ok: bool = False
          ) -> list[str]:
    """The list of strings under *key*; with *single_ok* one string counts as a list of one."""
    value = raw.get(key)
    if value is None:
        return []
    if single_ok and isinstance(value, str):
        return [value]
    what = 'a string or a list of strings' if single_ok else 'a list of strings'
    if not isinstance(value, list):
        (where / key).expected(what, value)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            (where / key / i).expected('a string', item,
                                       'quote the item so YAML reads it as text')
    return list(value)


def storage_range(value: object, where: Where) -> tuple[int, int | None]:
    """Parse a storage ``multiple.range``: ``N``, ``N-M``, ``N-`` or ``N+``."""
    low: str
    high: str | None
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = str(value), str(value)
    elif isinstance(value, str) and value.endswith('+'):
        low, high = value[:-1], None
    elif isinstance(value, str) and '-' in value:
        low, _, high = value.partition('-')
        high = high or None
    elif isinstance(value, str):
        low, high = value, value
    else:
        low, high = '', None
    numbers = [low] if high is None else [low, high]
    if not all(n.strip().isdigit() for n in numbers) or (
            high is not None and int(high) < int(low)):
        where.expected(
            "a count or range ('2', '1-5', '1-' or '1+')", value,
            'write the number of storage instances, or a range from the lowest to the '
            "highest (an open range like '1+' has no upper limit)")
    return int(low), (None if high is None else int(high))


# -- config options --------------------------------------------------------------------

CONFIG_TYPES = ('string', 'int', 'float', 'boolean', 'secret')
# Juju knows only CONFIG_TYPES, but ops takes any type name (older Harness tests write
# `bool`), so reactops does too; defaults are checked for the types it knows.

_DEFAULT_KINDS: dict[str, tuple[str, tuple[type, ...]]] = {
    'string': ('a string', (str,)),
    'secret': ('a secret URI string', (str,)),
    'int': ('an integer', (int,)),
    'float': ('a number', (int, float)),
    'boolean': ('true or false', (bool,)),
    'bool': ('true or false', (bool,)),
}


def check_default(option_type: str, default: object, where: Where) -> None:
    """Raise unless *default* is a value of the config type *option_type* (or ``None``)."""
    if default is None or option_type not in _DEFAULT_KINDS:
        return
    what, kinds = _DEFAULT_KINDS[option_type]
    bad_bool = isinstance(default, bool) and option_type not in ('boolean', 'bool')
    if bad_bool or not isinstance(default, kinds):
        hint = 'quote it' if option_type in ('string', 'secret') else 'change it'
        where.expected(
            f'{what} (the option is of type {option_type!r})', default,
            f'{hint} so it matches the type, or change the type')


def juju_major(version: str) -> int | None:
    """The major number of a Juju version string such as ``3.6.1`` or ``4.0-beta1``."""
    major = version.strip().split('.', 1)[0]
    return int(major) if major.isdigit() else None


def config_option(option: object, where: Where) -> tuple[str, Any, str | None]:
    """Check one entry of config ``options``; return its (type, default, description)."""
    fields = mapping(option, where)
    option_type = required_text(fields, 'type', where,
                                'add "type: " with one of ' + ', '.join(CONFIG_TYPES))
    default = fields.get('default')
    check_default(option_type, default, where / 'default')
    return option_type, default, optional_text(fields, 'description', where)


# -- finding the files -----------------------------------------------------------------

SOURCE_FILES = ('metadata.yaml', 'config.yaml', 'actions.yaml', 'charmcraft.yaml')

# Keys of a unified charmcraft.yaml that tell charmcraft how to build and publish the
# charm; `charmcraft pack` leaves them out of the metadata.yaml it writes, and so do we.
CHARMCRAFT_ONLY = frozenset({
    'type', 'bases', 'base', 'build-base', 'platforms', 'parts', 'charmhub', 'extensions',
    'analysis', 'charm-libs',
})


class Parts:
    """The three raw parts of a charm's metadata, where each came from, and the files read.

    ``meta`` is what metadata.yaml holds, ``actions`` what actions.yaml holds, ``config``
    what config.yaml holds (with its ``options`` key).
    """

    __slots__ = ('actions', 'actions_at', 'config', 'config_at', 'files', 'meta', 'meta_at')

    def __init__(self, meta: object, actions: object = None, config: object = None,
                 files: tuple[str, ...] = ()):
        self.meta, self.actions, self.config, self.files = meta, actions, config, files
        self.meta_at = Where('metadata.yaml')
        self.actions_at = Where('actions.yaml')
        self.config_at = Where('config.yaml')


def split_charmcraft(data: dict[str, Any], file: str) -> Parts:
    """Split a unified charmcraft.yaml into its parts, dropping charmcraft's own keys."""
    meta = {k: v for k, v in data.items()
            if k not in CHARMCRAFT_ONLY and k not in ('actions', 'config')}
    parts = Parts(meta, data.get('actions'), data.get('config'))
    parts.meta_at = Where(file)
    parts.actions_at = Where(file, 'actions')
    parts.config_at = Where(file, 'config')
    return parts


def parts_from_yaml(metadata: str | IO[str], actions: str | IO[str] | None,
                    config: str | IO[str] | None) -> Parts:
    """Parse YAML texts; *metadata* may be a whole unified charmcraft.yaml."""
    parts = Parts(load_yaml(metadata, 'metadata.yaml'))
    if not isinstance(parts.meta, dict) or parts.meta.keys().isdisjoint(
            CHARMCRAFT_ONLY | {'actions', 'config'}):
        parts.actions = None if actions is None else load_yaml(actions, 'actions.yaml')
        parts.config = None if config is None else load_yaml(config, 'config.yaml')
        return parts
    parts = split_charmcraft(parts.meta, 'charmcraft.yaml')
    for name, given in (('actions', actions), ('config', config)):
        if given is None:
            continue
        if getattr(parts, name) is not None:
            Where('charmcraft.yaml', name).fail(
                f'{name} are given both here and as the {name} argument',
                'pass them in one place only')
        setattr(parts, name, load_yaml(given, f'{name}.yaml'))
        setattr(parts, f'{name}_at', Where(f'{name}.yaml'))
    return parts


def parts_from_dir(root: str, cache: ParseCache | None = None) -> Parts:
    """Find and read a charm's metadata files; see ``CharmMeta.from_charm_root``."""
    paths = {name: os.path.join(root, name) for name in SOURCE_FILES}
    present = {name for name, path in paths.items() if os.path.isfile(path)}
    files: list[str] = []
    crafted = Parts(None)
    # charmcraft.yaml is read only when a part may have to come from it.
    if 'charmcraft.yaml' in present and not set(SOURCE_FILES[:3]) <= present:
        files.append(paths['charmcraft.yaml'])
        crafted = split_charmcraft(read_yaml_file(paths['charmcraft.yaml'], cache),
                                   paths['charmcraft.yaml'])
    if 'metadata.yaml' not in present and not (
            isinstance(crafted.meta, dict) and 'name' in crafted.meta):
        raise MetadataError(
            f'{root}: no charm metadata found: there is no metadata.yaml, and no '
            'charmcraft.yaml with a "name"; create one of them, or check the charm directory')
    for name in ('meta', 'actions', 'config'):
        file = 'metadata.yaml' if name == 'meta' else f'{name}.yaml'
        if file in present:
            files.append(paths[file])
            setattr(crafted, name, read_yaml_file(paths[file], cache))
            setattr(crafted, f'{name}_at', Where(paths[file]))
    meta = mapping(crafted.meta, crafted.meta_at, 'a mapping of metadata fields')
    required_text(meta, 'name', crafted.meta_at, "add the charm's name")
    crafted.files = tuple(files)
    return crafted


# -- action parameters against the action's schema ---------------------------------------

#: The Python types of each JSON-schema type name (tuples and mappings too, for values
#: that test code builds in Python rather than parses from JSON).
JSON_TYPES: dict[str, tuple[type, ...]] = {
    'string': (str,), 'integer': (int,), 'number': (int, float), 'boolean': (bool,),
    'array': (list, tuple), 'object': (Mapping,), 'null': (type(None),),
}


def action_param_problems(params: Mapping[str, Any], schema: Mapping[str, Any],
                          required: Iterable[str], additional: bool, path: str = '') -> list[str]:
    """What breaks the action's schema in *params*, naming parameters but never values
    (they may be passwords). Checks the JSON-schema keywords actions.yaml files use:
    ``type``, ``enum``, ``required``, ``additionalProperties``, ``properties``,
    ``minimum``/``maximum``, ``minLength``/``maxLength``; others are left to Juju."""
    problems = [f'{path}{name!r} is required but missing' for name in required
                if name not in params]
    for name, value in params.items():
        where = f'{path}{name!r}'
        rules = schema.get(name)
        if rules is None:
            if not additional:
                problems.append(f'{where} is not a declared parameter (and '
                                'additionalProperties is false)')
            continue
        if isinstance(rules, Mapping):
            problems += _value_problems(value, rules, where)
    return problems


def _value_problems(value: object, rules: Mapping[str, Any], where: str) -> list[str]:
    wanted = rules.get('type')
    names = [wanted] if isinstance(wanted, str) else list(wanted or [])
    known = [n for n in names if n in JSON_TYPES]
    if known and not any(is_json_type(value, n) for n in known):
        return [f'{where} must be {" or ".join(known)}, not {_json_type_of(value)}']
    problems = []
    if 'enum' in rules and isinstance(rules['enum'], list) and value not in rules['enum']:
        problems.append(f'{where} is not one of the allowed values')
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(rules.get('minimum'), (int, float)) and value < rules['minimum']:
            problems.append(f'{where} is below the minimum {rules["minimum"]}')
        if isinstance(rules.get('maximum'), (int, float)) and value > rules['maximum']:
            problems.append(f'{where} is above the maximum {rules["maximum"]}')
    if isinstance(value, str):
        if isinstance(rules.get('minLength'), int) and len(value) < rules['minLength']:
            problems.append(f'{where} is shorter than {rules["minLength"]} characters')
        if isinstance(rules.get('maxLength'), int) and len(value) > rules['maxLength']:
            problems.append(f'{where} is longer than {rules["maxLength"]} characters')
    if isinstance(value, dict) and isinstance(rules.get('properties'), Mapping):
        extra = rules.get('additionalProperties', True)
        problems += action_param_problems(value, rules['properties'],
                                          rules.get('required') or [], extra is not False,
                                          f'{where}.')
    return problems


def is_json_type(value: object, name: str) -> bool:
    """Whether *value* is of the JSON-schema type *name* (one of :data:`JSON_TYPES`)."""
    if isinstance(value, bool) and name in ('integer', 'number'):
        return False  # True is an int to Python, not to JSON schema
    if name == 'integer' and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, JSON_TYPES[name])


def _json_type_of(value: object) -> str:
    for name in ('boolean', 'integer', 'number', 'string', 'array', 'object', 'null'):
        if is_json_type(value, name):
            return name
    return type(value).__name__
