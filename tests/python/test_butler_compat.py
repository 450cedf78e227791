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
    # Governors, as the butler's summary: the instrument values of what it holds.
    summary = registry.getCollectionSummary("HSC/defaults")
    assert summary.dataset_types.names == {"raw", "bias"}
    assert summary.governors == {"instrument": {"HSC"}}
    assert registry.getCollectionSummary("HSC/calib/run") == CollectionSummary([bias], {"instrument": {"HSC"}})
    registry.registerRun("empty")
    assert registry.getCollectionSummary("empty").governors == {}
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
    assert registry.getCollectionSummary("HSC/raw/all").governors == {}
    registry.removeDatasetType("nothing_like_it")
    registry.removeDatasetType("raw")
    assert [t.name for t in registry.queryDatasetTypes()] == ["bias"]


def _cam(registry):
    """A small camera: Cam1 with two filters, detectors 1-3, exposures 1 and 2
    (visit 1 holds exposure 1 only), bias and flat types and two runs."""
    registry.insertDimensionData("instrument", {"instrument": "Cam1"})
    registry.insertDimensionData("band", {"band": "g"}, {"band": "r"})
    registry.insertDimensionData("physical_filter", {"instrument": "Cam1", "physical_filter": "Cam1-G", "band": "g"},
                                 {"instrument": "Cam1", "physical_filter": "Cam1-R1", "band": "r"})
    registry.insertDimensionData("detector", *({"instrument": "Cam1", "detector": d} for d in (1, 2, 3)))
    registry.insertDimensionData("day_obs", {"instrument": "Cam1", "day_obs": 20240301})
    registry.insertDimensionData("exposure", *({"instrument": "Cam1", "exposure": e, "physical_filter": "Cam1-G",
                                                "day_obs": 20240301} for e in (1, 2)))
    registry.insertDimensionData("visit_system", {"instrument": "Cam1", "visit_system": 0, "name": "one-to-one"})
    registry.insertDimensionData("visit", {"instrument": "Cam1", "visit": 1, "physical_filter": "Cam1-G",
                                           "day_obs": 20240301})
    registry.insertDimensionData("visit_definition", {"instrument": "Cam1", "visit": 1, "exposure": 1})
    registry.registerDatasetType(DatasetType("bias", ["instrument", "detector"], "ExposureF", isCalibration=True))
    registry.registerRun("imported_g")
    registry.registerRun("imported_r")
    registry.insertDatasets("bias", [{"instrument": "Cam1", "detector": d} for d in (1, 2, 3)], run="imported_g")
    registry.insertDatasets("bias", [{"instrument": "Cam1", "detector": d} for d in (2, 3)], run="imported_r")


