"""The example Kubernetes bundle in a local model (issue 18's "Must show").

``examples/k8s-web-bundle.yaml`` deploys the reactive Kubernetes web charm and the web
probe, related over ``http``. The web container's workload manager runs the server as a
real process on this machine: the test fetches the page itself, kills the server the way
an operator would (found in the process table, not through the charm), and watches the
model notice it through the ``alive`` check, restart it, and bring the unit back. At the
end nothing of the model is left running.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from leftovers import processes_under

import reactops
from reactops import pebble
from reactops.localmodel import LocalModel, Unit, load_bundle

BUNDLE = Path(reactops.__file__).resolve().parents[1] / 'examples' / 'k8s-web-bundle.yaml'
GREETING = 'hello from the local model'
#: A generous bound for a loaded 2-core machine; each wait ends as soon as it is met.
WAIT = 30.0

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def server_pids(port: int) -> list[int]:
    """The live processes whose command line is ``... http.server <port> ...``, as ``ps``
    shows them to anyone on the machine."""
    found = []
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / 'cmdline').read_bytes().decode(errors='replace').split('\0')
            zombie = 'State:\tZ' in (entry / 'status').read_text()
        except OSError:  # gone meanwhile
            continue
        if 'http.server' in argv and str(port) in argv and not zombie:
            found.append(int(entry.name))
    return found


class Model:
    """A local model that remembers each unit's status right after each of its hooks (the
    model keeps only the latest), so a status that lasted one hook can be asserted."""

    def __init__(self, model_dir: Path) -> None:
        self.local = LocalModel(model_dir, progress=self._after_hook)
        self.after: list[tuple[str, str, tuple[str, str]]] = []
        """(unit, hook, (status, message) once that hook ended), oldest first."""

    def _after_hook(self, line: str) -> None:
        unit, hook = line.split()[:2]
        self.after.append((unit, hook, self.status(unit)))

    def status(self, unit: str) -> tuple[str, str]:
        found = next(u for u in self.local.state.units() if u.name == unit)
        return found.status, found.message

    def status_after(self, unit: str, hook: str) -> tuple[str, str]:
        """The unit's status when *hook* (its last run) ended."""
        return [status for u, h, status in self.after if (u, h) == (unit, hook)][-1]

    def hooks_run(self, unit: str) -> list[str]:
        return [h for u, h, _ in self.after if u == unit]

    def settle(self) -> None:
        """Run the queued hooks; fail with the failed hook's log when a unit is in error."""
        self.no_errors(self.local.settle())

    def no_errors(self, stuck: list[Unit]) -> None:
        for unit in stuck:
            run, logs = [(r, logs) for r, logs in self.local.hook_runs(unit.name)
                         if r.code][-1]
            lines = '\n'.join(message for _, message in logs)
            pytest.fail(f'{unit.name} failed {run.hook}:\n{run.output}\n{lines}')

    def watch_until(self, done: Callable[[], bool], what: str) -> None:
        """Let the model poll its workload managers and run the hooks that follow, until
        *done* holds after a settle (at most :data:`WAIT` seconds)."""
        self.no_errors(self.local.watch(WAIT, lambda _: done(), interval=0.2))
        if not done():
            pytest.fail(f'not seen within {WAIT:.0f} s: {what}')

    def pebble(self, unit: str, container: str) -> pebble.Client:
        """A Pebble client on the container's socket, as ``pebble`` in the container has."""
        [found] = [c for c in self.local.state.containers(unit) if c.name == container]
        return pebble.Client(str(Path(found.sockets) / container / 'pebble.socket'))


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[tuple[Model, int]]:
    """The bundle deployed and settled in a fresh model, on a free port; stopped after."""
    port = free_port()
    bundle = load_bundle(BUNDLE)
    bundle = dataclasses.replace(bundle, applications=tuple(
        dataclasses.replace(app, config={**app.config, 'port': port})
        if app.name == 'web' else app for app in bundle.applications))
    model = Model(tmp_path / 'model')
    with model.local:  # stops the workload managers and closes the model, however it ends
        model.local.create()
        model.local.deploy_bundle(bundle)
        model.settle()
        yield model, port


def test_the_bundle_serves_the_page_and_survives_a_killed_server(
        deployed: tuple[Model, int], tmp_path: Path) -> None:
    model, port = deployed
    url = f'http://localhost:{port}/'
    page = f'<h1>{GREETING}</h1>\n'

    # Settled: both units active, the probe showing the page it fetched; the page answers.
    assert model.status('web/0') == ('active', f'serving on :{port}')
    assert model.status('probe/0') == ('active', f'{url} says "{GREETING}"')
    [web] = model.local.containers('web/0')
    assert (web.services, web.checks) == ((('web', 'active'),), (('alive', 'up', 0, 2),))
    assert get(url) == page

    # Kill the server: Pebble leaves it down (on-failure: ignore) for the check to see.
    [pid] = server_pids(port)
    os.kill(pid, signal.SIGKILL)
    model.watch_until(lambda: 'web-pebble-check-failed' in model.hooks_run('web/0'),
                      'web/0 running web-pebble-check-failed')
    assert model.status_after('web/0', 'web-pebble-check-failed') == \
        ('maintenance', 'check alive is failing')

    # The check restarts the server; the charm hears it recovered and is active again.
    model.watch_until(lambda: 'web-pebble-check-recovered' in model.hooks_run('web/0'),
                      'web/0 running web-pebble-check-recovered')
    assert model.status('web/0') == ('active', f'serving on :{port}')
    assert get(url) == page
    assert server_pids(port) not in ([], [pid])
    ran = model.hooks_run('web/0')
    assert ran.index('web-pebble-check-failed') < ran.index('web-pebble-check-recovered')
    # Pebble's own record: the check failed (its change errored), then recovered.
    changes = model.pebble('web/0', 'web').get_changes(select=pebble.ChangeState.ALL)
    assert [(c.kind, c.status) for c in changes if 'check' in c.kind][:2] == \
        [('perform-check', 'Error'), ('recover-check', 'Done')]

    # The probe fetches the page again on update-status.
    model.local.update_status()
    model.settle()
    assert model.status('probe/0') == ('active', f'{url} says "{GREETING}"')

    # Stopped: no workload manager and no server of this model is left.
    assert model.local.stop()
    assert processes_under(tmp_path) == {}
    assert server_pids(port) == []
