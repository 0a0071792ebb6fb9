"""The error a request gets: Pebble's status code, message and (sometimes) error kind."""

from __future__ import annotations

__all__ = ['APIError']


class APIError(Exception):
    """Answer the request with *status* and *message* in Pebble's error shape.

    *kind* is Pebble's machine-readable error kind (``not-found``, ``permission-denied``,
    ``generic-file-error``, ...), empty when Pebble gives none; *value* is the optional
    ``value`` of the error result (e.g. the per-path errors of a files request).
    """

    def __init__(self, status: int, message: str, kind: str = '',
                 value: object | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.value = value
