"""Juju name formats: applications, units, endpoints, relation ids and agent versions.

One place for the shapes of the names Juju hands a charm, for every part of reactops that
checks them (the dispatch reading ``JUJU_*``, the local model, ``reactops.testing``).

Two strengths of rule, on purpose:

* the ``*_RE`` patterns are Juju's own (an application is ``[a-z][a-z0-9]*`` words joined
  by ``-``, none of them all digits; a unit is ``<application>/<number>``), for code that
  models Juju and must refuse what Juju refuses;
* the ``*_problem`` functions are what a running hook insists on: a value a hook can use
  safely as a path part and a hook-tool argument. They are looser than Juju in the
  characters they allow (test suites name units ``test_main/0``), and strict about what
  is dangerous or meaningless: an empty unit name, one without ``/<number>``, and one
  with path parts (``../../x/0``).

Each ``*_problem`` returns ``None`` for an accepted value, else a short phrase saying what
is wrong (never quoting more than the first 40 characters of the value). The checks a hook
makes are written out, not regular expressions, so the dispatch, which uses this module in
every hook, imports no ``re`` (4 ms with the ``enum`` it needs, on 3.11); the ``*_RE``
patterns import it when first used.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

__all__ = [
    'APPLICATION_NAME_RE', 'Pattern', 'ENDPOINT_NAME_RE', 'RELATION_ID_RE', 'UNIT_NAME_RE',
    'parse_relation_id', 'relation_id_problem', 'split_version', 'unit_name_problem',
    'version_problem',
]

class Pattern:
    """A regular expression compiled on first use: compiling costs a hook time, and a hook
    uses two of the patterns here (the rest serve the local model and the tests)."""

    __slots__ = ('_compiled', 'pattern')

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def _regex(self) -> re.Pattern[str]:
        if self._compiled is None:
            import re

            self._compiled = re.compile(self.pattern)
        return self._compiled

    def fullmatch(self, text: str) -> re.Match[str] | None:
        """As :meth:`re.Pattern.fullmatch`."""
        return self._regex().fullmatch(text)

    def match(self, text: str) -> re.Match[str] | None:
        """As :meth:`re.Pattern.match`."""
        return self._regex().match(text)


_APPLICATION = r'[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*'
_NUMBER = r'(?:0|[1-9][0-9]*)'

#: An application name as Juju accepts it (``mysql``, ``my-app2``; not ``2app``, ``a-1``).
APPLICATION_NAME_RE = Pattern(rf'^{_APPLICATION}$')
#: A unit name as Juju makes it: ``<application>/<number>``.
UNIT_NAME_RE = Pattern(rf'^{_APPLICATION}/{_NUMBER}$')
#: An endpoint (relation) name as charm metadata may declare it (``db``, ``db-admin``).
ENDPOINT_NAME_RE = Pattern(r'^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$')
#: ``JUJU_RELATION_ID``: ``<endpoint>:<number>`` as Juju sets it, or a bare number.
RELATION_ID_RE = Pattern(r'^(?:[A-Za-z0-9][A-Za-z0-9_.-]*:)?([0-9]{1,18})$')

_ASCII_DIGITS = frozenset('0123456789')
_ALNUM = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
_NAME_CHARS = _ALNUM | frozenset('_.-')
_TAG_CHARS = frozenset('abcdefghijklmnopqrstuvwxyz')


def _is_number(text: str, longest: int) -> bool:
    return 0 < len(text) <= longest and all(c in _ASCII_DIGITS for c in text)


def _is_safe_name(text: str, longest: int) -> bool:
    """``[A-Za-z0-9][A-Za-z0-9_.-]*``, at most *longest* characters."""
    return 0 < len(text) <= longest and text[0] in _ALNUM and all(c in _NAME_CHARS for c in text)


def _is_safe_unit(value: str) -> bool:
    """What a hook accepts as a unit name: a safe path part, '/', a number."""
    application, slash, number = value.partition('/')
    return bool(slash) and _is_safe_name(application, 100) and _is_number(number, 9)


def _relation_number(value: str) -> str | None:
    """The number of ``<endpoint>:<number>`` or ``<number>`` (as :data:`RELATION_ID_RE`)."""
    endpoint, colon, number = value.rpartition(':')
    if colon and not _is_safe_name(endpoint, len(endpoint)):
        return None
    return number if _is_number(number, 18) else None


def _decimal_run(text: str, start: int) -> int:
    """Where the run of decimal digits (``\\d``: any Unicode digit) from *start* ends."""
    end = start
    while end < len(text) and text[end].isdecimal():
        end += 1
    return end


def split_version(text: str) -> tuple[int, int, str, int, int] | None:
    """*text* as Juju version parts (major, minor, tag, patch, build), or None.

    The form: major.minor, then ``.patch`` or ``-<tag><patch>``, then an optional
    ``.build``; each number 1 to 9 digits, the tag lowercase ASCII letters.
    """
    numbers: list[int] = []
    tag = ''
    at = 0
    for step in range(4):  # major, minor, patch, build
        if step == 1:
            if text[at:at + 1] != '.':
                return None
            at += 1
        elif step >= 2:
            if at == len(text):
                break
            if text[at] == '-' and step == 2:
                tag_end = at + 1
                while tag_end < len(text) and text[tag_end] in _TAG_CHARS:
                    tag_end += 1
                if tag_end == at + 1:
                    return None
                tag, at = text[at + 1:tag_end], tag_end
            elif text[at] == '.':
                at += 1
            else:
                return None
        end = _decimal_run(text, at)
        if not 0 < end - at <= 9:
            return None
        numbers.append(int(text[at:end]))
        at = end
    if at != len(text):
        return None
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], tag, numbers[2], numbers[3]


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 40 else repr(value[:40]) + '...'


def unit_name_problem(value: str) -> str | None:
    """What is wrong with *value* as the running unit's name (``JUJU_UNIT_NAME``)."""
    if not value:
        return 'is empty; Juju sets it to the unit, e.g. myapp/0'
    if _is_safe_unit(value):
        return None
    if '/' not in value:
        return f'{_shown(value)} has no "/<number>"; a unit is named <application>/<number>'
    parts = value.split('/')
    if len(parts) > 2 or any(p in ('', '.', '..') for p in parts):
        return (f'{_shown(value)} has path parts; a unit is named <application>/<number>, '
                'with one "/"')
    return (f'{_shown(value)} is not <application>/<number> (the application: letters, '
            'digits, "-", "_" or "."; the number: digits)')


def relation_id_problem(value: str) -> str | None:
    """What is wrong with *value* as ``JUJU_RELATION_ID`` (``db:7``, or ``7``)."""
    if _relation_number(value) is not None:
        return None
    return f'{_shown(value)} is not <endpoint>:<number>, e.g. db:7'


def parse_relation_id(value: str) -> int:
    """The number in a ``JUJU_RELATION_ID`` value; :class:`ValueError` if it is malformed."""
    number = _relation_number(value)
    if number is None:
        raise ValueError(relation_id_problem(value))
    return int(number)


def version_problem(value: str) -> str | None:
    """What is wrong with *value* as ``JUJU_VERSION`` (``3.6.1``, ``3.1-beta1``)."""
    if split_version(value) is not None:
        return None
    return (f'{_shown(value)} is not a Juju version: expected major.minor.patch[.build] or '
            'major.minor-tagN, e.g. 3.6.1')
