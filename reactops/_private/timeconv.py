"""Times and durations as Juju and Pebble print them (Go's formats), read into Python.

Go writes timestamps as RFC 3339 with up to nine fraction digits (and Juju sometimes with a
space for the ``T``); it writes durations as ``time.Duration.String`` does (``72h3m0.5s``).
``datetime.fromisoformat`` reads neither in every supported Python, hence these two.
"""

from __future__ import annotations

import datetime
import re

__all__ = ['parse_duration', 'parse_rfc3339']

_TIMESTAMP = re.compile(
    r'(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})'
    r'(?P<fraction>\.\d+)?(?P<zone>[Zz]|[-+]\d{2}:\d{2})')
_DURATION_PART = re.compile(r'(\d+\.?\d*|\.\d+)([a-zµμ]+)')  # noqa: RUF001 - both micro signs
# Go's duration units, as keyword arguments of timedelta (nanoseconds are thousandths of µs).
_UNITS: dict[str, tuple[str, int]] = {
    'h': ('hours', 1), 'm': ('minutes', 1), 's': ('seconds', 1), 'ms': ('milliseconds', 1),
    'us': ('microseconds', 1), 'µs': ('microseconds', 1),  # noqa: RUF001 - U+00B5
    'μs': ('microseconds', 1), 'ns': ('microseconds', 1000),
}


def parse_rfc3339(s: str) -> datetime.datetime:
    """The aware datetime of an RFC 3339 timestamp such as ``2024-01-02T03:04:05.123456789Z``.

    Fractions finer than a microsecond are rounded (never up to the next second); a ``Z`` is
    UTC. Anything else, or an impossible date or offset, raises :class:`ValueError`.
    """
    match = _TIMESTAMP.fullmatch(s)
    if match is None:
        raise ValueError(f'invalid timestamp {s!r}: expected RFC 3339, '
                         f'e.g. 2024-01-02T03:04:05Z')
    zone = match['zone']
    if zone in ('Z', 'z'):
        tz = datetime.timezone.utc
    else:
        offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        tz = datetime.timezone(-offset if zone[0] == '-' else offset)
    micro = min(round(float(match['fraction'] or 0) * 1_000_000), 999_999)
    year, month, day = (int(part) for part in match['date'].split('-'))
    return datetime.datetime(year, month, day, int(match['h']), int(match['m']),
                             int(match['s']), micro, tzinfo=tz)


def parse_duration(s: str) -> datetime.timedelta:
    """The timedelta of a Go duration such as ``1h30m``, ``-2.5s`` or ``300ms``.

    Every number needs a unit (``h``, ``m``, ``s``, ``ms``, ``us``/``µs``, ``ns``) except a
    bare ``0``; anything else raises :class:`ValueError`.
    """
    body = s[1:] if s[:1] in ('+', '-') else s
    if body == '0':
        return datetime.timedelta(0)
    total = datetime.timedelta(0)
    position = 0
    for match in _DURATION_PART.finditer(body):
        if match.start() != position:
            break
        position = match.end()
        number, unit = match.groups()
        if unit not in _UNITS:
            raise ValueError(f'invalid duration {s!r}: unknown unit {unit!r} '
                             f'(Go uses h, m, s, ms, us, ns)')
        keyword, divisor = _UNITS[unit]
        value = _number(number, s)
        total += datetime.timedelta(**{keyword: value / divisor if divisor > 1 else value})
    if position == 0 or position != len(body):
        raise ValueError(f'invalid duration {s!r}: expected numbers with units, e.g. 1h30m')
    return -total if s[:1] == '-' else total


def _number(text: str, whole: str) -> int | float:
    # An int where possible: a float loses microseconds in large values such as 7200000h1us.
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f'invalid duration {whole!r}: {text!r} is not a number') from None
