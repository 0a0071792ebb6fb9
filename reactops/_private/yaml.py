"""YAML read and written with PyYAML's safe C classes when they are built, else its Python ones.

The C loader reads charm metadata several times faster; both only build plain data (never
objects of arbitrary classes), as ``yaml.safe_load`` and ``yaml.safe_dump`` do.

:func:`load_bounded` is the loader for files a charm or an operator writes (metadata,
config, actions, charmcraft.yaml, bundles): its work is bounded whatever the text holds.
PyYAML shares an aliased value rather than copying it, so a few hundred bytes of nested
aliases (a "billion laughs" document) parse quickly but stand for billions of values that
any walk over the data (validation, the metadata cache, JSON) would visit. It refuses such
text, a recursive alias, text nested deeper than anything a charm needs, and a mapping
that repeats a key (PyYAML would silently keep the last value).
"""

from __future__ import annotations

from typing import IO, Any

import yaml

from .yaml_limits import MAX_ALIAS_VALUES, MAX_BYTES, MAX_DEPTH

__all__ = ['MAX_ALIAS_VALUES', 'MAX_BYTES', 'MAX_DEPTH', 'YAMLBoundError', 'load_bounded',
           'safe_dump', 'safe_load']

_LOADER: Any = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, 'CSafeDumper', yaml.SafeDumper)

_MERGE_TAG = 'tag:yaml.org,2002:merge'


def safe_load(stream: str | bytes | IO[str] | IO[bytes], safe_loader: Any = _LOADER) -> Any:
    """The one document in *stream*, as plain data (``yaml.safe_load``, faster)."""
    loader = safe_loader(stream)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def safe_dump(data: Any, stream: IO[str] | None = None) -> str | None:
    """*data* as YAML, written to *stream* or returned (``yaml.safe_dump``, faster)."""
    result: str | None = yaml.dump(data, stream=stream, Dumper=_DUMPER)
    return result


class YAMLBoundError(ValueError):
    """Text :func:`load_bounded` refuses although it may be valid YAML (too large, an alias
    bomb, a recursive alias, too deep, a repeated key, a value YAML cannot build).

    *line* is the 1-based line it is about, when there is one. The message never quotes a
    value (a config file may hold a password), only keys and positions.
    """

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(f'line {line}: {problem}' if line else problem)
        self.problem = problem
        self.line = line


def _line(node: Any) -> int | None:
    mark = getattr(node, 'start_mark', None)
    return None if mark is None else int(mark.line) + 1


def _strict(base: Any) -> Any:
    """A subclass of the loader class *base* whose mappings refuse a repeated key."""

    class StrictLoader(base):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int | None] = {}
                for key_node, _ in node.value:
                    if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                        continue  # `<<:` may repeat; a collection key fails in PyYAML itself
                    key = self.construct_object(key_node)
                    if key in seen:
                        shown = repr(key) if len(repr(key)) <= 60 else repr(key)[:57] + '...'
                        raise YAMLBoundError(
                            f'the key {shown} appears twice in one mapping (first on line '
                            f'{seen[key]}); YAML keeps only the last, so remove or rename one',
                            _line(key_node))
                    seen[key] = _line(key_node)
            return super().construct_mapping(node, deep)

    return StrictLoader


_STRICT: Any = _strict(_LOADER)
_STRICT_PURE: Any = _strict(yaml.SafeLoader)


def load_bounded(text: str, pure: bool = False) -> Any:
    """The one document in *text* as plain data, like :func:`safe_load` but bounded: see
    the module's description and the ``MAX_*`` limits.

    Raises :class:`yaml.YAMLError` for text that is not YAML and :class:`YAMLBoundError`
    for YAML refused here. *pure* uses PyYAML's Python loader even when the C one is built.
    """
    size = len(text.encode('utf-8', 'surrogatepass')) if len(text) * 4 > MAX_BYTES else 0
    if size > MAX_BYTES:
        raise YAMLBoundError(f'the file is {size} bytes, more than the {MAX_BYTES} reactops '
                             'reads from charm YAML')
    loader = (_STRICT_PURE if pure else _STRICT)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_shape(node)
        return loader.construct_document(node)
    except RecursionError:  # the Python loader composes nested collections recursively
        raise YAMLBoundError(f'collections are nested too deeply (more than {MAX_DEPTH} '
                             'levels)') from None
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, YAMLBoundError):
            raise
        # A scalar whose tag YAML recognises but whose value is impossible (a 13th month).
        raise YAMLBoundError(f'a value YAML cannot read ({type(exc).__name__}: '
                             f'{str(exc)[:80]}); quote it to make it a string') from None
    finally:
        loader.dispose()


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _check_shape(root: Any) -> None:
    """Refuse a node graph with a cycle, too many values once aliases are copied, or too
    deep. Linear in the distinct collections: each is measured once, however often shared
    (scalars, most of a document, are counted where they stand, never visited)."""
    if isinstance(root, yaml.ScalarNode):
        return
    scalar = yaml.ScalarNode
    sizes: dict[int, int] = {}  # id(collection) -> values in it, each alias counted as a copy
    depths: dict[int, int] = {}
    on_path: set[int] = set()  # collections being measured: the current one's ancestors
    written = 0  # values written in the text: each distinct collection and its scalars
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size, depth = 1, 0
            for child in _children(node):
                if type(child) is scalar:
                    size += 1
                else:
                    size += sizes[id(child)]
                    depth = max(depth, depths[id(child)])
            sizes[key], depths[key] = size, depth + 1
            if depth >= MAX_DEPTH:
                raise YAMLBoundError(f'collections are nested more than {MAX_DEPTH} levels '
                                     'deep', _line(node))
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        written += 1
        for child in _children(node):
            if type(child) is scalar:
                written += 1
            elif id(child) in on_path:
                raise YAMLBoundError('an alias refers to a collection that contains it (a '
                                     'recursive alias); write the value out instead',
                                     _line(child) if child is not node else _line(node))
            elif id(child) not in sizes:
                stack.append((child, False))
    added = sizes[id(root)] - written
    if added > MAX_ALIAS_VALUES:
        raise YAMLBoundError(f'its aliases (*name) stand for {added} more values, more than '
                             f'the {MAX_ALIAS_VALUES} reactops allows (a YAML "alias bomb"?); '
                             'write the shared values out, or share fewer')
