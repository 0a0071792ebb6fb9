"""Issue 16's benchmark with issue 21's targets: a Kubernetes charm's pebble-ready hook on
reactops beside ops, and beside its floor, side by side in one run.

1. Hook latency: one charm source, run with ``import ops`` and with ``import reactops as
   ops``; its ``<container>-pebble-ready`` hook (``JUJU_WORKLOAD_NAME`` set) gets the
   container, adds a layer (``combine=True``) and replans, each hook a fresh process on
   ``/bin/sh`` fake hook tools; median of ``--runs`` runs, interleaved. Pebble is the fake
   of ``tests/pebbleserver.py``, served from a thread of this process on a Unix socket; the
   requests each hook sent are counted, so both sides are seen to do the same work.
   Targets (issue 21): at most 0.3x ops, and at most 1.05x the floor.

   The floor of a Pebble hook: ``python -c`` with PyYAML and a minimal raw client (a Unix
   socket, HTTP/1.1 written by hand, JSON) that sends Pebble exactly the requests the
   reactops hook sent (the same methods, paths and bodies, the layer dumped to YAML as a
   client must; the change it waits for is the one its replan started), plus one measured
   hook-tool call for the ``status-set`` the charm makes: what this hook cannot do without,
   whatever framework runs it. The floor run is checked to send what the hook sent.
2. A machine charm's hooks import no Pebble code: the ``_hookcharms`` charms (ops style and
   reactive, on reactops) run every hook under ``-X importtime``; no ``reactops.pebble``
   or ``reactops._private.pebble_*`` may appear. The pebble-ready hook's Pebble imports
   are listed for contrast.

Where the socket is: Juju puts it at ``/charm/containers/<name>/pebble.socket``. reactops
reads ``REACTOPS_CONTAINERS_DIR`` in place of ``/charm/containers``; ops has no such
setting, so for ops this links ``/charm/containers/<name>/pebble.socket`` to the fake's
socket (run as root, as ``nox -s bench`` here is; what it made is removed afterwards). When
``/charm`` cannot be written, the ops side is reported and skipped. Both sides talk to the
same server. Run it with ``python bench/bench_pebble.py`` (or ``nox -s bench``); the exit
status is 1 when a target FAILs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / 'tests'))  # the fake Pebble

import _hookcharms as charms  # noqa: E402
import _measures as measures  # noqa: E402
from pebbleserver import PebbleServer  # noqa: E402

RATIO = 0.3          # reactops' pebble-ready hook at most this times ops' (issue 21)
FLOOR_FACTOR = 1.05  # ... and at most this times its floor (raw client + tools it needs)
MUST_CALL = ('status-set',)  # the hook tools the charm's logic needs, juju-log aside

# The floor's Pebble client: the requests in REQUESTS, one connection each, nothing else
# imported than what speaking HTTP+JSON over a Unix socket needs (and PyYAML for the layer).
RAW_CLIENT = """\
import json, re, socket, sys, yaml

def call(method, path, body):
    data = b'' if body is None else json.dumps(body).encode()
    conn = socket.socket(socket.AF_UNIX)
    conn.connect(sys.argv[1])
    conn.sendall(f'{method} {path} HTTP/1.1\\r\\nHost: localhost\\r\\n'
                 f'Content-Type: application/json\\r\\nContent-Length: {len(data)}\\r\\n'
                 f'Connection: close\\r\\n\\r\\n'.encode() + data)
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    conn.close()
    head, _, reply = b''.join(chunks).partition(b'\\r\\n\\r\\n')
    if not head.startswith((b'HTTP/1.0 2', b'HTTP/1.1 2')):
        sys.exit(f'{method} {path}: {head.splitlines()[0]!r}')
    return json.loads(reply)

change = None
for method, path, body in REQUESTS:
    if body is not None and isinstance(body.get('layer'), dict):
        body = {**body, 'layer': yaml.safe_dump(body['layer'])}
    if change is not None:
        path = re.sub('^/v1/changes/[^/]+/', f'/v1/changes/{change}/', path)
    answer = call(method, path, body)
    change = answer.get('change') or change
"""
CONTAINER = 'workload'
JUJU_CONTAINERS = Path('/charm/containers')
PEBBLE_MODULES = ('reactops.pebble', 'reactops._private.pebble_')
TOP_OFFENDERS = 15

METADATA = f"""\
name: benchk8s
summary: The Kubernetes charm of reactops' Pebble benchmark.
description: Configures its workload's service through Pebble when the container is ready.
containers:
  {CONTAINER}:
    resource: {CONTAINER}-image
