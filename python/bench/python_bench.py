"""The Python module's figures beside the C++ calls they wrap, in one run:

    PYTHONPATH=build/python python3 python/bench/python_bench.py [--exposures N]

find_dataset from a Python loop against the same lookups looped in C++,
query_datasets into DatasetRefs, and register_datasets from numpy columns
(sync off, as the C++ benchmark's appends).
"""

import argparse
import shutil
import tempfile
import time

import numpy as np

import starlog
from starlog import _starlog

DETECTORS = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exposures", type=int, default=100, help="datasets: 200 per exposure")
    parser.add_argument("--lookups", type=int, default=20000)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="starlog-pybench-")
    try:
        run(f"{root}/repo", args.exposures, args.lookups)
    finally:
        shutil.rmtree(root)


def run(path: str, exposures: int, lookups: int) -> None:
    with starlog.Repository.create(path, policy=False, sync=False) as repo:
        repo.insert_dimension_records(
            "instrument", [{"instrument": "HSC", "detector_max": DETECTORS, "exposure_max": 99999999}])
        repo.insert_dimension_records("detector", {"instrument": ["HSC"] * DETECTORS,
                                                   "detector": np.arange(DETECTORS)})
        repo.insert_dimension_records("day_obs", [{"instrument": "HSC", "day_obs": 20240301}])
        repo.insert_dimension_records("band", [{"band": "r"}])
        repo.insert_dimension_records("physical_filter", [{"instrument": "HSC", "physical_filter": "R", "band": "r"}])
        repo.insert_dimension_records("exposure", {
            "instrument": ["HSC"] * exposures, "exposure": np.arange(exposures),
            "physical_filter": ["R"] * exposures, "day_obs": [20240301] * exposures})
        repo.register_dataset_type("raw", ["instrument", "exposure", "detector"], "Exposure")
        repo.create_collection("run")
        n = exposures * DETECTORS
        cols = {"instrument": np.array(["HSC"] * n), "exposure": np.repeat(np.arange(exposures), DETECTORS),
                "detector": np.tile(np.arange(DETECTORS), exposures)}
        start = time.perf_counter()
        for i in range(0, n, 1000):
            repo.register_datasets("raw", "run", {k: v[i:i + 1000] for k, v in cols.items()})
        elapsed = time.perf_counter() - start
        repo.create_collection("run2")
        cxx = starlog.Repository._time_register_datasets_in_cxx(repo, "raw", "run2", cols, 1000)
        print(f"register_datasets from numpy, batches of 1,000: {n / elapsed:,.0f} datasets/s; "
              f"in C++ {n / cxx:,.0f}/s (Python at {cxx / elapsed:.2f} of C++)")

        view = repo.view()
        count = min(lookups, n)
        ids = [{"instrument": "HSC", "exposure": int(e), "detector": int(d)}
               for e, d in zip(cols["exposure"][:count], cols["detector"][:count])]
        cxx = _starlog._time_find_dataset_in_cxx(view, "raw", ids, ["run"])
        start = time.perf_counter()
        for data_id in ids:
            view.find_dataset("raw", data_id, ["run"])
        py = time.perf_counter() - start
        print(f"find_dataset: {count / py:,.0f}/s from a Python loop, {count / cxx:,.0f}/s in C++; "
              f"overhead {(py - cxx) / count * 1e6:.2f} us per call")

        start = time.perf_counter()
        refs = view.query_datasets("raw", ["run"])
        query = time.perf_counter() - start
        rows = [(r.id, r.data_id) for r in refs]
        total = time.perf_counter() - start
        print(f"query_datasets: {len(rows) / total:,.0f} rows/s into DatasetRefs with id and data_id "
              f"({len(rows) / query:,.0f} rows/s for the query alone)")


if __name__ == "__main__":
    main()
