"""starlog.butler_compat.Registry on a small scenario, with the butler's
names and semantics: a calibration run certified, a processing chain,
findDataset returning None, queryDatasets' findFirst default."""

import datetime

import pytest

import starlog
from starlog.butler_compat import CollectionType, DatasetIdGenEnum, DatasetRef, DatasetType, Registry

UTC = datetime.timezone.utc


@pytest.fixture
def registry(repo_path):
    starlog.Repository.create(repo_path, policy=False).close()
    r = Registry.open(repo_path, collections=["HSC/defaults"], run="HSC/raw/all")
    yield r
    r.repository.close()


def test_a_pipelines_registry_work(registry):
    assert registry.isWriteable()
    registry.insertDimensionData("instrument", {"instrument": "HSC", "class_name": "Hsc", "detector_max": 111,
                                                "exposure_max": 99999999})
    registry.insertDimensionData("instrument", {"instrument": "HSC"}, skip_existing=True)
    registry.insertDimensionData("band", {"band": "r"})
    registry.insertDimensionData("physical_filter", {"instrument": "HSC", "physical_filter": "HSC-R", "band": "r"})
    registry.insertDimensionData("day_obs", {"instrument": "HSC", "day_obs": 20240301})
    registry.insertDimensionData("detector", *({"instrument": "HSC", "detector": d} for d in range(3)))
    registry.insertDimensionData("exposure", {"instrument": "HSC", "exposure": 1, "physical_filter": "HSC-R",
                                              "day_obs": 20240301})
    raw = DatasetType("raw", ["instrument", "exposure", "detector"], "Exposure")
    bias = DatasetType("bias", ["instrument", "detector"], "ExposureF", isCalibration=True)
    assert registry.registerDatasetType(raw) and registry.registerDatasetType(bias)
    assert not registry.registerDatasetType(raw)
    assert registry.getDatasetType("bias") == bias and bias.isCalibration()
    assert [t.name for t in registry.queryDatasetTypes()] == ["bias", "raw"]

    assert registry.registerRun("HSC/raw/all")
    assert not registry.registerRun("HSC/raw/all")
    registry.registerRun("HSC/calib/bias")
    registry.registerCollection("HSC/calib", CollectionType.CALIBRATION)
    registry.registerCollection("HSC/tagged")  # TAGGED, the butler's default.
    assert registry.getCollectionType("HSC/tagged") is CollectionType.TAGGED
    registry.registerCollection("HSC/defaults", CollectionType.CHAINED)
    registry.setCollectionChain("HSC/defaults", ["HSC/raw/all", "HSC/calib"])
    assert registry.getCollectionChain("HSC/defaults") == ("HSC/raw/all", "HSC/calib")
    with pytest.raises(starlog.NotFoundError):
        registry.setCollectionChain("HSC/missing", ["HSC/raw/all"])  # The butler needs it to exist.

    raws = registry.insertDatasets(raw, [{"instrument": "HSC", "exposure": 1, "detector": d} for d in range(3)],
                                   idGenerationMode=DatasetIdGenEnum.DATAID_TYPE_RUN)
    assert all(isinstance(r, DatasetRef) and r.run == "HSC/raw/all" for r in raws)
    assert raws[0].datasetType == raw and raws[0].id.version == 5
    biases = registry.insertDatasets("bias", [{"instrument": "HSC", "detector": d} for d in range(3)],
                                     run="HSC/calib/bias")
    span = starlog.Timespan(datetime.datetime(2024, 1, 1, tzinfo=UTC), None)
    registry.certify("HSC/calib", biases, span)

    # findDataset: the default collections; a dataId merged with keywords; None if absent.
    found = registry.findDataset("raw", {"instrument": "HSC"}, exposure=1, detector=2)
    # Expanded, as the butler's: the implied values from the exposure's records.
    assert found == raws[2] and found.dataId == {"instrument": "HSC", "exposure": 1, "detector": 2,
                                                 "band": "r", "physical_filter": "HSC-R",
                                                 "day_obs": 20240301}
    assert registry.findDataset("raw", instrument="HSC", exposure=1, detector=9) is None
    with pytest.raises(starlog.NotFoundError):
        registry.findDataset("nonesuch", instrument="HSC", detector=0)
    with pytest.raises(starlog.NotFoundError):
        registry.findDataset("raw", instrument="HSC", exposure=1, detector=0, collections=["nowhere"])
    # Calibrations: passed over without a timespan, as the butler does.
    assert registry.findDataset("bias", instrument="HSC", detector=1) is None
    march = starlog.Timespan(datetime.datetime(2024, 3, 1, tzinfo=UTC), datetime.datetime(2024, 3, 2, tzinfo=UTC))
    assert registry.findDataset("bias", instrument="HSC", detector=1, timespan=march).id == biases[1].id

    # queryDatasets: all matches by default (findFirst=False), dataId keywords as constraints.
    assert len(list(registry.queryDatasets("raw", collections="HSC/*"))) == 3
    assert [r.dataId["detector"] for r in registry.queryDatasets("raw", where="detector > 0", exposure=1)] == [1, 2]
    assert len(list(registry.queryDatasets("raw", findFirst=True))) == 3
    # Several types, a glob, or ... for every type: each type's rows together, by name.
    runs = ["HSC/raw/all", "HSC/calib/bias"]
    every = [r.datasetType.name for r in registry.queryDatasets(..., collections=runs)]
    assert every == ["bias"] * 3 + ["raw"] * 3
    assert [r.datasetType.name for r in registry.queryDatasets([raw, "b*"], collections=runs)] == every

    assert registry.getDataset(raws[0].id) == raws[0]
    assert registry.getDataset("00000000-0000-0000-0000-000000000000") is None

    registry.associate("HSC/tagged", raws[:2])
    assert len(list(registry.queryDatasets("raw", collections="HSC/tagged"))) == 2
    registry.disassociate("HSC/tagged", raws[:1])
    assert len(list(registry.queryDatasets("raw", collections="HSC/tagged"))) == 1

    registry.decertify("HSC/calib", "bias", march, dataIds=[{"instrument": "HSC", "detector": 1}])
    assert registry.findDataset("bias", instrument="HSC", detector=1, timespan=march) is None
    assert registry.findDataset("bias", instrument="HSC", detector=2, timespan=march) is not None

    assert registry.queryCollections() == ["HSC/calib", "HSC/calib/bias", "HSC/defaults", "HSC/raw/all",
                                           "HSC/tagged"]
    assert registry.queryCollections("HSC/defaults", flattenChains=True) == ["HSC/raw/all", "HSC/calib"]
    assert registry.queryCollections(collectionTypes=CollectionType.RUN) == ["HSC/calib/bias", "HSC/raw/all"]
    assert registry.queryCollections("HSC/defaults", flattenChains=True, includeChains=True) == [
        "HSC/defaults", "HSC/raw/all", "HSC/calib"]

    assert registry.queryDataIds(["detector"], instrument="HSC", where="detector < 2") == [
        {"instrument": "HSC", "detector": 0}, {"instrument": "HSC", "detector": 1}]
    assert len(registry.queryDataIds("detector", datasets="raw", collections="HSC/tagged")) == 1
    assert registry.queryDimensionRecords("exposure", exposure=1)[0]["physical_filter"] == "HSC-R"

    registry.registerRun("scratch")
    registry.removeCollection("scratch")
    with pytest.raises(starlog.NotFoundError):
        registry.getCollectionType("scratch")


