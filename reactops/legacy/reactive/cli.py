"""``charms.reactive.cli`` under reactops: the ``charms.reactive`` command's tests as
Python functions (``hook``, ``when`` and friends, ``only_once``, ``test``...).

Each answers for the running dispatch's phase, as charms.reactive's did (``when`` is true
only in the main loop, ``hook`` only in the hooks phase). The command itself, which
external handlers run, is :mod:`reactops.legacy.cli` (``main``).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from typing import Any

from ..cli import main
from . import helpers
from .helpers import _hook, _when_all, _when_any, _when_none, _when_not_all

__all__ = ['hook', 'main', 'mark_invoked', 'only_once', 'render_template', 'test', 'when',
           'when_all', 'when_any', 'when_file_changed', 'when_none', 'when_not',
           'when_not_all']


def hook(*hook_patterns: str) -> bool:
    """Whether this is the hooks phase of a hook matching one of the patterns."""
    return _hook(hook_patterns)


def when(*desired_flags: str) -> bool:
    """:func:`when_all`."""
    return _when_all(desired_flags)


def when_all(*desired_flags: str) -> bool:
    """Whether this is the main loop and every flag is set."""
    return _when_all(desired_flags)


def when_any(*desired_flags: str) -> bool:
    """Whether this is the main loop and some flag is set."""
    return _when_any(desired_flags)


def when_not(*desired_flags: str) -> bool:
    """:func:`when_none`."""
    return _when_none(desired_flags)


def when_none(*desired_flags: str) -> bool:
    """Whether this is the main loop and no flag is set."""
    return _when_none(desired_flags)


def when_not_all(*desired_flags: str) -> bool:
    """Whether this is the main loop and some flag is not set."""
    return _when_not_all(desired_flags)


def when_file_changed(*filenames: str, **kwargs: Any) -> bool:
    """Whether a file changed since this was last asked (the new hashes are kept)."""
    return helpers.any_file_changed(filenames, **kwargs)


def only_once(handler_id: str) -> bool:
    """Whether the handler *handler_id* never ran (see :func:`mark_invoked`)."""
    return not helpers.was_invoked(handler_id)


def mark_invoked(*handler_ids: str) -> None:
    """Remember that the handlers ran, for :func:`only_once`."""
    for handler_id in handler_ids:
        helpers.mark_invoked(handler_id)


_TESTS = {'hook': hook, 'when': when, 'when_all': when_all, 'when_any': when_any,
          'when_not': when_not, 'when_none': when_none, 'when_not_all': when_not_all,
          'when_file_changed': when_file_changed}
_FLAG_TESTS = frozenset(_TESTS) - {'hook', 'when_file_changed'}


def _parse(spec: str) -> tuple[str, str, Iterator[tuple[str, list[str]]]]:
    parts = shlex.split(spec)
    if len(parts) < 2:
        raise ValueError(f'bad handler spec {spec!r}: expected "NAME ID [TEST ARGS]..."')
    return parts[0], parts[1], zip(parts[2::2], map(shlex.split, parts[3::2]), strict=False)


def test(*handlers: str) -> str:
    """The combined test of bash handlers: each spec is ``'NAME ID [TEST ARGS]...'``
    (``'foo foo_id when "a b" when_not c'``); the names of those whose tests all pass,
    comma-separated."""
    from ._bus_handlers import FlagWatch

    passed = []
    for spec in handlers:
        name, handler_id, tests = _parse(spec)
        result, flags = True, set()
        for test_name, args in tests:
            if test_name == 'only_once':
                result = only_once(handler_id) and result
            elif test_name in _TESTS:
                result = bool(_TESTS[test_name](*args)) and result
                if test_name in _FLAG_TESTS:
                    flags.update(args)
            else:
                raise ValueError(f'Invalid test: {test_name}')
        if flags:
            result = FlagWatch.watch(handler_id, flags) and result
        if result:
            passed.append(name)
    return ','.join(passed)


def render_template(source: str, target: str) -> None:
    """Render the Jinja2 template *source* (from the charm's ``templates/``) to *target*
    with the environment as context, through charmhelpers' templating: the charm must
    pack charmhelpers and Jinja2."""
    try:
        from charmhelpers.core import templating  # type: ignore[import-not-found]
    except ImportError as error:
        from .._errors import LegacyError

        raise LegacyError(
            'charms.reactive.cli.render_template needs charmhelpers.core.templating and '
            f'Jinja2 ({error}): pack charmhelpers and jinja2 with the charm (its wheelhouse '
            'or requirements), or render the file with your own code') from error
    templating.render(source, target, os.environ)
