"""Repository: create, open, read-only and follow, info, head, close."""

import datetime
import os

import pytest

import starlog
from conftest import UTC, cli, populate


def test_create_writes_event_one_and_the_policy(repo_path):
    with starlog.Repository.create(repo_path, user="operator") as repo:
        assert repo.user == "operator"
        assert not repo.read_only and not repo.through_service
        # Event 1 (the repository) and event 2 (DMTN-167's policy).
        assert repo.head.sequence == 2
    assert repo.closed
    assert "operator" in cli("policy", "show", repo_path).stdout


def test_create_refuses_an_existing_repository(repo_path):
    starlog.Repository.create(repo_path).close()
    with pytest.raises(starlog.InvalidArgumentError):
        starlog.Repository.create(repo_path)


def test_create_takes_a_universe(repo_path):
    universe = "element instrument key=string\nelement detector key=int requires=instrument\n"
    with starlog.Repository.create(repo_path, universe=universe, policy=False) as repo:
        repo.register_dataset_type("bias", ["detector"], "ExposureF")
        with pytest.raises(starlog.InvalidArgumentError):
            repo.register_dataset_type("raw", ["exposure"], "Exposure")


def test_open_missing_is_not_found(tmp_path):
    with pytest.raises(starlog.NotFoundError):
        starlog.Repository.open(str(tmp_path / "nothing"))


def test_info_and_head(repo):
    populate(repo)
    info = repo.info()
    head = repo.head
    assert info["root"] == repo.root
    assert info["head"] == head
    assert info["format_version"] == 2
    assert info["families"]
    assert len(head.chain_hash) == 32 and len(head.state_digest) == 32
    assert head.commit_time.tzinfo is not None
    assert abs(head.commit_time - datetime.datetime.now(UTC)) < datetime.timedelta(minutes=5)
    assert head.commit_time_ns // 1000 == int(
        (head.commit_time - datetime.datetime(1970, 1, 1, tzinfo=UTC)) / datetime.timedelta(microseconds=1)
    )
    # The CLI agrees on the head.
    assert head.chain_hash in cli("info", repo.root).stdout


def test_read_only_refuses_writes_and_changes_nothing(repo_path, repo):
    populate(repo)
    before = repo.head
    repo.close()
    with starlog.Repository.open(repo_path, read_only=True) as ro:
        assert ro.read_only and ro.user is None
        with pytest.raises(starlog.PermissionDeniedError) as e:
            ro.create_collection("x")
        assert str(e.value) == f"Permission denied: repository {repo_path} is open read-only"
        assert ro.head == before
        assert ro.view().get_collection("HSC/raw/all").type == "RUN"


def test_a_second_writer_waits_then_is_unavailable(repo_path, repo):
    with pytest.raises(starlog.UnavailableError) as e:
        starlog.Repository.open(repo_path, lock_timeout=0.2)
    assert e.value.retryable
    assert "open for writing by another process" in str(e.value)
    # Readers are not held up by the writer.
    with starlog.Repository.open(repo_path, read_only=True) as ro:
        assert ro.head == repo.head


def test_a_waiting_writer_says_why_and_gets_the_lock_once_free(repo_path, repo, capfd):
    import threading
    import time

    release = threading.Timer(1.5, repo.close)
    release.start()
    start = time.monotonic()
    with starlog.Repository.open(repo_path, lock_timeout=30) as second:
        assert 1.2 < time.monotonic() - start < 20
        second.create_collection("second/writer")
    release.join()
    assert f"waiting for {repo_path}: another process is writing to it (up to 30.0 s, lock_timeout)" in (
        capfd.readouterr().err)


def test_closing_lets_go_of_the_write_lock(repo_path, repo):
    repo.close()
    cli("create-collection", repo_path, "after/close", "--lock-timeout", "0")
    with pytest.raises(ValueError):
        repo.view()


def test_closing_lets_go_of_the_write_lock_while_views_live(repo_path, repo):
    # A view kept alive (by a traceback, a result) must not keep the
    # repository open: close() lets it go, and the view refuses to read.
    view = repo.view()
    assert view.get_collection("nothing/here") is None
    repo.close()
    cli("create-collection", repo_path, "after/close", "--lock-timeout", "0")
    with pytest.raises(ValueError, match="is closed"):
        view.get_collection("after/close")
    with starlog.Repository.open(repo_path, lock_timeout=0) as again:
        assert again.view().get_collection("after/close") is not None


def test_follow_sees_other_writers(repo_path, repo):
    repo.close()
    with starlog.Repository.open(repo_path, follow=True) as follower:
        assert follower.read_only
        first = follower.head.sequence
        cli("create-collection", repo_path, "later")
        assert follower.head.sequence == first + 1
        assert follower.view().get_collection("later") is not None


def test_local_writes_record_the_login_name_by_default(repo_path, monkeypatch):
    monkeypatch.delenv("STARLOG_USER", raising=False)
    import pwd

    me = pwd.getpwuid(os.geteuid()).pw_name
    with starlog.Repository.create(repo_path, policy=False) as repo:
        assert repo.user == me
        repo.create_collection("mine")
    assert f'"actor":"{me}"' in cli("log", repo_path, "--json").stdout


def test_timeouts_take_seconds_or_a_timedelta(repo):
    with pytest.raises(starlog.TimedOutError):
        repo.wait_for_dataset("raw", {"instrument": "HSC"}, ["x"], timeout=datetime.timedelta(milliseconds=50))
    for bad in ("10", True, -1, None):
        with pytest.raises(starlog.InvalidArgumentError):
            repo.wait_for_dataset("raw", {"instrument": "HSC"}, ["x"], timeout=bad)
