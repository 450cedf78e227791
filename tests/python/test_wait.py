"""wait_for_dataset: woken by a write from another process or thread,
TimedOutError otherwise, the GIL released while it waits, and Ctrl-C
(SIGINT) interrupting it at once."""

import subprocess
import threading
import time

import pytest

import starlog
from conftest import RAWS, STARLOG, Ticker, interrupt_promptly

RAW = RAWS[0]


def register_later(root, delay, run="HSC/raw/all"):
    """Registers RAW with the starlog binary after ``delay`` seconds."""
    def go():
        time.sleep(delay)
        csv = "instrument,exposure,detector\n{instrument},{exposure},{detector}\n".format(**RAW)
        subprocess.run([STARLOG, "register-datasets", root, "raw", run, "-", "--format", "csv"],
                       input=csv, text=True, check=True, capture_output=True)
    t = threading.Thread(target=go)
    t.start()
    return t


def test_woken_by_the_starlog_binary_in_another_process(filled):
    filled.close()
    with starlog.Repository.open(filled.root, follow=True) as follower:
        writer = register_later(filled.root, 0.5)
        start = time.monotonic()
        ref = follower.wait_for_dataset("raw", RAW, ["HSC/raw/all"], timeout=30)
        waited = time.monotonic() - start
        writer.join()
        assert ref.data_id == RAW and ref.run == "HSC/raw/all"
        assert 0.4 < waited < 10


def test_found_at_once_when_already_there(filled):
    filled.register_datasets("raw", "HSC/raw/all", [RAW])
    assert filled.wait_for_dataset("raw", RAW, "HSC/raw/all", timeout=0).data_id == RAW


def test_times_out_naming_what_it_waited_for(filled):
    start = time.monotonic()
    with pytest.raises(starlog.TimedOutError) as e:
        filled.wait_for_dataset("raw", RAW, ["HSC/raw/all"], timeout=0.3)
    assert 0.25 < time.monotonic() - start < 5
    assert str(e.value).startswith("Timed out: waited 300 ms: no raw ")
    assert "HSC/raw/all" in str(e.value)


def test_releases_the_gil_and_is_woken_by_a_thread_writing(filled):
    def write():
        time.sleep(0.4)
        filled.register_datasets("raw", "HSC/raw/all", [RAW])

    writer = threading.Thread(target=write)
    with Ticker() as ticker:
        writer.start()
        ref = filled.wait_for_dataset("raw", RAW, "HSC/raw/all", timeout=30)
    writer.join()
    assert ref.data_id == RAW
    assert ticker.ticks > 50  # The other threads ran while this one waited.


CHILD = """
import sys, starlog
repo = starlog.Repository.open(sys.argv[1], follow=True)
try:
    print("waiting", flush=True)
    repo.wait_for_dataset("raw", {"instrument": "HSC", "exposure": 903334, "detector": 0},
                          ["HSC/raw/all"], timeout=120)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""


def test_ctrl_c_interrupts_a_wait_promptly(filled):
    filled.close()
    interrupt_promptly(CHILD, filled.root, within=2)
