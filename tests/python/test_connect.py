"""Repository.connect: a repository reached only through its service
(`starlog serve PATH` in its own process). Every read equals the local
answer on the same repository, as of the same points; queries page lazily;
writes are recorded as the OS user; waits are woken by other processes,
time out, stop for Ctrl-C and for the service stopping; errors are the
local ones."""

import datetime
import os
import pwd
import subprocess
import threading
import time

import numpy as np
import pytest

import starlog
from conftest import RAWS, STARLOG, UTC, Ticker, cli, interrupt_promptly, populate, python_child

ME = pwd.getpwuid(os.geteuid()).pw_name
T0 = datetime.datetime(2024, 3, 1, tzinfo=UTC)
T1 = datetime.datetime(2024, 3, 2, tzinfo=UTC)
T2 = datetime.datetime(2024, 3, 3, tzinfo=UTC)


def serve(root):
    server = subprocess.Popen([STARLOG, "serve", root], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    assert line.startswith("serving "), server.stderr.read()
    return server


@pytest.fixture
def history(repo_path):
    """A registry with chains, calibrations over time, a snapshot and a
    later change, and the time between the two."""
    with starlog.Repository.create(repo_path, policy=False) as repo:
        populate(repo)
        raws = repo.register_datasets("raw", "HSC/raw/all", RAWS)
        repo.create_collection("HSC/raw/new")
        repo.register_datasets("raw", "HSC/raw/new", RAWS[:2])
        repo.set_chain("HSC/defaults", ["HSC/raw/new", "HSC/raw/all"], doc="defaults")
        biases = repo.register_datasets("bias", "HSC/calib/bias",
                                        [{"instrument": "HSC", "detector": d} for d in range(4)])
        repo.certify("HSC/calib", biases, (T0, T1))
        repo.create_collection("HSC/tagged", "TAGGED")
        repo.associate("HSC/tagged", raws[:3])
        repo.create_snapshot("before")
        time.sleep(0.05)
        between = datetime.datetime.now(UTC)
        time.sleep(0.05)
        repo.create_collection("HSC/calib/bias2")
        later = repo.register_datasets("bias", "HSC/calib/bias2",
                                       [{"instrument": "HSC", "detector": 0}])
        repo.certify("HSC/calib", later, (T1, T2))
        repo.create_collection("HSC/later")
    return repo_path, between


@pytest.fixture
def served(history):
    root, between = history
    server = serve(root)
    yield root, between, server
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)


def views(root, as_of, remote):
    local = starlog.Repository.open(root, read_only=True)
    return local.view(as_of), remote.view(as_of), local


def rows(dicts):
    return sorted(tuple(sorted(d.items())) for d in dicts)


def collections(infos):
    return [(c.name, c.type, c.doc, c.children) for c in infos]


def same(call, a, b):
    """call(a) and call(b) return equal values, or raise the same error."""
    try:
        expected = call(a)
    except starlog.Error as e:
        with pytest.raises(type(e)) as got:
            call(b)
        assert str(got.value) == str(e)
        return
    assert call(b) == expected