resources:
  {CONTAINER}-image:
    type: oci-image
    description: The workload's image.
"""

# The same source for both frameworks; only {module} differs.
K8S_CHARM = '''\
#!/usr/bin/env python3
"""The Pebble bench charm: a layer and a replan when the workload container is ready."""

import {module} as ops

LAYER = {{
    'summary': 'web server',
    'services': {{
        'web': {{
            'override': 'replace',
            'command': 'python3 -m http.server 8080',
            'startup': 'enabled',
            'environment': {{'PORT': '8080'}},
        }},
    }},
    'checks': {{
        'up': {{'override': 'replace', 'level': 'alive', 'tcp': {{'port': 8080}}}},
    }},
}}


class BenchK8sCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.{container}_pebble_ready, self._on_pebble_ready)

    def _on_pebble_ready(self, event):
        container = self.unit.get_container('{container}')
        container.add_layer('{container}', LAYER, combine=True)
        container.replan()
        self.unit.status = ops.ActiveStatus('serving')


if __name__ == '__main__':
    ops.main(BenchK8sCharm)
'''

# label -> (the module the charm imports as ops, extra environment). The third side is
# the unchanged ops charm on reactops: `import ops` answered by reactops, which then logs as
# ops does (DEBUG, with its start-up lines).
SIDES: dict[str, tuple[str, dict[str, str]]] = {
    'ops': ('ops', {}), 'reactops': ('reactops', {}),
    'reactops (ops)': ('ops', {'REACTOPS_OPS': 'reactops'}),
}


def build_charm(charm_dir: Path, module: str) -> None:
    """Write the Kubernetes charm, importing *module* as ops, into *charm_dir*."""
    (charm_dir / 'src').mkdir(parents=True, exist_ok=True)
    (charm_dir / 'metadata.yaml').write_text(METADATA)
    charm = charm_dir / 'src' / 'charm.py'
    charm.write_text(textwrap.dedent(K8S_CHARM.format(module=module, container=CONTAINER)))
    charm.chmod(0o755)


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@contextmanager
def juju_socket_path(socket_path: str) -> Iterator[str | None]:
    """Link Juju's socket path for the container to *socket_path*, for ops; yield why not
    (or None), and remove afterwards only what was made here."""
    link = JUJU_CONTAINERS / CONTAINER / 'pebble.socket'
    made: list[Path] = []
    try:
        for folder in (JUJU_CONTAINERS.parent, JUJU_CONTAINERS, link.parent):
            if not folder.exists():
                folder.mkdir()
                made.append(folder)
        if link.is_symlink() and not link.exists():
            link.unlink()  # a link a crashed run left behind
        if link.exists() or link.is_symlink():
            yield f'{link} exists already (another run?); not replaced'
            return
        link.symlink_to(socket_path)
        made.append(link)
    except OSError as error:
        yield f'cannot make {link} ({error}); ops reads no other path'
        return
    try:
        yield None
    finally:
        for path in reversed(made):
            try:
                path.unlink() if path.is_symlink() else path.rmdir()
            except OSError:
                pass  # something else was put there meanwhile: leave it


class PebbleHookRunner:
    """Runs one side's pebble-ready hook as fresh processes in a private fake unit."""

    def __init__(self, root: Path, label: str, server: PebbleServer, pycache: Path):
        self.label = label
        self.server = server
        slug = label.replace(' (', '-').rstrip(')')
        self.charm_dir = root / slug
        self.calls = root / f'{slug}.calls'
        module, extra_env = SIDES[label]
        build_charm(self.charm_dir, module)
        base = {key: value for key, value in os.environ.items()
                if not key.startswith(('JUJU_', 'REACTOPS_', 'PYTHONDONTWRITEBYTECODE'))}
        hook = f'{CONTAINER}-pebble-ready'
        self.env = {
            **base, 'PATH': f'{root / "bin"}{os.pathsep}{base.get("PATH", os.defpath)}',
            'PYTHONPYCACHEPREFIX': str(pycache), 'BENCH_CALLS': str(self.calls),
            'JUJU_UNIT_NAME': 'benchk8s/0', 'JUJU_CHARM_DIR': str(self.charm_dir),
            'CHARM_DIR': str(self.charm_dir), 'JUJU_MODEL_NAME': 'bench',
            'JUJU_MODEL_UUID': '00000000-0000-4000-8000-000000000000', 'JUJU_VERSION': '3.6.1',
            'JUJU_DISPATCH_PATH': f'hooks/{hook}', 'JUJU_HOOK_NAME': hook,
            'JUJU_WORKLOAD_NAME': CONTAINER,
            # reactops finds the socket here; ops (which ignores this) through the link.
            'REACTOPS_CONTAINERS_DIR': str(Path(server.socket_path).parent.parent),
            **extra_env,
        }
        self.argv = [sys.executable, str(self.charm_dir / 'src' / 'charm.py')]
        self.last_requests: list[dict[str, Any]] = []

    def run(self) -> dict[str, Any]:
        """Run the hook once: its wall time, CPU, max RSS, tool calls and Pebble requests."""
        self.calls.write_text('')
        before = len(self.server.requests)
        elapsed, rss, code, stderr, cpu = measures.timed_process(self.argv, env=self.env,
                                                                 cwd=self.charm_dir)
        if code:
            raise SystemExit(f'{self.label}: pebble-ready failed ({code}):\n{stderr}')
        self.last_requests = self.server.requests[before:]
        sent = [f'{r["method"]} {r["path"]}' for r in self.last_requests]
        if 'POST /v1/layers' not in sent or 'POST /v1/services' not in sent:
            raise SystemExit(f'{self.label}: the hook did not add a layer and replan: {sent}')
        lines = self.calls.read_text().splitlines()
        logs = sum(1 for line in lines if line.startswith('juju-log '))
        return {'time': elapsed, 'rss': rss, 'cpu': cpu, 'tools': len(lines) - logs,
                'logs': logs, 'pebble': len(sent)}


