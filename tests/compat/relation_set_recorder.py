"""``relation-set`` for the compat scenarios: the fake tool of ``tests/fakejuju``, plus a
record of what each successful call wrote.

charmhelpers passes the settings in a temporary ``--file`` it deletes after the call, and
reactops may pass them on stdin, so the fake tools' argv log cannot say what was written.
This wrapper parses the call with the fake tool's own parser (the same rules, the same
relation lookup), runs the fake tool, and when it succeeded appends one JSON line
``{"relation": "db:1", "app": false, "settings": {...}, "changed": {...}}`` to the file
named by ``$COMPAT_RELATION_WRITES``: ``settings`` as the call gave them, ``changed`` only
those that changed the bag (a new value, or an empty value removing a key, as in Juju).
A value re-sent unchanged writes nothing Juju would pass on (no ``relation-changed``).

The harness installs it in front of the fake tools, under the name ``relation-set``, with a
launcher that puts ``tests/fakejuju`` and the fake tools' directory on ``sys.path``.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

import tool  # tests/fakejuju/tool.py, on sys.path by the launcher

LOG_ENV = 'COMPAT_RELATION_WRITES'


def parse_write(args: list[str], stdin: str | None) -> dict[str, Any] | None:
    """What a ``relation-set`` with *args* writes, or None when the fake would refuse it."""
    try:
        opts, rest = tool.parse_argv('relation-set', args)
        state = tool.load_state(os.environ.get('FAKEJUJU_STATE', ''))
        call = tool.Hook('relation-set', opts, rest, state, stdin)
        relation, app = call.relation_key(), bool(opts.get('app'))
        settings = {**call.file_values(), **tool.key_values(rest)}
    except tool.Refused:
        return None  # the fake tool answers the error itself
    bag = call.relation(relation).get('data', {}).get(call.app if app else call.unit, {})
    changed = {key: value for key, value in settings.items()
               if (bag.get(key) != value if value else key in bag)}
    return {'relation': relation, 'app': app, 'settings': settings, 'changed': changed}


def main(argv: list[str]) -> int:
    args = argv[1:]
    stdin = sys.stdin.read() if tool.reads_stdin(args) else None
    write = parse_write(args, stdin)
    sys.stdin = io.StringIO(stdin or '')
    code = tool.main(['relation-set', *args])
    log = os.environ.get(LOG_ENV)
    if code == 0 and write is not None and log:
        with open(log, 'a', encoding='utf-8') as f:
            f.write(json.dumps(write, sort_keys=True) + '\n')
    return code