def same_reads(a, b):
    """Every read of View, on views a (local) and b (through the service)."""
    assert a.sequence == b.sequence
    for coll in ["HSC/defaults", "HSC/raw/all", "HSC/tagged"]:
        for raw in RAWS:
            same(lambda v: v.find_dataset("raw", raw, coll), a, b)
    for when in [T0 + datetime.timedelta(hours=1), T1 + datetime.timedelta(hours=1)]:
        bias = {"instrument": "HSC", "detector": 0}
        same(lambda v: v.find_dataset("bias", bias, "HSC/calib", time=when), a, b)
    for kwargs in [dict(), dict(where="band = r AND detector < 2"),
                   dict(where="exposure = e", bind={"e": 903336}),
                   dict(find_first=False, collections=["HSC/*"])]:
        args = {"collections": "HSC/defaults", **kwargs}
        assert list(b.query_datasets("raw", **args)) == list(a.query_datasets("raw", **args))
    assert list(b.query_datasets("bias", "HSC/calib", time=T0)) == \
        list(a.query_datasets("bias", "HSC/calib", time=T0))
    assert list(b.query_datasets("raw.wcs", "HSC/raw/all")) == \
        list(a.query_datasets("raw.wcs", "HSC/raw/all"))
    for kwargs in [dict(), dict(where="band = r")]:
        assert rows(b.query_data_ids(["exposure", "detector"], **kwargs)) == \
            rows(a.query_data_ids(["exposure", "detector"], **kwargs))
    assert rows(b.query_data_ids(["detector"], dataset_type="raw", collections="HSC/raw/new")) == \
        rows(a.query_data_ids(["detector"], dataset_type="raw", collections="HSC/raw/new"))
    assert rows(b.query_dimension_records("exposure", where="physical_filter = p",
                                          bind={"p": "HSC-R"})) == \
        rows(a.query_dimension_records("exposure", where="physical_filter = p", bind={"p": "HSC-R"}))
    for kwargs in [dict(order_by=["-exposure", "band"], limit=3), dict(order_by="-detector.full_name")]:
        assert b.query_data_ids(["exposure", "detector"], **kwargs) == \
            a.query_data_ids(["exposure", "detector"], **kwargs)
    assert b.query_dimension_records("detector", order_by="-full_name", limit=2) == \
        a.query_dimension_records("detector", order_by="-full_name", limit=2)
    detector = {"instrument": "HSC", "detector": 2}
    assert b.get_dimension_record("detector", detector) == a.get_dimension_record("detector", detector)
    assert b.get_dimension_record("detector", {"instrument": "HSC", "detector": 99}) is None
    assert collections(b.query_collections()) == collections(a.query_collections())
    assert collections(b.query_collections("HSC/*", ["RUN", "CHAINED"])) == \
        collections(a.query_collections("HSC/*", ["RUN", "CHAINED"]))
    assert collections([b.get_collection("HSC/defaults")]) == \
        collections([a.get_collection("HSC/defaults")])
    assert b.get_collection("nope") is None
    assert b.resolve_search_path("HSC/defaults") == a.resolve_search_path("HSC/defaults")
    assert b.query_dataset_types() == a.query_dataset_types()
    assert b.query_dataset_types("r*", components=True) == a.query_dataset_types("r*", components=True)
    assert b.get_dataset_type("raw.wcs") == a.get_dataset_type("raw.wcs")
    refs = list(a.query_datasets("raw", "HSC/raw/all"))
    ids = [r.id for r in refs] + ["00000000-0000-0000-0000-000000000001"]
    assert b.get_datasets(ids) == a.get_datasets(ids)
    assert b.get_dataset(refs[0].id) == a.get_dataset(refs[0].id)
    pa = a.packer(["exposure", "detector"], {"instrument": "HSC"})
    pb = b.packer(["exposure", "detector"], {"instrument": "HSC"})
    assert (pb.bits, pb.keys) == (pa.bits, pa.keys)
    columns = {"instrument": ["HSC"] * 2, "exposure": [903334, 903336], "detector": [1, 3]}
    assert list(pb.pack(columns)) == list(pa.pack(columns))


@pytest.mark.parametrize("as_of", ["head", "sequence", "snapshot", "datetime", "sequence-str"])
def test_every_read_through_connect_equals_the_local_one(served, as_of):
    root, between, _ = served
    with starlog.Repository.connect(f"unix:{root}/.starlog/service.sock") as remote:
        snapshot = remote.view().sequence  # Any point before the head: the snapshot's.
        with starlog.Repository.open(root, read_only=True) as local:
            snapshot = local.view("before").sequence
        point = {"head": None, "sequence": snapshot - 3, "snapshot": "before",
                 "datetime": between, "sequence-str": str(snapshot - 1)}[as_of]
        a, b, local = views(root, point, remote)
        with local:
            same_reads(a, b)
            if as_of != "head":
                assert b.sequence < remote.head.sequence


def test_info_head_and_the_address_forms(served):
    root, _, _ = served
    with starlog.Repository.open(root, read_only=True) as local:
        expected = local.info()
    for address in [f"unix:{root}/.starlog/service.sock", f"{root}/.starlog/service.sock", root]:
        with starlog.Repository.connect(address) as remote:
            assert remote.connected and remote.through_service and not remote.read_only
            assert remote.address == address and remote.root == expected["root"]
            assert remote.info() == expected
            assert remote.head == starlog.Repository.open(root, read_only=True).head
        assert remote.closed
        with pytest.raises(ValueError, match="closed"):
            remote.view()