class PebbleFloor:
    """The floor of the pebble-ready hook: PyYAML and a raw client sending Pebble the
    requests *hook* sent, as a fresh process; the tools the charm needs are added apart."""

    def __init__(self, hook: PebbleHookRunner, pycache: Path):
        self.server = hook.server
        self.requests = [_replayable(r) for r in hook.last_requests]
        source = f'REQUESTS = {self.requests!r}\n' + RAW_CLIENT
        self.argv = [sys.executable, '-c', source, self.server.socket_path]
        self.env = {key: value for key, value in hook.env.items()
                    if not key.startswith(('JUJU_', 'REACTOPS_', 'BENCH_'))}
        self.env['PATH'] = os.environ.get('PATH', os.defpath)
        self.env['PYTHONPYCACHEPREFIX'] = str(pycache)

    def run(self) -> float:
        """Run the floor client once; its wall seconds."""
        elapsed, _, code, stderr, _ = measures.timed_process(self.argv, env=self.env)
        if code:
            raise SystemExit(f'the floor client failed ({code}):\n{stderr}')
        return elapsed

    def same_requests(self, hook_requests: list[dict[str, Any]]) -> bool:
        """Whether one floor run sends Pebble what the hook sent (change ids aside)."""
        before = len(self.server.requests)
        self.run()
        return ([_comparable(r) for r in self.server.requests[before:]]
                == [_comparable(r) for r in hook_requests])


def _replayable(request: dict[str, Any]) -> tuple[str, str, Any]:
    """(method, path with query, body) of a recorded request, its layer as a mapping
    (the raw client dumps it to YAML itself, as any client must)."""
    import urllib.parse

    import yaml

    body = request['body']
    if isinstance(body, dict) and isinstance(body.get('layer'), str):
        body = {**body, 'layer': yaml.safe_load(body['layer'])}
    query = urllib.parse.urlencode(request['query'], doseq=True)
    return request['method'], request['path'] + (f'?{query}' if query else ''), body


def _comparable(request: dict[str, Any]) -> tuple[str, str, Any]:
    import re

    method, path, body = _replayable(request)
    return method, re.sub('^/v1/changes/[^/]+/', '/v1/changes/*/', path), body


