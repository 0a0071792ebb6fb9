"""``bench/run_all.py``, the runner of ``nox -s bench``: every script runs even after one
FAILs, and the summary at the end lists every target's verdict, a crash counting as a
FAIL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUN_ALL = Path(__file__).resolve().parents[1] / 'bench' / 'run_all.py'


def script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f'import sys\n{body}\n')
    return path


def run_all(*scripts: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(RUN_ALL), *map(str, scripts)],
                          capture_output=True, text=True, timeout=60)


def summary_of(output: str) -> list[str]:
    return output.split('SUMMARY: every target of every benchmark script', 1)[1].splitlines()


def test_a_fail_does_not_stop_the_scripts_after_it(tmp_path: Path) -> None:
    failing = script(tmp_path, 'bench_a.py',
                     "print('PASS  a holds')\nprint('FAIL  a misses (2.0x)')\nsys.exit(1)")
    crashing = script(tmp_path, 'bench_b.py', "raise SystemExit('b broke: no tools')")
    passing = script(tmp_path, 'bench_c.py', "print('table')\nprint('PASS  c holds (0.2x)')")
    result = run_all(failing, crashing, passing)
    assert result.returncode == 1
    assert 'table' in result.stdout and 'b broke: no tools' in result.stdout  # passed through
    summary = summary_of(result.stdout)
    assert '  PASS  a holds' in summary
    assert '  FAIL  a misses (2.0x)' in summary
    assert any(line.startswith('  FAIL  bench_b.py exited 1 without a FAIL verdict')
               for line in summary)
    assert '  PASS  c holds (0.2x)' in summary
    assert summary[-1] == '2 PASS, 2 FAIL: the benchmark session fails'


def test_all_passing_scripts_pass_the_session(tmp_path: Path) -> None:
    measuring = script(tmp_path, 'bench_m.py', "print('10,000 emit() 0.3 s')")
    passing = script(tmp_path, 'bench_p.py', "print('PASS  p holds')")
    result = run_all(measuring, passing)
    assert result.returncode == 0, result.stdout
    summary = summary_of(result.stdout)
    assert '  (no verdicts: this script only measures)' in summary
    assert summary[-1] == '1 PASS, 0 FAIL'