def test_a_view_reads_one_sequence_while_the_head_moves(served):
    root, _, _ = served
    with starlog.Repository.connect(root) as remote:
        view = remote.view()
        before = collections(view.query_collections())
        remote.create_collection("u/moving")
        cli("create-collection", root, "u/moving2")
        assert collections(view.query_collections()) == before
        assert view.get_collection("u/moving") is None
        assert remote.view().get_collection("u/moving2") is not None


def test_errors_are_the_local_ones(served):
    root, _, _ = served
    with starlog.Repository.connect(root) as remote, \
            starlog.Repository.open(root, read_only=True) as local:
        calls = [
            lambda v: v.find_dataset("nope", RAWS[0], "HSC/raw/all"),
            lambda v: v.find_dataset("raw", RAWS[0], "nope"),
            lambda v: v.query_datasets("raw", "HSC/raw/all", where="detector ="),
            lambda v: v.query_datasets("raw", "HSC/raw/all", where="nosuch = 1"),
            lambda v: v.query_data_ids(["nosuch"]),
            lambda v: v.query_dimension_records("nosuch"),
            lambda v: v.get_dataset_type("nope"),
            lambda v: v.get_dataset_type("raw.nope"),
            lambda v: v.packer(["exposure", "detector"], {"instrument": "LSST"}),
            lambda v: v.packer(["exposure", "detector"], {}),
        ]
        for call in calls:
            with pytest.raises(starlog.Error) as want:
                call(local.view())
            with pytest.raises(type(want.value)) as got:
                call(remote.view())
            assert str(got.value) == str(want.value)
        for as_of in ["nosuch-snapshot", 10**9]:
            with pytest.raises(starlog.Error) as want:
                local.view(str(as_of))
            with pytest.raises(type(want.value)) as got:
                remote.view(as_of)
            assert str(got.value) == str(want.value)
        with pytest.raises(starlog.ConflictError) as want:
            remote.register_dataset_type("raw", ["instrument", "detector"], "Exposure")
        assert "raw" in str(want.value)


