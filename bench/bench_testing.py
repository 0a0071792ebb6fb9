"""1,000 state-transition runs of a small charm: reactops.testing beside ops.testing.

The same charm is written once against a module named ``fw`` that is either ``reactops`` or
``ops``; each framework's testing API runs it 1,000 times (install, config-changed and a
relation-changed in turn). Prints the totals, the per-run time and the ratio, and PASS/FAIL
for the target: 1,000 reactops runs in under 5 s.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import types
from typing import Any

RUNS = 1000
TARGET_SECONDS = 5.0

CHARM_SOURCE = """
class SmallCharm(fw.CharmBase):
    _stored = fw.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(configured=0)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)

    def _on_install(self, event):
        self.unit.status = fw.MaintenanceStatus('installing')

    def _on_config_changed(self, event):
        self._stored.configured += 1
        self.unit.status = fw.ActiveStatus(f"port {self.config['port']}")

    def _on_db_changed(self, event):
        host = event.relation.data[event.unit].get('host')
        event.relation.data[self.unit]['seen'] = host or ''
"""

META = {'name': 'small', 'requires': {'db': {'interface': 'pgsql'}}}
CONFIG = {'options': {'port': {'type': 'int', 'default': 8080}}}


def make_charm(framework_module: Any) -> type:
    """The charm class, written against *framework_module* (reactops or ops)."""
    namespace: dict[str, Any] = {'fw': framework_module}
    exec(compile(CHARM_SOURCE, f'<small charm on {framework_module.__name__}>', 'exec'),
         namespace)
    return namespace['SmallCharm']  # type: ignore[no-any-return]


def run_many(testing: types.ModuleType, charm: type) -> float:
    """Seconds for RUNS runs with *testing*'s Context and State."""
    ctx = testing.Context(charm, meta=META, config=CONFIG)
    relation = testing.Relation('db', remote_units_data={0: {'host': 'pg'}})
    state = testing.State(config={'port': 8080}, relations=[relation])
    events = [ctx.on.install(), ctx.on.config_changed(),
              ctx.on.relation_changed(relation, remote_unit=0)]
    start = time.perf_counter()
    for i in range(RUNS):
        ctx.run(events[i % 3], state)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    import reactops
    import reactops.testing

    ours = run_many(reactops.testing, make_charm(reactops))
    print(f'{RUNS} runs of a small charm (install, config-changed, relation-changed)')
    print(f'{"framework":<22}{"total":>10}{"per run":>12}{"ratio":>10}')
    print(f'{"reactops.testing":<22}{ours:>9.2f}s{ours / RUNS * 1000:>10.2f}ms{"":>10}')
    try:
        ops = importlib.import_module('ops')
        ops_testing = importlib.import_module('ops.testing')
        _ = ops_testing.Context  # Scenario is installed (ops[testing])
    except (ImportError, AttributeError):
        print(f'{"ops.testing":<22}{"not installed":>32}')
    else:
        theirs = run_many(ops_testing, make_charm(ops))
        print(f'{"ops.testing " + ops.__version__:<22}{theirs:>9.2f}s'
              f'{theirs / RUNS * 1000:>10.2f}ms{ours / theirs:>10.2f}')
    ok = ours < TARGET_SECONDS
    print(f'{"PASS" if ok else "FAIL"}  {RUNS} reactops runs under {TARGET_SECONDS:.0f} s '
          f'({ours:.2f} s)')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