def machine_env(root: Path, charm_dir: Path, hook: str, units: int) -> dict[str, str]:
    """The environment of a ``_hookcharms`` machine charm's *hook* in *charm_dir*."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    env = {**base, 'PATH': f'{root / "bin"}{os.pathsep}{base.get("PATH", os.defpath)}',
           'PYTHONPYCACHEPREFIX': str(root / 'pycache'), 'BENCH_CALLS': os.devnull,
           'JUJU_UNIT_NAME': 'bench/0', 'JUJU_CHARM_DIR': str(charm_dir),
           'CHARM_DIR': str(charm_dir), 'JUJU_MODEL_NAME': 'bench', 'JUJU_VERSION': '3.6.1',
           'JUJU_DISPATCH_PATH': f'hooks/{hook}', 'JUJU_HOOK_NAME': hook,
           'BENCH_UNITS': str(units), 'BENCH_SEQ': '1'}
    if units:
        env.update(JUJU_RELATION='db', JUJU_RELATION_ID='db:1', JUJU_REMOTE_UNIT='db/0',
                   JUJU_REMOTE_APP='db')
    return env


def measure_pebble_ready(runs: int, root: Path, server: PebbleServer,
                         ops_problem: str | None) -> tuple[list[str], list[tuple[str, bool]],
                                                           PebbleHookRunner | None]:
    """Measure 1: the table and the ratio verdict."""
    pycache = root / 'pycache'
    labels = [label for label, (module, _) in SIDES.items()
              if importable(module if label == 'ops' else 'reactops')]
    lines: list[str] = []
    if 'ops' not in labels:
        lines.append('ops side skipped: ops is not installed')
    elif ops_problem:
        lines.append(f'ops side skipped: {ops_problem}')
        labels.remove('ops')
    runners = [PebbleHookRunner(root, label, server, pycache) for label in labels]
    # For scale: the same unit's work without Pebble, a machine charm's update-status.
    variant = next(v for v in charms.VARIANTS if v.key == 'reactops-ops')
    machine_dir = root / 'machine-scale'
    charms.build_variant(variant, machine_dir)
    machine = (variant.command(machine_dir, 'update-status'),
               machine_env(root, machine_dir, 'update-status', 0))
    for runner in runners:  # warm-up: compile every module once
        runner.run()
    measures.timed_process(machine[0], env=machine[1], cwd=machine_dir)
    reactops = next((r for r in runners if r.label == 'reactops'), None)
    floor = PebbleFloor(reactops, pycache) if reactops is not None else None
    same_floor = floor is not None and floor.same_requests(reactops.last_requests)
    tool_cmd = [str(root / 'bin' / MUST_CALL[0]), 'active', 'serving']
    tool_env = {**runners[0].env, 'BENCH_CALLS': os.devnull}
    results: dict[str, list[dict[str, Any]]] = {r.label: [] for r in runners}
    scale: list[float] = []
    floors: list[float] = []
    tools: list[float] = []
    for _ in range(runs):  # interleaved, so a slow moment of the machine hits every side
        for runner in runners:
            results[runner.label].append(runner.run())
        scale.append(measures.timed_process(machine[0], env=machine[1], cwd=machine_dir)[0])
        if floor is not None:
            floors.append(floor.run())
            tools.append(measures.timed_process(tool_cmd, env=tool_env)[0])
    med = {label: {key: statistics.median(r[key] for r in found) for key in found[0]}
           for label, found in results.items()}
    lines += [f'{CONTAINER}-pebble-ready (get_container, add_layer combine=True, replan, '
              f'status), median of {runs}',
              f'{"":<34}' + ''.join(f'{label:>16}' for label in med), '-' * (34 + 16 * len(med))]
    rows = (('latency', lambda m: _ms(m['time'])), ('CPU (user + system)', lambda m: _ms(
        m['cpu'])), ('peak memory (max RSS)', lambda m: f'{m["rss"] / 1024:.1f} MB'),
        ('hook tools + juju-log', lambda m: f'{m["tools"]:.0f} + {m["logs"]:.0f}'),
        ('Pebble requests', lambda m: f'{m["pebble"]:.0f}'))
    for name, show in rows:
        lines.append(f'{name:<34}' + ''.join(f'{show(m):>16}' for m in med.values()))
    verdicts: list[tuple[str, bool]] = []
    for side in ('reactops', 'reactops (ops)'):
        if 'ops' not in med or side not in med:
            continue
        ratio = med[side]['time'] / med['ops']['time']
        lines.append(f'{"ratio " + side + " / ops":<34}{ratio:>16.2f}')
        verdicts.append((f'latency of pebble-ready on {side} <= {RATIO:g}x ops '
                         f'({ratio:.2f}x)', ratio <= RATIO))
        verdicts.append((f'ops and {side} send Pebble the same number of requests '
                         f'({med["ops"]["pebble"]:.0f} and {med[side]["pebble"]:.0f})',
                         med['ops']['pebble'] == med[side]['pebble']))
    if floor is not None:
        budget = statistics.median(floors) + statistics.median(tools) * len(MUST_CALL)
        sent = ', '.join(f'{method} {path}' for method, path, _ in floor.requests)
        lines += [f'floor: python + PyYAML + a raw client sending the same {len(floor.requests)} '
                  f'Pebble requests ({sent}): {_ms(statistics.median(floors))}; '
                  f'+ {len(MUST_CALL)} hook-tool call ({", ".join(MUST_CALL)}) at '
                  f'{_ms(statistics.median(tools))} = {_ms(budget)}']
        verdicts.append(('the floor client sends Pebble what the reactops hook sent '
                         f'({len(floor.requests)} requests)', same_floor))
        for side in ('reactops', 'reactops (ops)'):
            if side in med:
                excess = med[side]['time'] / budget
                lines.append(f'{"ratio " + side + " / floor":<34}{excess:>16.2f}')
                verdicts.append((f'latency of pebble-ready on {side} <= {FLOOR_FACTOR:g}x '
                                 f'(floor + the tools and Pebble requests the charm needs) '
                                 f'({excess:.2f}x)', excess <= FLOOR_FACTOR))
    if 'reactops' in med:
        machine_time = statistics.median(scale)
        lines.append(f"for scale: a machine charm's update-status on reactops (ops style, no "
                     f'Pebble) takes {_ms(machine_time)}; the Pebble work adds '
                     f'{_ms(med["reactops"]["time"] - machine_time)}')
    return lines, verdicts, reactops


def pebble_imports(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, int]:
    """The Pebble modules one run of *argv* imports, with their cumulative µs."""
    tree, _ = measures._import_tree(argv, env, cwd)
    return {name: cumulative for name, (_, cumulative) in tree.items()
            if name.startswith(PEBBLE_MODULES)}


def machine_imports(root: Path, pebble_ready: PebbleHookRunner | None
                    ) -> tuple[list[str], list[tuple[str, bool]]]:
    """Measure 2: no machine charm hook imports Pebble code; what pebble-ready imports
    beyond a machine hook, for contrast (what the Pebble path costs)."""
    found: dict[str, list[str]] = {}
    machine: dict[str, tuple[int, int]] = {}
    for variant in charms.VARIANTS:
        if variant.framework != 'reactops':
            continue
        charm_dir = root / f'machine-{variant.key}'
        charms.build_variant(variant, charm_dir)
        for label, (hook, units) in charms.HOOKS.items():
            env = machine_env(root, charm_dir, hook, units)
            tree, _ = measures._import_tree(variant.command(charm_dir, hook), env, charm_dir)
            found[f'{variant.key} {label}'] = sorted(
                name for name in tree if name.startswith(PEBBLE_MODULES))
            if variant.style == 'ops' and label == 'update-status':  # metadata cached
                machine = tree
    bad = {hook: modules for hook, modules in found.items() if modules}
    lines = [f"Pebble modules imported by a machine charm's hooks (-X importtime; "
             f'{len(found)} hooks of the ops-style and reactive charms on reactops): '
             + ('none' if not bad else '; '.join(f'{h}: {", ".join(m)}' for h, m in bad.items()))]
    if pebble_ready is not None:
        tree, _ = measures._import_tree(pebble_ready.argv, pebble_ready.env,
                                        pebble_ready.charm_dir)
        extra = {name: times for name, times in tree.items() if name not in machine}
        total = sum(own for own, _ in extra.values())
        lines += ['', f'for contrast, what the reactops pebble-ready hook imports that its '
                  f'machine update-status does not: {len(extra)} modules, {total / 1000:.1f} ms '
                  f'(-X importtime self times; the top {TOP_OFFENDERS} below)']
        worst = sorted(extra.items(), key=lambda item: -item[1][0])[:TOP_OFFENDERS]
        lines += [f'  {name:<40}{own / 1000:7.2f} ms self{cum / 1000:8.2f} ms cumulative'
                  for name, (own, cum) in worst]
    return lines, [(f'no machine charm hook imports Pebble code ({len(found)} hooks)',
                    bool(found) and not bad)]


def _ms(seconds: float) -> str:
    return f'{seconds * 1000:.1f} ms'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=9, help='runs per side (at least 7)')
    options = parser.parse_args()
    if options.runs < 7:
        parser.error('--runs must be at least 7 (a median of >= 7, as bench_hooks.py)')
    started = time.perf_counter()
    print(measures.machine_line())
    print(f'python {platform.python_version()} ({sys.executable}); '
          f'{measures.versions_line()}; runs: {options.runs}')
    print()
    root = Path(tempfile.mkdtemp(prefix='reactops-bench-pebble-'))
    verdicts: list[tuple[str, bool]] = []
    try:
        charms.build_tools(root / 'bin')
        with PebbleServer(root / 'containers' / CONTAINER) as server, \
                juju_socket_path(server.socket_path) as ops_problem:
            lines, found, reactops = measure_pebble_ready(options.runs, root, server,
                                                          ops_problem)
            print('\n'.join(lines))
            verdicts += found
            lines, found = machine_imports(root, reactops)
            print()
            print('\n'.join(lines))
            verdicts += found
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return measures.report(verdicts, started)


if __name__ == '__main__':
    sys.exit(main())
