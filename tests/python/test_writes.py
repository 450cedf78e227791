"""Every write of Repository, each one atomic edit, checked by reading back
(through the module and through the CLI)."""

import datetime
import uuid

import pytest

import starlog
from conftest import RAWS, UTC, cli


def test_register_dataset_type_is_idempotent_and_refuses_another_definition(filled):
    assert filled.register_dataset_type("calexp", ["instrument", "exposure", "detector"], "ExposureF")
    assert not filled.register_dataset_type("calexp", ["instrument", "exposure", "detector"], "ExposureF")
    with pytest.raises(starlog.ConflictError):
        filled.register_dataset_type("calexp", ["instrument", "detector"], "ExposureF")
    t = filled.view().get_dataset_type("calexp")
    assert (t.name, t.dimensions, t.storage_class, t.is_calibration) == (
        "calexp", ["detector", "exposure", "instrument"], "ExposureF", False)
    assert filled.remove_dataset_type("calexp")
    with pytest.raises(starlog.NotFoundError):
        filled.view().get_dataset_type("calexp")


def test_insert_dimension_records_rows_or_columns_and_replace(filled):
    assert filled.view().get_dimension_record("detector", {"instrument": "HSC", "detector": 2})["full_name"] == "c"
    with pytest.raises(starlog.ConflictError):
        filled.insert_dimension_records("detector", [{"instrument": "HSC", "detector": 2, "full_name": "z"}])
    assert filled.insert_dimension_records(
        "detector", [{"instrument": "HSC", "detector": 2, "full_name": "z"}], replace=True) == 1
    assert filled.view().get_dimension_record("detector", {"instrument": "HSC", "detector": 2})["full_name"] == "z"
    # A record whose dependency is missing changes nothing.
    head = filled.head
    with pytest.raises(starlog.Error):
        filled.insert_dimension_records("detector", [{"instrument": "LSST", "detector": 1}])
    assert filled.head == head


def test_register_datasets_with_files_and_id_modes(filled):
    root = filled.root
    import os
    os.makedirs(f"{root}/raw", exist_ok=True)
    for i in range(2):
        with open(f"{root}/raw/{i}.fits", "wb") as f:
            f.write(bytes([i]) * 100)
    refs = filled.register_datasets(
        "raw", "HSC/raw/all", RAWS[:2], paths=["raw/0.fits", "raw/1.fits"], id_mode="datatype-run")
    assert [r.path for r in refs] == ["raw/0.fits", "raw/1.fits"]
    assert refs[0].size == 100 and len(refs[0].checksum) == 32
    assert all(isinstance(r.id, uuid.UUID) and r.id.version == 5 for r in refs)
    got = filled.view().get_dataset(refs[0].id)
    assert got == refs[0] and got.checksum == refs[0].checksum and got.run == "HSC/raw/all"
    unique = filled.register_datasets("raw", "HSC/raw/all", RAWS[2:3])
    assert unique[0].id.version == 7 and unique[0].path is None
    given = uuid.uuid4()
    assert filled.register_datasets("raw", "HSC/raw/all", RAWS[3:4], ids=[given])[0].id == given
    with pytest.raises(starlog.InvalidArgumentError):
        filled.register_datasets("raw", "HSC/raw/all", RAWS[4:6], paths=["raw/0.fits"])
    with pytest.raises(starlog.InvalidArgumentError):
        filled.register_datasets("raw", "HSC/raw/all", RAWS[4:5], id_mode="nope")


def test_register_datasets_is_all_or_nothing(filled):
    head = filled.head
    bad = RAWS[:3] + [{"instrument": "HSC", "exposure": 1, "detector": 0}]  # no such exposure
    with pytest.raises(starlog.Error):
        filled.register_datasets("raw", "HSC/raw/all", bad)
    assert filled.head == head
    assert list(filled.view().query_datasets("raw", "HSC/raw/all")) == []


def test_collections_create_and_remove(filled):
    assert filled.create_collection("tagged", "TAGGED", doc="a tag")
    assert not filled.create_collection("tagged", "TAGGED")
    c = filled.view().get_collection("tagged")
    assert (c.name, c.type, c.doc) == ("tagged", "TAGGED", "a tag")
    with pytest.raises(starlog.ConflictError):
        filled.create_collection("tagged", "RUN")
    with pytest.raises(starlog.InvalidArgumentError):
        filled.create_collection("x", "FOLDER")
    assert filled.remove_collection("tagged")
    assert filled.view().get_collection("tagged") is None


def test_chains_set_prepend_extend_remove(filled):
    for name in ("a", "b", "c"):
        filled.create_collection(name)
    assert filled.set_chain("chain", ["a", "b"], doc="search") == ["a", "b"]
    assert filled.prepend_chain("chain", "c") == ["c", "a", "b"]
    assert filled.extend_chain("chain", ["c"]) == ["a", "b", "c"]
    assert filled.remove_from_chain("chain", ["b"]) == ["a", "c"]
    # As the butler's: one the chain lacks is ignored, an unknown one is not.
    assert filled.remove_from_chain("chain", ["b"]) == ["a", "c"]
    with pytest.raises(starlog.NotFoundError):
        filled.remove_from_chain("chain", ["never/made"])
    info = filled.view().get_collection("chain")
    assert info.type == "CHAINED" and info.children == ["a", "c"] and info.doc == "search"
    with pytest.raises(starlog.NotFoundError):
        filled.prepend_chain("chain", ["missing"])
    with pytest.raises(starlog.ConflictError):
        filled.set_chain("a", ["b"])  # a is a RUN
    filled.close()  # The CLI reads it as another process would.
    assert '"children":["a","c"]' in cli("query-collections", filled.root, "chain", "--json").stdout