def test_answers_and_errors_as_the_butlers_own_registry_tests(repo_path):
    # Cases of daf_butler's registry/tests/_registry.py, with its classes.
    from starlog import butler_compat as bc

    starlog.Repository.create(repo_path, policy=False).close()
    registry = Registry.open(repo_path)
    try:
        _cam(registry)
        # testFindDataset: a run named in any script; a data ID without its
        # detector is a LookupError; values past the type's own are ignored.
        assert registry.registerRun("tésτ")
        (ref,) = registry.insertDatasets("bias", [{"instrument": "Cam1", "detector": 1}], run="tésτ")
        assert registry.findDataset("bias", {"instrument": "Cam1", "detector": 1}, collections=["tésτ"]) == ref
        assert registry.queryCollections("t?s*") == ["tésτ"]
        with pytest.raises(LookupError):
            registry.findDataset("bias", {"instrument": "Cam1"}, collections="tésτ")
        registry.registerDatasetType(DatasetType("dt_with_implied", ["instrument", "physical_filter"], "int"))
        (implied,) = registry.insertDatasets("dt_with_implied", [{"instrument": "Cam1", "physical_filter": "Cam1-G"}],
                                             run="tésτ")
        assert registry.findDataset("dt_with_implied", {"instrument": "Cam1", "physical_filter": "Cam1-G",
                                                        "band": "r"}, collections=["tésτ"]) == implied
        assert registry.findDataset("dt_with_implied", {"instrument": "Cam1", "physical_filter": "Cam1-R1",
                                                        "band": "g"}, collections=["tésτ"]) is None
        # The same dimensions spelled with what they imply are the same type.
        assert not registry.registerDatasetType(
            DatasetType("dt_with_implied", ["instrument", "physical_filter", "band"], "int"))

        # testComponentLookups, testRemoveDatasetTypeFailure.
        with pytest.raises(bc.DatasetTypeError):
            registry.findDataset("bias.wcs", collections="imported_g", instrument="Cam1", detector=1)
        with pytest.raises(bc.DatasetTypeError):
            registry.removeDatasetType("bias.wcs")
        with pytest.raises(bc.OrphanedRecordError):
            registry.removeDatasetType("bias")

        # test_query_empty_collections: no defaults, `...`, an empty list.
        with pytest.raises(bc.NoDefaultCollectionError):
            registry.findDataset("bias", instrument="Cam1", detector=1)
        assert registry.findDataset("bias", instrument="Cam1", detector=1, collections=...) is not None
        assert registry.findDataset("bias", instrument="Cam1", detector=1, collections=[]) is None
        assert list(registry.queryDatasets("bias", collections=...))
        empty = registry.queryDatasets("bias", collections=[])
        assert len(list(empty)) == 0 and not empty.any() and empty.count() == 0
        assert any("because collection list is empty" in m for m in empty.explain_no_results())
        # testQueryResultSummaries: each reason names what it is about.
        registry.registerCollection("biases", CollectionType.TAGGED)
        registry.associate("biases", registry.queryDatasets("bias", collections=["imported_g"]))
        for query, snippets in [
            (registry.queryDatasets("nonexistent", collections=...), ["nonexistent"]),
            (registry.queryDatasets(DatasetType("nonexistent", ["instrument"], "Image"),
                                    collections=...), ["nonexistent"]),
            (registry.queryDatasets("dt_with_implied", collections=["biases"]),
             ["dt_with_implied", "biases"]),
            (registry.queryDatasets("bias", collections="potato*"), ["potato"]),
        ]:
            assert not query.any() and query.count() == 0
            messages = query.explain_no_results()
            assert any(all(snippet in m for snippet in snippets) for m in messages), messages
        assert registry.queryDatasets("bias", collections=["biases"]).explain_no_results() == []
        with pytest.raises(bc.MissingDatasetTypeError):
            list(registry.queryDataIds(["detector"], datasets=["nonexistent"], collections=...))
        with pytest.raises(bc.DatasetTypeExpressionError):
            registry.queryDimensionRecords("detector", datasets=["f*"], collections=...)
        # Several types: the data IDs that have a dataset of each.
        registry.registerDatasetType(DatasetType("none_yet", ["instrument", "detector"], "int"))
        assert len(registry.queryDataIds(["detector"], datasets=["bias", "none_yet"], collections=...)) == 0
        assert len(registry.queryDataIds(["detector"], datasets=["bias", "bias"], collections=...)) == len(
            registry.queryDataIds(["detector"], datasets="bias", collections=...))
        assert list(registry.queryDataIds("detector", datasets="bias", collections=...))
        assert len(registry.queryDataIds("detector", datasets="bias", collections=[])) == 0
        records = registry.queryDimensionRecords("detector", datasets="bias", collections=["imported_r"])
        assert sorted(r["detector"] for r in records) == [2, 3]
        # testInstrumentDimensions: collections constrain only through datasets.
        with pytest.raises(bc.ArgumentError):
            registry.queryDataIds(["detector"], collections="imported_g")

        # testQueryDatasetsDeduplication: find-first over a glob is a TypeError.
        with pytest.raises(TypeError):
            list(registry.queryDatasets("bias", collections="imported_*", findFirst=True))
        # testQueryDataIdsExpressionError.
        with pytest.raises(bc.InvalidQueryError):
            registry.queryDataIds(["detector"], where="foo.bar = 12")
        # testDataIdRelationships: visit 1 does not hold exposure 2.
        with pytest.raises(bc.InconsistentDataIdError):
            registry.expandDataId({"instrument": "Cam1", "visit": 1, "exposure": 2})
        with pytest.raises(bc.DataIdError):
            registry.expandDataId({"instrument": "Cam1", "detector": 99})

        # testCollections: nested chains flattened, a cycle, a RUN removed
        # with its datasets.
        registry.registerCollection("tag1")
        registry.registerCollection("chain1", CollectionType.CHAINED)
        registry.setCollectionChain("chain1", ["tag1", "imported_r"])
        registry.registerCollection("chain2", CollectionType.CHAINED)
        registry.setCollectionChain("chain2", ["imported_r", "chain1"])
        assert registry.queryCollections("chain2", flattenChains=True, includeChains=True) == [
            "chain2", "imported_r", "chain1", "tag1"]
        assert registry.queryCollections("chain2", flattenChains=True) == ["imported_r", "tag1"]
        with pytest.raises(ValueError):
            registry.setCollectionChain("chain1", ["tag1", "chain1"])
        with pytest.raises(bc.CollectionCycleError):
            registry.setCollectionChain("chain1", ["chain2"])
        registry.removeCollection("tésτ")
        with pytest.raises(bc.MissingCollectionError):
            registry.getCollectionType("tésτ")
        assert registry.getDataset(ref.id) is None

        # testCalibrationCollections: the wrong collection type; ambiguity.
        registry.registerCollection("Cam1/calibs", CollectionType.CALIBRATION)
        bias_g = registry.findDataset("bias", instrument="Cam1", detector=2, collections="imported_g")
        bias_r = registry.findDataset("bias", instrument="Cam1", detector=2, collections="imported_r")
        with pytest.raises(bc.CollectionTypeError):
            registry.associate("Cam1/calibs", [bias_g])
        t = [datetime.datetime(2024, m, 1, tzinfo=UTC) for m in (1, 2, 3)]
        registry.certify("Cam1/calibs", [bias_g], starlog.Timespan(t[0], t[1]))
        registry.certify("Cam1/calibs", [bias_r], starlog.Timespan(t[1], t[2]))
        with pytest.raises(bc.CalibrationLookupError):
            registry.findDataset("bias", instrument="Cam1", detector=2, collections="Cam1/calibs",
                                 timespan=starlog.Timespan(None, None))
        with pytest.raises(LookupError):
            list(registry.queryDatasets("bias", collections="Cam1/calibs", findFirst=True))
        # testSkipCalibs: not find-first, every certification.
        assert len(list(registry.queryDatasets("bias", collections="Cam1/calibs"))) == 2
        # Errors are the starlog ones too.
        with pytest.raises(starlog.ConflictError):
            registry.findDataset("bias", instrument="Cam1", detector=2, collections="Cam1/calibs",
                                 timespan=starlog.Timespan(None, None))
        # Conflicts are ConflictingDefinitionError, as the butler's: an
        # overlapping certification (testCalibrationCollections), a data ID
        # taken in a RUN (testDataset) or a TAGGED collection (testCollections).
        with pytest.raises(bc.ConflictingDefinitionError):
            registry.certify("Cam1/calibs", [bias_r], starlog.Timespan(t[0], t[2]))
        registry.registerRun("again")
        registry.insertDatasets("bias", [{"instrument": "Cam1", "detector": 2}], run="again")
        with pytest.raises(bc.ConflictingDefinitionError):
            registry.insertDatasets("bias", [{"instrument": "Cam1", "detector": 2}], run="again")
        registry.associate("tag1", [bias_g])
        with pytest.raises(bc.ConflictingDefinitionError):
            registry.associate("tag1", [bias_r])

        # testDimensions: a record inserted again is an error unless
        # skip_existing; a None field is NULL (testDatasetConstrainedDimensionRecordQueries).
        with pytest.raises(bc.IntegrityError):
            registry.insertDimensionData("detector", {"instrument": "Cam1", "detector": 2})
        registry.insertDimensionData("detector", {"instrument": "Cam1", "detector": 2}, skip_existing=True)
        registry.insertDimensionData("detector", {"instrument": "Cam1", "detector": 5, "purpose": None})
        (five,) = registry.queryDimensionRecords("detector", where="instrument = 'Cam1' AND detector = 5")
        assert five.get("purpose") is None

        # Results ordered and limited as the butler's (testQueryDataIdsOrderBy,
        # testQueryDimensionRecordsOrderBy), queryDatasetTypes(missing=).
        ids = registry.queryDataIds(["detector"], instrument="Cam1")
        assert [r["detector"] for r in ids.order_by("-detector")] == [5, 3, 2, 1]
        assert [r["detector"] for r in ids.order_by("detector").limit(2, offset=1)] == [2, 3]
        with ids.materialize() as held:
            assert len(held) == 4
        with_bias = registry.queryDataIds(["detector"], datasets="bias", collections="imported_g")
        assert [r["detector"] for r in with_bias.order_by("-detector").limit(2)] == [3, 2]
        records = registry.queryDimensionRecords("detector", where="instrument = 'Cam1'")
        assert [r["detector"] for r in records.order_by("-detector").limit(1)] == [5]
        missing: list[str] = []
        assert [t.name for t in registry.queryDatasetTypes(["bias", "nope", "zz*"], missing=missing)] == ["bias"]
        assert missing == ["nope"]
    finally:
        registry.repository.close()
