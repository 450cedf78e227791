"""python/bench/python_bench.py runs (at a tiny scale) and prints its figures."""

import os
import subprocess
import sys

BENCH = os.path.join(os.path.dirname(os.environ["STARLOG_README"]), "python", "bench", "python_bench.py")


def test_the_benchmark_runs_and_prints_each_figure():
    done = subprocess.run([sys.executable, BENCH, "--exposures", "2", "--lookups", "100"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "register_datasets from numpy" in out and "of C++" in out
    assert "find_dataset:" in out and "overhead" in out
    assert "query_datasets:" in out
