"""Through the repository's service (`starlog serve PATH` in its own
process): writes go to it and are recorded as this process's OS user, a
different declared user is refused, reads see the service's commits, and
concurrent prepends from several processes all land."""

import json
import os
import pwd
import subprocess
import time

import pytest

import starlog
from conftest import RAWS, STARLOG, cli, populate, python_child

ME = pwd.getpwuid(os.geteuid()).pw_name


@pytest.fixture
def served(repo_path):
    with starlog.Repository.create(repo_path, policy=False) as repo:
        populate(repo)
    server = subprocess.Popen([STARLOG, "serve", repo_path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    assert line.startswith("serving "), server.stderr.read()
    yield repo_path
    server.terminate()
    server.wait(timeout=30)


def actors(root):
    return [json.loads(line)["actor"] for line in cli("log", root, "--json").stdout.splitlines()]


def test_writes_go_to_the_service_as_the_os_user(served, monkeypatch):
    monkeypatch.delenv("STARLOG_USER", raising=False)
    with starlog.Repository.open(served) as repo:
        assert repo.through_service and not repo.read_only
        assert repo.user == ME
        before = repo.head.sequence
        assert repo.create_collection("u/x/run")
        # This process holds no lock: the CLI writes beside it, through the service too.
        cli("create-collection", served, "u/x/cli")
        refs = repo.register_datasets("raw", "u/x/run", RAWS[:2])
        # Reads see the service's commits, its own and others'.
        view = repo.view()
        assert view.get_collection("u/x/cli") is not None
        assert view.find_dataset("raw", RAWS[0], "u/x/run").id == refs[0].id
        assert repo.head.sequence == before + 3
    assert actors(served)[before:] == [ME, ME, ME]


def test_a_declared_user_other_than_the_os_user_is_refused(served, monkeypatch):
    with pytest.raises(starlog.PermissionDeniedError) as e:
        starlog.Repository.open(served, user="operator")
    assert str(e.value) == (
        f"Permission denied: the repository's service records you as '{ME}' (your OS user); "
        "user= cannot name another")
    with starlog.Repository.open(served, user=ME) as repo:  # Naming yourself is fine.
        assert repo.user == ME
    monkeypatch.setenv("STARLOG_USER", "operator")
    with pytest.warns(UserWarning, match="STARLOG_USER is ignored"):
        repo = starlog.Repository.open(served)
    with repo:
        assert repo.user == ME
        repo.create_collection("u/y")
    assert actors(served)[-1] == ME


def test_wait_through_the_service_is_woken_by_another_writer(served):
    with starlog.Repository.open(served) as repo:
        repo.create_collection("prompt")
        csv = "instrument,exposure,detector\nHSC,903334,0\n"
        later = subprocess.Popen(
            ["sh", "-c", f"sleep 0.5; exec {STARLOG} register-datasets {served} raw prompt - --format csv"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        later.stdin.write(csv)
        later.stdin.close()
        ref = repo.wait_for_dataset("raw", RAWS[0], "prompt", timeout=30)
        assert later.wait(timeout=30) == 0
        assert ref.run == "prompt"


PREPEND = """
import sys, starlog
with starlog.Repository.open(sys.argv[1]) as repo:
    assert repo.through_service
    run = "jobs/" + sys.argv[2]
    repo.create_collection(run)
    repo.prepend_chain("jobs", [run])
"""


def test_concurrent_prepends_from_several_processes_all_land(served):
    with starlog.Repository.open(served) as repo:
        repo.set_chain("jobs", [])
    children = [python_child(PREPEND, served, i) for i in range(6)]
    for c in children:
        out, err = c.communicate(timeout=60)
        assert c.returncode == 0, err
    with starlog.Repository.open(served, read_only=True) as ro:
        chain = ro.view().get_collection("jobs").children
    assert sorted(chain) == sorted(f"jobs/{i}" for i in range(6))


def test_a_named_service_must_answer(served, tmp_path, monkeypatch):
    socket = f"{served}/.starlog/service.sock"
    with starlog.Repository.open(served, service=socket) as repo:
        assert repo.through_service
    monkeypatch.setenv("STARLOG_SERVICE", socket)
    with starlog.Repository.open(served) as repo:
        assert repo.through_service
    monkeypatch.setenv("STARLOG_SERVICE", str(tmp_path / "nothing.sock"))
    with pytest.raises(starlog.UnavailableError) as e:
        starlog.Repository.open(served)
    assert e.value.retryable
    # Reading needs no service.
    with starlog.Repository.open(served, read_only=True) as ro:
        assert not ro.through_service and ro.view().get_collection("HSC/raw/all") is not None
