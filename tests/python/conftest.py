"""Fixtures for the Python module's tests: real repositories in temporary
folders, the starlog binary for other processes, and a small HSC-like
registry to query."""

import datetime
import os
import subprocess
import sys

import pytest

import starlog

UTC = datetime.timezone.utc
STARLOG = os.environ.get("STARLOG_BINARY", "starlog")


def cli(*args, check=True, env=None):
    """Runs the starlog binary; returns the CompletedProcess (text)."""
    done = subprocess.run(
        [STARLOG, *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )
    if check and done.returncode != 0:
        raise AssertionError(f"starlog {args} failed: {done.stdout}{done.stderr}")
    return done


def populate(repo):
    """Records, dataset types and collections of a small HSC-like camera."""
    repo.insert_dimension_records(
        "instrument",
        [{"instrument": "HSC", "class_name": "Hsc", "detector_max": 111, "exposure_max": 99999999}],
    )
    repo.insert_dimension_records("band", [{"band": "r"}, {"band": "i"}])
    repo.insert_dimension_records(
        "physical_filter",
        [
            {"instrument": "HSC", "physical_filter": "HSC-R", "band": "r"},
            {"instrument": "HSC", "physical_filter": "HSC-I", "band": "i"},
        ],
    )
    repo.insert_dimension_records(
        "detector", {"instrument": ["HSC"] * 4, "detector": [0, 1, 2, 3], "full_name": ["a", "b", "c", "d"]}
    )
    repo.insert_dimension_records("day_obs", [{"instrument": "HSC", "day_obs": 20240301}])
    repo.insert_dimension_records(
        "exposure",
        [
            {"instrument": "HSC", "exposure": e, "physical_filter": f, "day_obs": 20240301,
             "observation_type": "science"}
            for e, f in [(903334, "HSC-R"), (903336, "HSC-I")]
        ],
    )
    repo.register_dataset_type("raw", ["instrument", "exposure", "detector"], "Exposure")
    repo.register_dataset_type("bias", ["instrument", "detector"], "ExposureF", is_calibration=True)
    repo.create_collection("HSC/raw/all", "RUN", doc="all raws")
    repo.create_collection("HSC/calib/bias", "RUN")
    repo.create_collection("HSC/calib", "CALIBRATION")


RAWS = [
    {"instrument": "HSC", "exposure": e, "detector": d} for e in (903334, 903336) for d in range(4)
]


@pytest.fixture
def repo_path(tmp_path):
    return str(tmp_path / "repo")


@pytest.fixture
def repo(repo_path):
    """A new repository, open for writing in this process, no access policy."""
    r = starlog.Repository.create(repo_path, policy=False)
    yield r
    r.close()


@pytest.fixture
def filled(repo):
    populate(repo)
    return repo


def python_child(code, *args):
    """Starts a Python process running ``code`` with the package importable."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def interrupt_promptly(code, root, within):
    """Starts ``code`` on ``root`` (it prints "waiting" as it starts a wait,
    and "interrupted" with exit code 3 on KeyboardInterrupt), sends it
    SIGINT in the wait and checks it stopped within ``within`` seconds."""
    import signal
    import time

    child = python_child(code, root)
    try:
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(0.4)  # In the wait by now.
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
        assert child.returncode == 3, err
        assert out.strip() == "interrupted"
        assert time.monotonic() - sent < within
    finally:
        if child.poll() is None:
            child.kill()


class Ticker:
    """A thread counting while a ``with`` block runs: ``ticks`` shows whether
    Python ran other threads meanwhile (the GIL released)."""

    def __init__(self):
        import threading

        self.ticks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._count)

    def _count(self):
        import time

        while not self._stop.is_set():
            self.ticks += 1
            time.sleep(0.001)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