def test_associate_and_disassociate(filled):
    refs = filled.register_datasets("raw", "HSC/raw/all", RAWS)
    filled.create_collection("tag", "TAGGED")
    assert filled.associate("tag", refs[:3])
    assert sorted(r.id for r in filled.view().query_datasets("raw", "tag")) == sorted(r.id for r in refs[:3])
    assert filled.disassociate("tag", [refs[0].id, str(refs[1].id)])
    assert [r.id for r in filled.view().query_datasets("raw", "tag")] == [refs[2].id]


def test_certify_and_decertify(filled):
    biases = filled.register_datasets(
        "bias", "HSC/calib/bias", [{"instrument": "HSC", "detector": d} for d in range(4)])
    jan = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    jul = datetime.datetime(2024, 7, 1, tzinfo=UTC)
    filled.certify("HSC/calib", biases[:2], starlog.Timespan(jan, jul))
    filled.certify("HSC/calib", [biases[2].id], (jan, None))  # ids too, and a tuple
    march = datetime.datetime(2024, 3, 1, tzinfo=UTC)
    found = filled.view().find_dataset("bias", {"instrument": "HSC", "detector": 1}, "HSC/calib", time=march)
    assert found.id == biases[1].id and found.validity == starlog.Timespan(jan, jul)
    assert found.validity.begin == jan and found.validity.end == jul
    with pytest.raises(starlog.ConflictError):
        filled.certify("HSC/calib", biases[:1], (march, None))
    # Decertify March for detector 1: split in two.
    april = datetime.datetime(2024, 4, 1, tzinfo=UTC)
    assert filled.decertify("HSC/calib", "bias", (march, april), [{"instrument": "HSC", "detector": 1}])
    with pytest.raises(starlog.NotFoundError):
        filled.view().find_dataset("bias", {"instrument": "HSC", "detector": 1}, "HSC/calib",
                                   time=datetime.datetime(2024, 3, 15, tzinfo=UTC))
    assert filled.view().find_dataset("bias", {"instrument": "HSC", "detector": 0}, "HSC/calib",
                                      time=datetime.datetime(2024, 3, 15, tzinfo=UTC))
    # Every data ID of the type.
    filled.decertify("HSC/calib", "bias", starlog.Timespan())
    assert list(filled.view().query_datasets("bias", "HSC/calib", find_first=False)) == []


def test_snapshots_and_remove_runs(filled):
    filled.register_datasets("raw", "HSC/raw/all", RAWS)
    at = filled.create_snapshot("before")
    assert at == filled.head.sequence - 1
    assert filled.view().snapshots() == {"before": at}
    filled.create_collection("u/me/tmp1")
    filled.create_collection("u/me/tmp2")
    assert filled.remove_runs("u/me/tmp*") == ["u/me/tmp1", "u/me/tmp2"]
    assert filled.remove_runs(["HSC/raw/all"]) == ["HSC/raw/all"]
    assert filled.view().get_collection("HSC/raw/all") is None
    assert len(list(filled.view(as_of="before").query_datasets("raw", "HSC/raw/all"))) == len(RAWS)
    with pytest.raises(starlog.NotFoundError):
        filled.remove_runs("nothing*")
    with pytest.raises(starlog.ConflictError):
        filled.create_snapshot("before")


def test_prune_datasets_forget_unstore_purge(filled):
    import os

    root = filled.root
    os.makedirs(os.path.join(root, "raw"), exist_ok=True)
    for i in range(3):
        with open(os.path.join(root, f"raw/{i}.fits"), "w") as f:
            f.write(f"pixels {i}")
    a, b, c = filled.register_datasets(
        "raw", "HSC/raw/all", RAWS[:3], paths=[f"raw/{i}.fits" for i in range(3)])
    assert filled.view().dataset_types_in(["HSC/raw/all"]) == ["raw"]
    with pytest.raises(starlog.InvalidArgumentError):
        filled.prune_datasets([a], "shred")
    assert filled.prune_datasets([a]) == 1                  # forget: the file stays
    assert os.path.exists(os.path.join(root, "raw/0.fits"))
    assert filled.prune_datasets([b], "unstore") == 1       # the file goes, the dataset stays
    assert not os.path.exists(os.path.join(root, "raw/1.fits"))
    assert filled.view().get_dataset(b.id) is not None
    assert filled.prune_datasets([c], "purge") == 1         # both go
    assert not os.path.exists(os.path.join(root, "raw/2.fits"))
    assert filled.view().get_dataset(c.id) is None
    assert filled.view().dataset_types_in(["HSC/raw/all"]) == ["raw"]  # b is still there