def test_without_default_collections_a_lookup_says_so(repo_path):
    starlog.Repository.create(repo_path, policy=False).close()
    registry = Registry.open(repo_path, writeable=False)
    assert not registry.isWriteable()
    with pytest.raises(starlog.InvalidArgumentError):
        registry.findDataset("raw", instrument="HSC")


def test_more_of_the_registry_summaries_parents_docs_sync_expand_remove(registry):
    from starlog.butler_compat import CollectionSummary

    registry.insertDimensionData("instrument", {"instrument": "HSC"})
    registry.insertDimensionData("band", {"band": "r"})
    registry.insertDimensionData("physical_filter", {"instrument": "HSC", "physical_filter": "HSC-R", "band": "r"})
    registry.insertDimensionData("day_obs", {"instrument": "HSC", "day_obs": 20240301})
    registry.insertDimensionData("detector", {"instrument": "HSC", "detector": 1})
    registry.insertDimensionData("exposure", {"instrument": "HSC", "exposure": 7, "physical_filter": "HSC-R",
                                              "day_obs": 20240301})
    raw = DatasetType("raw", ["instrument", "exposure", "detector"], "Exposure")
    bias = DatasetType("bias", ["instrument", "detector"], "ExposureF", isCalibration=True)
    registry.registerDatasetType(raw)
    registry.registerDatasetType(bias)
    registry.registerRun("HSC/raw/all", doc="raws")
    registry.registerRun("HSC/calib/run")
    registry.registerCollection("HSC/defaults", CollectionType.CHAINED)
    registry.setCollectionChain("HSC/defaults", ["HSC/raw/all", "HSC/calib/run"])
    (r,) = registry.insertDatasets(raw, [{"instrument": "HSC", "exposure": 7, "detector": 1}])
    registry.insertDatasets(bias, [{"instrument": "HSC", "detector": 1}], run="HSC/calib/run")

    # Summaries: exact, chains standing for what they search.
    assert registry.getCollectionSummary("HSC/raw/all").dataset_type_names == {"raw"}
    assert isinstance(registry.getCollectionSummary("HSC/defaults"), CollectionSummary)
    assert registry.getCollectionSummary("HSC/defaults").dataset_type_names == {"raw", "bias"}
    assert registry.queryCollections(datasetType="bias", flattenChains=True) == ["HSC/calib/run"]
    assert set(registry.queryCollections(datasetType=raw)) == {"HSC/defaults", "HSC/raw/all"}
    assert registry.getCollectionParentChains("HSC/raw/all") == {"HSC/defaults"}

    # Documentation, kept apart from type and contents.
    assert registry.getCollectionDocumentation("HSC/raw/all") == "raws"
    registry.setCollectionDocumentation("HSC/raw/all", "every raw")
    assert registry.getCollectionDocumentation("HSC/raw/all") == "every raw"
    assert registry.getCollectionType("HSC/raw/all") == CollectionType.RUN
    registry.setCollectionDocumentation("HSC/defaults", "the defaults")
    assert registry.getCollectionChain("HSC/defaults") == ("HSC/raw/all", "HSC/calib/run")

    # syncDimensionData: inserted, the same again, a difference refused or updated.
    assert registry.syncDimensionData("detector", {"instrument": "HSC", "detector": 2, "full_name": "b"}) is True
    assert registry.syncDimensionData("detector", {"instrument": "HSC", "detector": 2, "full_name": "b"}) is False
    with pytest.raises(starlog.ConflictError):
        registry.syncDimensionData("detector", {"instrument": "HSC", "detector": 2, "full_name": "c"})
    assert registry.syncDimensionData(
        "detector", {"instrument": "HSC", "detector": 2, "full_name": "c"}, update=True
    ) == {"full_name": "b"}

    # expandDataId: the implied values from the records.
    expanded = registry.expandDataId(instrument="HSC", exposure=7)
    assert expanded["physical_filter"] == "HSC-R" and expanded["band"] == "r"
    with pytest.raises(starlog.NotFoundError):
        registry.expandDataId(instrument="HSC", exposure=8)

    # removeDatasets: gone from every collection; removeDatasetType of a missing type passes.
    registry.removeDatasets([r])
    assert registry.findDataset(raw, instrument="HSC", exposure=7, detector=1) is None
    assert registry.getCollectionSummary("HSC/raw/all").dataset_type_names == set()
    registry.removeDatasetType("nothing_like_it")
    registry.removeDatasetType("raw")
    assert [t.name for t in registry.queryDatasetTypes()] == ["bias"]
