"""Fault points for the reliability suite's reference charms (imported by each charm).

The test harness puts this directory on ``PYTHONPATH`` and picks a fault with environment
variables, so the charms under test are ordinary charms run as real hook processes:

* ``RELIABILITY_RAISE_AT=N``: the Nth call of :func:`point` in this process raises;
  ``RELIABILITY_COUNT_FILE=path``: how many points and SQL statements the process
  passed is written there (as JSON) at exit.
* ``RELIABILITY_KILL_SQL=N``: the process SIGKILLs itself as it starts its Nth SQL
  statement on the state store (``BEGIN``, reads, writes and ``COMMIT`` all count).
* ``RELIABILITY_KILL_COMMIT_US=D``: D microseconds after the state store's ``COMMIT``
  starts, a thread SIGKILLs the process: inside the commit, or after it (the process
  waits for the kill at exit).
"""

from __future__ import annotations

import _sqlite3
import atexit
import json
import os
import signal
import sqlite3
import threading
import time
from typing import Any

_points = 0
_statements = 0


def _report_points() -> None:
    with open(os.environ['RELIABILITY_COUNT_FILE'], 'w', encoding='utf-8') as f:
        json.dump({'points': _points, 'statements': _statements}, f)


if os.environ.get('RELIABILITY_COUNT_FILE'):
    atexit.register(_report_points)


def point(label: str) -> None:
    """A place in a handler where the harness may make the handler raise."""
    global _points
    _points += 1
    if os.environ.get('RELIABILITY_RAISE_AT') == str(_points):
        raise RuntimeError(f'injected fault #{_points} at {label}')


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _install_sql_faults() -> None:
    kill_at = int(os.environ.get('RELIABILITY_KILL_SQL', '0'))
    delay = os.environ.get('RELIABILITY_KILL_COMMIT_US')
    if not kill_at and delay is None and not os.environ.get('RELIABILITY_COUNT_FILE'):
        return
    real_connect = sqlite3.connect

    def trace(statement: str) -> None:
        global _statements
        _statements += 1
        if _statements == kill_at:
            _kill()
        if delay is not None and statement.strip().upper().startswith('COMMIT'):
            def later() -> None:
                time.sleep(int(delay) / 1e6)
                _kill()
            killer = threading.Thread(target=later, daemon=True)
            killer.start()
            # A hook that ends before the delay is up waits for its kill, so every trial
            # is a kill: inside the commit, or after it.
            atexit.register(killer.join)

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(*args, **kwargs)
        db.set_trace_callback(trace)
        return db

    sqlite3.connect = connect  # type: ignore[assignment]
    _sqlite3.connect = connect  # what reactops.storage calls (the C module behind sqlite3)


_install_sql_faults()
