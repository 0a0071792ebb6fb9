"""The checked-in name lists (``tests/legacy_names/*.txt``) are still what charms.reactive
1.5.3 and charmhelpers 1.2.1 hold: regenerated from the real packages, they come out the
same. ``tests/test_legacy_names.py`` checks the lists against reactops."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from compat_harness import find_reference_python

pytestmark = pytest.mark.compat

NAMES_DIR = Path(__file__).resolve().parents[1] / 'legacy_names'


def test_checked_in_lists_match_the_real_packages() -> None:
    python, reason = find_reference_python()
    if python is None:
        pytest.skip(reason)
    made = subprocess.run([python, str(NAMES_DIR / 'make_lists.py'), '--json'],
                          capture_output=True, text=True, timeout=120, check=True)
    fresh: dict[str, list[str]] = json.loads(made.stdout)
    checked_in = {path.stem: path.read_text().splitlines()
                  for path in sorted(NAMES_DIR.glob('*.txt'))}
    assert sorted(checked_in) == sorted(fresh), 'a module list is missing or extra'
    for module, names in fresh.items():
        missing = sorted(set(names) - set(checked_in[module]))
        extra = sorted(set(checked_in[module]) - set(names))
        assert (missing, extra) == ([], []), (
            f'{module}: the list differs from the package (missing {missing}, extra {extra}); '
            'rerun tests/legacy_names/make_lists.py with the reference python')
        assert checked_in[module] == names, f'{module}.txt is not sorted as generated'
