"""The workload manager answers the real ops client as it answers reactops' own.

``tests/test_workload_manager.py`` runs in a fresh interpreter with the real ops 3.9
(``$REACTOPS_COMPAT_OPS_PYTHON``, else ``/tmp/ref/bin/python``) and ``ops.pebble`` as its
client; the managers it starts run on this interpreter (``$REACTOPS_WORKLOAD_PYTHON``), as
the local model runs them. Every test of the module must pass there too. Skipped when no
interpreter with the real ops is found.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_compat_pebble import _clean_env, find_ops_python

# Runs a whole test module in another interpreter (seconds); test_compat_pebble's wire
# tests keep the real ops client's view of the workload manager in the quick run.
pytestmark = [pytest.mark.compat, pytest.mark.slow]

MODULE = Path(__file__).resolve().parents[1] / 'test_workload_manager.py'
_TIMEOUT = 300


def test_the_workload_manager_tests_pass_with_the_real_ops_client(tmp_path: Path) -> None:
    python, reason = find_ops_python()
    if python is None:
        pytest.skip(reason)
    (tmp_path / 'pytest.ini').write_text('[pytest]\n')
    env = {**_clean_env(), 'REACTOPS_PEBBLE_CLIENT': 'ops.pebble',
           'REACTOPS_WORKLOAD_PYTHON': sys.executable, 'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1'}
    command = [python, '-m', 'pytest', '-p', 'no:cacheprovider', '--noconftest',
               '-c', str(tmp_path / 'pytest.ini'), '--rootdir', str(tmp_path),
               '-q', '-rfEs', '--tb=short', str(MODULE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, env=env,
                          cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f'the tests fail against ops.pebble:\n{output}'
    passed = re.search(r'(\d+) passed', output)
    defined = len(re.findall(r'^def test_', MODULE.read_text(), flags=re.MULTILINE))
    assert passed is not None and int(passed.group(1)) == defined, output