def test_a_lazy_query_over_many_pages(served):
    root, _, _ = served
    n = 30000
    with starlog.Repository.connect(root) as remote:
        exposures = n // 100
        remote.insert_dimension_records("exposure", {
            "instrument": ["HSC"] * exposures, "exposure": list(range(exposures)),
            "physical_filter": ["HSC-R"] * exposures, "day_obs": [20240301] * exposures,
            "observation_type": ["science"] * exposures})
        remote.insert_dimension_records("detector", {
            "instrument": ["HSC"] * 96, "detector": list(range(4, 100)),
            "full_name": [str(d) for d in range(4, 100)]})
        remote.register_dataset_type("many", ["instrument", "exposure", "detector"], "Exposure")
        remote.create_collection("u/many")
        remote.register_datasets("many", "u/many", {
            "instrument": np.array(["HSC"] * n),
            "exposure": np.arange(n) // 100, "detector": np.arange(n) % 100})
        view = remote.view()
        it = view.query_datasets("many", "u/many")
        # Only a page is in hand: the rest comes as it is read.
        assert 0 < it.__length_hint__() < n
        got = list(it)
        with starlog.Repository.open(root, read_only=True) as local:
            assert got == list(local.view(view.sequence).query_datasets("many", "u/many"))
        # A half-read iterator dropped lets go of its result; calls go on.
        half = view.query_datasets("many", "u/many")
        next(half)
        del half
        assert len(list(view.query_datasets("many", "u/many", where="detector = 7"))) == n // 100


def test_writes_are_recorded_as_the_os_user(served, monkeypatch):
    root, _, _ = served
    monkeypatch.delenv("STARLOG_USER", raising=False)
    with starlog.Repository.connect(root) as remote:
        assert remote.user == ME
        before = remote.head.sequence
        assert remote.create_collection("u/me/run")
        refs = remote.register_datasets("raw", "u/me/run", RAWS[:2])
        remote.set_chain("u/me/chain", ["u/me/run"])
        remote.prepend_chain("u/me/chain", ["HSC/raw/all"])
        at = remote.create_snapshot("mine")
        assert at == remote.head.sequence - 1  # The head before the snapshot's own event.
        assert remote.view().snapshots() == {"before": remote.view("before").sequence, "mine": at}
        assert "mine" not in remote.view(at).snapshots()  # As of before its own event.
        assert remote.view().find_dataset("raw", RAWS[0], "u/me/chain").collection == "HSC/raw/all"
        assert remote.view("mine").find_dataset("raw", RAWS[0], "u/me/run").id == refs[0].id
        bias = remote.register_datasets("bias", "u/me/run", [{"instrument": "HSC", "detector": 3}])
        remote.certify("HSC/calib", [bias[0].id], (T2, None))  # By id: its type read remotely.
        assert remote.view().find_dataset("bias", {"instrument": "HSC", "detector": 3}, "HSC/calib",
                                          time=T2).id == bias[0].id
        remote.set_chain("u/me/chain", ["HSC/raw/all"])
        remote.decertify("HSC/calib", "bias", (T2, None))
        assert remote.remove_runs("u/me/run") == ["u/me/run"]
    log = [line for line in cli("log", root, "--json").stdout.splitlines()]
    assert all(f'"actor":"{ME}"' in line.replace(" ", "") for line in log[before:])


def test_a_declared_other_user_is_refused(served, monkeypatch):
    root, _, _ = served
    with pytest.raises(starlog.PermissionDeniedError) as e:
        starlog.Repository.connect(root, user="operator")
    assert str(e.value) == (
        f"Permission denied: the repository's service records you as '{ME}' (your OS user); "
        "user= cannot name another")
    with starlog.Repository.connect(root, user=ME) as remote:
        assert remote.user == ME
    monkeypatch.setenv("STARLOG_USER", "operator")
    with pytest.warns(UserWarning, match="STARLOG_USER is ignored"):
        starlog.Repository.connect(root).close()


def test_connecting_where_nothing_listens_names_the_path(tmp_path):
    nothing = str(tmp_path / "nothing.sock")
    with pytest.raises((starlog.UnavailableError, starlog.NotFoundError)) as e:
        starlog.Repository.connect(f"unix:{nothing}")
    assert nothing in str(e.value)


def test_connect_over_tcp_with_tls_and_a_token(repo_path, tmp_path):
    """The service's TLS listener: the certificate verified, the user named
    by the token the admin issued; a removed token stops working."""
    with starlog.Repository.create(repo_path, policy=False) as repo:
        populate(repo)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    token = tmp_path / "alice.token"
    cli("user", "add", repo_path, "alice", "--token-file", token)
    server = subprocess.Popen([STARLOG, "serve", repo_path, "--service-listen", "127.0.0.1:0",
                               "--tls-cert", cert, "--tls-key", key],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert "remote clients on " in line, server.stderr.read()
        address = line.split("remote clients on ")[1].split(" over TLS")[0]
        with starlog.Repository.connect(address, tls_ca=str(cert), token_file=str(token)) as remote:
            assert remote.connected
            remote.create_collection("u/alice/tcp")
            assert remote.view().query_collections("u/alice/*")[0].name == "u/alice/tcp"
        with starlog.Repository.open(repo_path, read_only=True) as local:
            assert local.view().query_collections("u/alice/*")[0].name == "u/alice/tcp"
        last = cli("log", repo_path, "--json").stdout.strip().splitlines()[-1]
        assert '"actor":"alice"' in last
        # Without a way to say who it is, or with a certificate nobody trusts.
        with pytest.raises(starlog.InvalidArgumentError, match="token_file"):
            starlog.Repository.connect(address, tls_ca=str(cert))
        cli("user", "remove", repo_path, "alice")
        with pytest.raises(starlog.PermissionDeniedError):
            starlog.Repository.connect(address, tls_ca=str(cert), token_file=str(token))
    finally:
        server.terminate()
        server.wait(timeout=30)
    with pytest.raises(starlog.InvalidArgumentError, match="HOST:PORT"):
        starlog.Repository.connect(f"unix:{tmp_path}/x.sock", token_file="token")
    with pytest.raises(starlog.InvalidArgumentError, match="timeout"):
        starlog.Repository.connect(f"unix:{tmp_path}/x.sock", timeout=0)


def register_later(root, delay, run="HSC/raw/new"):
    raw = {**RAWS[0], "exposure": 903336, "detector": 3}
    csv = "instrument,exposure,detector\n{instrument},{exposure},{detector}\n".format(**raw)
    later = subprocess.Popen(
        ["sh", "-c", f"sleep {delay}; exec {STARLOG} register-datasets {root} raw {run} - "
                     "--format csv"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    later.stdin.write(csv)
    later.stdin.close()
    return later, raw


def test_wait_is_woken_by_another_process_and_times_out_otherwise(served):
    root, _, _ = served
    with starlog.Repository.connect(root) as remote:
        later, raw = register_later(root, 1.5)
        start = time.monotonic()
        ref = remote.wait_for_dataset("raw", raw, "HSC/raw/new", timeout=30)
        assert later.wait(timeout=30) == 0
        assert ref.run == "HSC/raw/new" and ref.data_id == raw
        assert time.monotonic() - start < 10
        missing = {**raw, "detector": 2}
        start = time.monotonic()
        with pytest.raises(starlog.TimedOutError) as e:
            remote.wait_for_dataset("raw", missing, "HSC/raw/new", timeout=0.8)
        assert 0.7 < time.monotonic() - start < 5
        assert str(e.value).startswith("Timed out: waited 800 ms: ")
        # The local wording after the prefix.
        with starlog.Repository.open(root, follow=True) as local:
            with pytest.raises(starlog.TimedOutError) as want:
                local.wait_for_dataset("raw", missing, "HSC/raw/new", timeout=0.1)
        assert str(e.value).split(" ms: ", 1)[1] == str(want.value).split(" ms: ", 1)[1]


CHILD = """
import sys, starlog
repo = starlog.Repository.connect(sys.argv[1])
try:
    print("waiting", flush=True)
    repo.wait_for_dataset("raw", {"instrument": "HSC", "exposure": 903336, "detector": 3},
                          ["HSC/raw/new"], timeout=120)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
except starlog.UnavailableError as e:
    print("unavailable", e, flush=True)
    sys.exit(4)
"""


def test_ctrl_c_interrupts_a_remote_wait_promptly(served):
    root, _, _ = served
    interrupt_promptly(CHILD, root, within=1.5)


def test_the_service_stopping_mid_wait_is_unavailable(served):
    root, _, server = served
    child = python_child(CHILD, root)
    try:
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(0.5)
        server.terminate()
        server.wait(timeout=30)
        out, err = child.communicate(timeout=20)
        assert child.returncode == 4, (out, err)
        assert out.startswith("unavailable")
    finally:
        if child.poll() is None:
            child.kill()


def test_one_connection_serves_many_threads(served):
    root, _, _ = served
    with starlog.Repository.connect(root) as remote:
        view = remote.view()
        expected = [view.find_dataset("raw", raw, "HSC/defaults") for raw in RAWS]
        failures = []

        def reads():
            try:
                for _ in range(20):
                    assert [view.find_dataset("raw", raw, "HSC/defaults") for raw in RAWS] == expected
                    assert len(list(view.query_datasets("raw", "HSC/raw/all"))) == len(RAWS)
                    assert remote.head.sequence >= view.sequence
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(e)

        threads = [threading.Thread(target=reads) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []


def test_a_remote_wait_releases_the_gil(served):
    root, _, _ = served
    with starlog.Repository.connect(root) as remote, Ticker() as ticker:
        with pytest.raises(starlog.TimedOutError):
            remote.wait_for_dataset("raw", {**RAWS[0], "detector": 2}, "HSC/raw/new", timeout=1.0)
    assert ticker.ticks > 50


def test_calls_go_on_once_the_service_is_back(served):
    root, _, server = served
    with starlog.Repository.connect(root) as remote:
        view = remote.view()
        server.terminate()
        server.wait(timeout=30)
        with pytest.raises((starlog.UnavailableError, starlog.IOError)):
            view.get_collection("HSC/raw/all")
        again = serve(root)
        try:
            # The broken connection was dropped: the next call connects anew.
            assert view.get_collection("HSC/raw/all") is not None
            assert remote.create_collection("u/after")
        finally:
            again.terminate()
            again.wait(timeout=30)


def test_the_butler_facade_over_a_connected_repository(served):
    from starlog.butler_compat import Registry

    root, _, _ = served
    with starlog.Repository.connect(root) as remote:
        registry = Registry(remote, collections=["HSC/defaults"])
        ref = registry.findDataset("raw", RAWS[0])
        assert ref.run == "HSC/raw/new"
        assert "HSC/defaults" in registry.queryCollections()
