"""Kubernetes web (reactive) as Juju runs it: each hook a real process, on fake hook tools,
talking to a Pebble-speaking server on a Unix socket (``tests/pebbleserver.py``).

``REACTOPS_CONTAINERS_DIR`` tells reactops where the containers' sockets are, in place of
``/charm/containers``.
"""

from __future__ import annotations

from pathlib import Path

from charmrun import CharmUnit
from pebbleserver import PebbleServer

CHARM_DIR = Path(__file__).resolve().parents[1]
SERVING = ['status-set', '--application=false', 'active', '--', 'serving on :8080']


def test_the_flags_follow_pebble_across_hooks(tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path / 'unit', CHARM_DIR, 'k8s-web-reactive/0',
                     config={'port': 8080, 'greeting': 'hello'})
    sockets = tmp_path / 'containers'
    env = {'REACTOPS_CONTAINERS_DIR': str(sockets)}

    # No Pebble yet: its socket is not there.
    argvs = unit.ok('hooks/install', **env)
    assert ['status-set', '--application=false', 'waiting', '--',
            'waiting for Pebble in the web container'] in argvs
    assert 'web.stale' in unit.flags() and 'container.web.ready' not in unit.flags()

    with PebbleServer(sockets / 'web') as web:
        argvs = unit.ok('hooks/web-pebble-ready', JUJU_WORKLOAD_NAME='web', **env)
        assert web.running == {'web'}
        assert (web.fs / 'srv' / 'www' / 'index.html').read_text() == '<h1>hello</h1>\n'
        assert SERVING in argvs and ['open-port', '8080/tcp'] in argvs
        assert 'container.web.ready' in unit.flags() and 'web.stale' not in unit.flags()

        unit.ok('hooks/web-pebble-check-failed', JUJU_WORKLOAD_NAME='web',
                JUJU_PEBBLE_CHECK_NAME='alive', **env)
        assert 'container.web.check.alive.failed' in unit.flags()
        argvs = unit.ok('hooks/web-pebble-check-recovered', JUJU_WORKLOAD_NAME='web',
                        JUJU_PEBBLE_CHECK_NAME='alive', **env)
        assert SERVING in argvs
        assert not [flag for flag in unit.flags() if '.check.' in flag]

        (web.fs / 'srv' / 'www' / 'index.html').write_text('overwritten')
        unit.ok('hooks/web-pebble-custom-notice', JUJU_WORKLOAD_NAME='web',
                JUJU_NOTICE_ID='7', JUJU_NOTICE_TYPE='custom',
                JUJU_NOTICE_KEY='example.com/reload', **env)
        assert (web.fs / 'srv' / 'www' / 'index.html').read_text() == '<h1>hello</h1>\n'
        assert [c['kind'] for c in web.changes.values()][-1] == 'restart'
        assert not [flag for flag in unit.flags() if '.notice.' in flag]

    # Pebble has gone: the next hook that reads the flag finds out.
    unit.ok('hooks/update-status', **env)
    assert 'container.web.ready' not in unit.flags()
