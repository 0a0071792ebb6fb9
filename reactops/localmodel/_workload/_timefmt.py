"""Times and durations written as Pebble (Go) writes them in its JSON and YAML.

Go marshals a time as RFC 3339 with up to nine fraction digits, trailing zeros dropped, and
the zone as ``Z`` or ``+hh:mm``; a duration as ``time.Duration.String`` (``1m30s``,
``500ms``). Clients (ops' among them) parse exactly these forms.
"""

from __future__ import annotations

import time

from ..._private.timeconv import parse_duration, parse_rfc3339

__all__ = ['go_duration', 'now_ns', 'parse_go_duration', 'parse_rfc3339_ns', 'rfc3339',
           'rfc3339_nano']

_NS = 1_000_000_000


def now_ns() -> int:
    """The wall clock in nanoseconds since the epoch."""
    return time.time_ns()


def _zone(seconds: int, utc: bool) -> tuple[time.struct_time, str]:
    if utc:
        return time.gmtime(seconds), 'Z'
    local = time.localtime(seconds)
    offset = local.tm_gmtoff or 0
    if offset == 0:
        return local, 'Z'
    sign = '+' if offset > 0 else '-'
    hours, minutes = divmod(abs(offset) // 60, 60)
    return local, f'{sign}{hours:02d}:{minutes:02d}'


def rfc3339_nano(ns: int, *, utc: bool = False) -> str:
    """*ns* (epoch nanoseconds) as Go's RFC3339Nano, in local time unless *utc*."""
    seconds, fraction = divmod(ns, _NS)
    parts, zone = _zone(seconds, utc)
    text = time.strftime('%Y-%m-%dT%H:%M:%S', parts)
    if fraction:
        text += '.' + f'{fraction:09d}'.rstrip('0')
    return text + zone


def rfc3339(ns: int) -> str:
    """*ns* as Go's RFC3339 (whole seconds), in local time: the stamp of a task's log line."""
    seconds = ns // _NS
    parts, zone = _zone(seconds, False)
    return time.strftime('%Y-%m-%dT%H:%M:%S', parts) + zone


def _trimmed(value: int, scale: int) -> str:
    whole, fraction = divmod(value, scale)
    if not fraction:
        return str(whole)
    digits = len(str(scale)) - 1
    return f'{whole}.' + f'{fraction:0{digits}d}'.rstrip('0')


def go_duration(seconds: float) -> str:
    """*seconds* as Go's ``Duration.String``: ``0s``, ``1.5ms``, ``2m0s``, ``1h0m0.5s``."""
    ns = round(seconds * _NS)
    if ns == 0:
        return '0s'
    sign = '-' if ns < 0 else ''
    ns = abs(ns)
    if ns < 1000:
        return f'{sign}{ns}ns'
    if ns < 1_000_000:
        return f'{sign}{_trimmed(ns, 1000)}µs'
    if ns < _NS:
        return f'{sign}{_trimmed(ns, 1_000_000)}ms'
    hours, rest = divmod(ns, 3600 * _NS)
    minutes, rest = divmod(rest, 60 * _NS)
    text = f'{_trimmed(rest, _NS)}s'
    if hours:
        return f'{sign}{hours}h{minutes}m{text}'
    if minutes:
        return f'{sign}{minutes}m{text}'
    return sign + text


def parse_go_duration(text: str) -> float:
    """Seconds of a Go duration such as ``1m30s``; :class:`ValueError` when it is not one."""
    return parse_duration(text).total_seconds()


def parse_rfc3339_ns(text: str) -> int:
    """Epoch nanoseconds of an RFC 3339 time, keeping all nine fraction digits (Pebble
    compares notice times to the nanosecond); :class:`ValueError` when it is not one."""
    moment = parse_rfc3339(text)  # validates, and reads the date and the zone
    whole = int(moment.replace(microsecond=0).timestamp()) * _NS
    _, dot, rest = text.partition('.')
    digits = ''.join(c for c in rest[:9] if c.isdigit()) if dot else ''
    return whole + (int(digits.ljust(9, '0')) if digits else 0)
