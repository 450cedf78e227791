"""Each Status code raises its own class, all starlog.Error, with the message
the CLI prints after "starlog COMMAND: "."""

import pytest

import starlog
from conftest import cli

CLASSES = {
    "NotFoundError": (LookupError, "Not found"),
    "InvalidArgumentError": (ValueError, "Invalid argument"),
    "ConflictError": (None, "Conflict"),
    "PermissionDeniedError": (None, "Permission denied"),
    "CorruptionError": (None, "Corruption"),
    "IOError": (OSError, "IO error"),
    "UnavailableError": (None, "Unavailable"),
    "NotSupportedError": (None, "Not supported"),
    "TimedOutError": (TimeoutError, "Timed out"),
}


def test_one_class_per_code_all_errors():
    for name, (builtin, code) in CLASSES.items():
        cls = getattr(starlog, name)
        assert issubclass(cls, starlog.Error) and cls.__module__ == "starlog"
        if builtin is not None:
            assert issubclass(cls, builtin)
        assert cls.code == code
        assert cls.retryable == (name == "UnavailableError")
    assert not starlog.Error.retryable


def cli_error(*args):
    done = cli(*args, check=False)
    assert done.returncode == 1, done
    command = args[0]
    prefix = f"starlog {command}: "
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(prefix), line
    return line[len(prefix):]


def same_as_cli(error, *args):
    assert str(error) == cli_error(*args)
    assert str(error) == f"{type(error).code}: {error.message}"


def test_not_found_as_the_cli_says_it(filled):
    with pytest.raises(starlog.NotFoundError) as e:
        filled.view().find_dataset("bias", {"instrument": "HSC", "detector": 3}, ["HSC/calib/bias"])
    filled.close()
    same_as_cli(e.value, "find-dataset", filled.root, "bias", "--data-id", "instrument=HSC,detector=3",
                "--collections", "HSC/calib/bias")


def test_conflict_as_the_cli_says_it(filled):
    with pytest.raises(starlog.ConflictError) as e:
        filled.create_collection("HSC/raw/all", "TAGGED")
    filled.close()
    same_as_cli(e.value, "create-collection", filled.root, "HSC/raw/all", "--type", "TAGGED")


def test_invalid_argument_as_the_cli_says_it(filled):
    with pytest.raises(starlog.InvalidArgumentError) as e:
        filled.register_dataset_type("odd", ["instrument", "nonsense"], "Exposure")
    filled.close()
    same_as_cli(e.value, "register-dataset-type", filled.root, "odd", "Exposure", "instrument", "nonsense")


def test_permission_denied_as_the_cli_says_it(repo_path):
    starlog.Repository.create(repo_path, user="operator").close()
    with starlog.Repository.open(repo_path, user="alice") as alice:
        assert alice.user == "alice"
        with pytest.raises(starlog.PermissionDeniedError) as e:
            alice.create_collection("HSC/raw/all")
        alice.create_collection("u/alice/mine")  # Her own is hers.
    same_as_cli(e.value, "create-collection", repo_path, "HSC/raw/all", "--user", "alice")


def test_unavailable_as_the_cli_says_it(repo):
    with pytest.raises(starlog.UnavailableError) as e:
        starlog.Repository.open(repo.root, lock_timeout=0)
    assert e.value.retryable
    same_as_cli(e.value, "create-collection", repo.root, "x", "--lock-timeout", "0")


def test_not_supported_for_a_wait_without_follow(repo):
    repo.close()
    with starlog.Repository.open(repo.root, read_only=True) as ro:
        with pytest.raises(starlog.NotSupportedError):
            ro.wait_for_dataset("raw", {"instrument": "HSC"}, ["x"], timeout=0.1)


def test_bad_python_values_are_invalid_arguments(filled):
    view = filled.view()
    for data_id in ({"instrument": 1.5}, {"instrument": True}, {"instrument": b"HSC"}, ["HSC"]):
        with pytest.raises(starlog.InvalidArgumentError):
            view.find_dataset("raw", data_id, "HSC/raw/all")
    with pytest.raises(starlog.InvalidArgumentError):
        view.find_dataset("raw", {"instrument": 2**70}, "HSC/raw/all")
    with pytest.raises(starlog.InvalidArgumentError):
        view.query_collections(types=["FOLDER"])
