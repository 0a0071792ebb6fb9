"""Notices: Pebble's record of things that happened (custom, change-update, warning).

A notice is unique by (user, type, key); recording it again bumps ``occurrences`` and
``last-occurred``, and ``last-repeated`` too unless it repeats within its ``repeat-after``.
Readers filter on ``last-repeated`` (``after``), so a repeat inside that window wakes no one.
Warnings (``add_warning``) are warning notices, also shown in the older warnings shape.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from typing import Any

from ._errors import APIError
from ._timefmt import go_duration, now_ns, rfc3339_nano

__all__ = ['NOTICE_TYPES', 'NoticeStore', 'check_custom_key']

NOTICE_TYPES = ('change-update', 'custom', 'warning')
EXPIRE_AFTER = 7 * 24 * 3600.0
WARNING_REPEAT_AFTER = 24 * 3600.0
_CUSTOM_KEY = re.compile(
    r'^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+(/[a-z0-9]+(-[a-z0-9]+)*)+$')
_MAX_KEY = 256
_NS = 1_000_000_000


def check_custom_key(key: str) -> None:
    """Refuse a custom notice key as Pebble does: it must look like ``example.com/path``."""
    if not _CUSTOM_KEY.match(key):
        raise APIError(400, f'invalid key "{key}" (must be in "example.com/path" format)')
    if len(key.encode()) > _MAX_KEY:
        raise APIError(400, f'key must be {_MAX_KEY} bytes or less')


@dataclasses.dataclass
class _Notice:
    id: str
    user_id: int | None
    type: str
    key: str
    first: int
    last: int
    repeated: int
    occurrences: int = 1
    data: dict[str, str] = dataclasses.field(default_factory=dict)
    repeat_after: float = 0.0
    expire_after: float = EXPIRE_AFTER
    shown: int = 0  # warnings only: when acknowledged

    def expired(self, now: int) -> bool:
        return self.last + self.expire_after * _NS < now

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            'id': self.id, 'user-id': self.user_id, 'type': self.type, 'key': self.key,
            'first-occurred': rfc3339_nano(self.first, utc=True),
            'last-occurred': rfc3339_nano(self.last, utc=True),
            'last-repeated': rfc3339_nano(self.repeated, utc=True),
            'occurrences': self.occurrences,
        }
        if self.data:
            out['last-data'] = dict(self.data)
        if self.repeat_after:
            out['repeat-after'] = go_duration(self.repeat_after)
        if self.expire_after:
            out['expire-after'] = go_duration(self.expire_after)
        return out


class NoticeStore:
    """The notices of one workload manager; thread-safe, with waiting for new ones."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._notices: dict[tuple[int | None, str, str], _Notice] = {}
        self._last_id = 0

    def add(self, type: str, key: str, *, data: dict[str, str] | None = None,  # noqa: A002
            repeat_after: float | None = None, user_id: int | None = None) -> str:
        """Record an occurrence of the notice; its id (new, or the existing one's)."""
        if type not in NOTICE_TYPES:
            raise APIError(400, f'invalid type "{type}"')
        if not key:
            raise APIError(400, f'cannot add {type} notice with empty key')
        now = now_ns()
        repeat = repeat_after or 0.0
        with self._cond:
            notice = self._notices.get((user_id, type, key))
            if notice is not None and notice.expired(now):
                notice = None
            woke = True
            if notice is None:
                self._last_id += 1
                notice = _Notice(str(self._last_id), user_id, type, key, now, now, now)
                self._notices[(user_id, type, key)] = notice
            else:
                notice.occurrences += 1
                if repeat and now <= notice.repeated + repeat * _NS:
                    woke = False
                else:
                    notice.repeated = now
            notice.last = now
            notice.data = dict(data or {})
            notice.repeat_after = repeat
            if woke:
                self._cond.notify_all()
            return notice.id

    def _matching(self, types: list[str], keys: list[str], after: int | None,
                  user_id: int | None, all_users: bool) -> list[_Notice]:
        now = now_ns()
        wanted = [t for t in dict.fromkeys(types) if t in NOTICE_TYPES]
        if types and not wanted:
            return []  # Pebble answers [] when every requested type is unknown
        found = [
            n for n in self._notices.values()
            if not n.expired(now)
            and (all_users or user_id is None or n.user_id is None or n.user_id == user_id)
            and (not wanted or n.type in wanted)
            and (not keys or n.key in keys)
            and (after is None or n.repeated > after)
        ]
        return sorted(found, key=lambda n: n.repeated)

    def notices(self, *, types: list[str], keys: list[str], after: int | None,
                user_id: int | None, all_users: bool) -> list[dict[str, Any]]:
        """The notices that match, oldest ``last-repeated`` first."""
        with self._cond:
            return [n.to_dict() for n in self._matching(types, keys, after, user_id, all_users)]

    def wait(self, *, types: list[str], keys: list[str], after: int | None,
             user_id: int | None, all_users: bool, timeout: float,
             stop: threading.Event | None = None) -> list[dict[str, Any]]:
        """Like :meth:`notices`, waiting up to *timeout* seconds for at least one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self._matching(types, keys, after, user_id, all_users)
                remaining = deadline - time.monotonic()
                if found or remaining <= 0 or (stop is not None and stop.is_set()):
                    return [n.to_dict() for n in found]
                self._cond.wait(min(remaining, 0.5) if stop is not None else remaining)

    def wake(self) -> None:
        """Wake every waiter (they look again, e.g. on shutdown)."""
        with self._cond:
            self._cond.notify_all()

    def notice(self, notice_id: str) -> dict[str, Any]:
        """One notice by id; 404 when there is none."""
        with self._cond:
            for notice in self._notices.values():
                if notice.id == notice_id:
                    return notice.to_dict()
        raise APIError(404, f'cannot find notice with ID "{notice_id}"', 'not-found')

    # --- warnings (the older /v1/warnings view of warning notices) ---

    def add_warning(self, message: str) -> None:
        """Record a warning (repeats at most once a day, as Pebble's)."""
        self.add('warning', message, repeat_after=WARNING_REPEAT_AFTER)

    def warnings(self, select: str) -> list[dict[str, Any]]:
        """Warnings in Pebble's warnings shape; ``pending`` ones only unless ``all``."""
        if select not in ('all', 'pending'):
            raise APIError(400, 'invalid select parameter: "' + select + '"')
        with self._cond:
            now = now_ns()
            out = []
            for n in sorted(self._notices.values(), key=lambda n: n.repeated):
                if n.type != 'warning' or n.expired(now):
                    continue
                if select == 'pending' and n.shown >= n.repeated:
                    continue
                record: dict[str, Any] = {
                    'message': n.key, 'first-added': rfc3339_nano(n.first, utc=True),
                    'last-added': rfc3339_nano(n.repeated, utc=True),
                    'expire-after': go_duration(n.expire_after),
                    'repeat-after': go_duration(n.repeat_after),
                }
                if n.shown:
                    record['last-shown'] = rfc3339_nano(n.shown, utc=True)
                out.append(record)
            return out

    def ack_warnings(self, timestamp_ns: int) -> int:
        """Mark warnings added up to *timestamp_ns* as shown; how many were pending."""
        now = now_ns()
        count = 0
        with self._cond:
            for n in self._notices.values():
                if n.type == 'warning' and n.repeated <= timestamp_ns and n.shown < n.repeated:
                    n.shown = now
                    count += 1
        return count
