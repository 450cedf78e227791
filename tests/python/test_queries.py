"""Every query of View, as of the head and of the past (by sequence, time
and snapshot), and the iterator's laziness."""

import datetime
import time

import pytest

import starlog
from conftest import RAWS, UTC, cli


@pytest.fixture
def raws(filled):
    filled.register_datasets("raw", "HSC/raw/all", RAWS)
    return filled


def test_find_dataset_through_a_chain(raws):
    raws.create_collection("HSC/raw/new")
    newer = raws.register_datasets("raw", "HSC/raw/new", RAWS[:1])[0]
    raws.set_chain("HSC/defaults", ["HSC/raw/new", "HSC/raw/all"])
    view = raws.view()
    ref = view.find_dataset("raw", RAWS[0], "HSC/defaults")
    assert ref.id == newer.id and ref.collection == "HSC/raw/new" and ref.run == "HSC/raw/new"
    assert ref.type == "raw" and ref.data_id == RAWS[0]
    assert view.find_dataset("raw", RAWS[1], ["HSC/defaults"]).collection == "HSC/raw/all"
    assert view.resolve_search_path("HSC/defaults") == ["HSC/raw/new", "HSC/raw/all"]


def test_query_datasets_where_bind_find_first(raws):
    view = raws.view()
    refs = list(view.query_datasets("raw", "HSC/raw/all", where="band = r AND detector < 2"))
    assert sorted((r.data_id["exposure"], r.data_id["detector"]) for r in refs) == [(903334, 0), (903334, 1)]
    bound = list(view.query_datasets("raw", ["HSC/*"], where="exposure = e", bind={"e": 903336},
                                     find_first=False))
    assert len(bound) == 4
    with pytest.raises(starlog.InvalidArgumentError):
        view.query_datasets("raw", "HSC/raw/all", where="detector =")


def test_query_datasets_of_several_types_ordered_and_limited(raws):
    raws.register_datasets("bias", "HSC/calib/bias", [{"instrument": "HSC", "detector": d} for d in range(2)])
    view = raws.view()
    search = ["HSC/raw/all", "HSC/calib/bias"]
    every = [r.type for r in view.query_datasets(None, search)]
    assert every == ["bias"] * 2 + ["raw"] * len(RAWS)
    assert [r.type for r in view.query_datasets(["raw", "b*"], search)] == every
    ordered = list(view.query_datasets("raw", search, order_by=["-exposure", "detector"], limit=5))
    assert [(r.data_id["exposure"], r.data_id["detector"]) for r in ordered] == \
        [(903336, 0), (903336, 1), (903336, 2), (903336, 3), (903334, 0)]
    assert len(list(view.query_datasets("*", search, limit=3))) == 3
    with pytest.raises(starlog.InvalidArgumentError):
        view.query_datasets("raw", search, order_by="nope")
    with pytest.raises(starlog.NotFoundError):
        view.query_datasets(["raw", "nope"], search)


def test_query_datasets_is_an_iterator_of_refs_made_once(raws):
    it = raws.view().query_datasets("raw", "HSC/raw/all")
    assert iter(it) is it
    assert it.__length_hint__() == len(RAWS)
    first = next(it)
    assert isinstance(first, starlog.DatasetRef)
    rest = list(it)
    assert len(rest) == len(RAWS) - 1
    assert list(it) == []  # Consumed: nothing is materialised a second time.


def test_query_data_ids_and_dimension_records(raws):
    view = raws.view()
    ids = view.query_data_ids(["exposure"], where="band = i")
    # With the values its record implies, as the butler's full data IDs.
    assert ids == [{"instrument": "HSC", "exposure": 903336, "physical_filter": "HSC-I", "band": "i",
                    "day_obs": 20240301}]
    from_datasets = view.query_data_ids(["detector"], dataset_type="raw", collections="HSC/raw/all",
                                        where="detector >= 2")
    assert sorted(d["detector"] for d in from_datasets) == [2, 3]
    records = view.query_dimension_records("exposure", where="exposure = x", bind={"x": 903334})
    assert len(records) == 1 and records[0]["physical_filter"] == "HSC-R"
    assert records[0]["observation_type"] == "science"
    assert view.get_dimension_record("detector", {"instrument": "HSC", "detector": 9}) is None


def test_query_data_ids_and_dimension_records_ordered_and_limited(raws):
    # The butler's testQueryDimensionRecordsOrderBy: detectors by -detector.
    view = raws.view()
    records = view.query_dimension_records("detector", order_by=["-detector"])
    assert [r["detector"] for r in records] == [3, 2, 1, 0]
    assert [r["detector"] for r in view.query_dimension_records("detector", order_by="-full_name",
                                                                limit=2)] == [3, 2]
    assert [r["detector"] for r in view.query_dimension_records("detector", limit=3)] == [0, 1, 2]
    ids = view.query_data_ids(["exposure", "detector"], order_by=["-exposure", "-detector.full_name"],
                              limit=5)
    assert [(d["exposure"], d["detector"]) for d in ids] == \
        [(903336, 3), (903336, 2), (903336, 1), (903336, 0), (903334, 3)]
    # Implied values order too: i (903336) before r (903334).
    assert [d["exposure"] for d in view.query_data_ids(["exposure"], order_by="band")] == [903336, 903334]
    from_datasets = view.query_data_ids(["detector"], dataset_type="raw", collections="HSC/raw/all",
                                        order_by="-detector", limit=2)
    assert [d["detector"] for d in from_datasets] == [3, 2]
    with pytest.raises(starlog.InvalidArgumentError, match="order by 'attract'"):
        view.query_dimension_records("detector", order_by=["attract"])
    with pytest.raises(starlog.InvalidArgumentError, match="order by 'exposure'"):
        view.query_data_ids(["detector"], order_by="exposure")


def test_query_collections_and_dataset_types(raws):
    raws.set_chain("HSC/defaults", ["HSC/raw/all", "HSC/calib"])
    view = raws.view()
    assert [c.name for c in view.query_collections("HSC/*", types=["RUN"])] == ["HSC/calib/bias", "HSC/raw/all"]
    chain = [c for c in view.query_collections() if c.name == "HSC/defaults"][0]
    assert chain.type == "CHAINED" and chain.children == ["HSC/raw/all", "HSC/calib"]
    assert [t.name for t in view.query_dataset_types()] == ["bias", "raw"]
    assert "raw.wcs" in [t.name for t in view.query_dataset_types("raw", components=True)]
    assert view.query_dataset_types("b*")[0].is_calibration


def test_get_dataset_and_get_datasets(raws):
    view = raws.view()
    refs = list(view.query_datasets("raw", "HSC/raw/all"))
    import uuid
    missing = uuid.uuid4()
    got = view.get_datasets([refs[0].id, str(refs[1].id), missing])
    assert got[0] == refs[0] and got[1] == refs[1] and got[2] is None
    assert view.get_dataset(missing) is None
    with pytest.raises(starlog.InvalidArgumentError):
        view.get_dataset("not-a-uuid")


def test_views_as_of_sequence_time_and_snapshot(raws):
    before = raws.head
    raws.create_snapshot("inputs")
    time.sleep(0.01)
    between = datetime.datetime.now(UTC)
    time.sleep(0.01)
    raws.create_collection("HSC/late")
    assert raws.view().get_collection("HSC/late") is not None
    for point in (before.sequence, between, "inputs", str(before.sequence)):
        past = raws.view(as_of=point)
        assert past.get_collection("HSC/late") is None, point
        assert len(list(past.query_datasets("raw", "HSC/raw/all"))) == len(RAWS)
    assert raws.view(as_of=before.sequence).sequence == before.sequence
    assert raws.view(as_of="inputs").sequence == before.sequence
    with pytest.raises(starlog.InvalidArgumentError):
        raws.view(as_of=raws.head.sequence + 10)
    with pytest.raises(starlog.NotFoundError):
        raws.view(as_of="no-such-snapshot")
    with pytest.raises(starlog.InvalidArgumentError):
        raws.view(as_of=datetime.datetime(2024, 1, 1))  # naive: no instant


def test_views_are_stable_while_the_head_moves(raws):
    view = raws.view()
    raws.create_collection("HSC/after")
    assert view.get_collection("HSC/after") is None
    assert raws.view().get_collection("HSC/after") is not None


def test_times_convert_to_tai(raws):
    t = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    # TAI is 37 s ahead of UTC since 2017.
    assert starlog.tai_ns(t) == 1704067200_000_000_000 + 37_000_000_000
    assert starlog.datetime_from_tai_ns(starlog.tai_ns(t)) == t
    span = starlog.Timespan(starlog.tai_ns(t), None)
    assert span.begin == t and span.end is None and span.end_tai_ns is None
    assert span.contains(t) and not span.contains(t - datetime.timedelta(seconds=1))
    # As the butler's Timespan: [t, t] is the instant t, an end before the
    # begin is refused, and bounds outside 1970..2100 TAI are unbounded.
    instant = starlog.Timespan(t, t)
    assert instant.end_tai_ns == instant.begin_tai_ns + 1
    with pytest.raises(starlog.InvalidArgumentError):
        starlog.Timespan(t, t - datetime.timedelta(seconds=1))
    always = starlog.Timespan(datetime.datetime(1960, 1, 1, tzinfo=UTC),
                              datetime.datetime(2200, 1, 1, tzinfo=UTC))
    assert always.begin is None and always.end is None


def test_refs_carry_implied_values_and_the_butler_facade_expands_them(raws):
    from starlog.butler_compat import DatasetRef, DatasetType

    view = raws.view()
    ref = view.find_dataset("raw", RAWS[0], "HSC/raw/all")
    assert set(ref.data_id) == {"instrument", "exposure", "detector"}
    assert ref.implied == {"band": "r", "physical_filter": "HSC-R", "day_obs": 20240301}
    assert ref.full_data_id == {**ref.data_id, **ref.implied}
    assert ref.joined == {}
    for queried in view.query_datasets("raw", "HSC/raw/all", where="exposure = 903336"):
        assert queried.implied["band"] == "i"
    compat = DatasetRef(ref, DatasetType("raw", ["instrument", "exposure", "detector"], "Exposure"))
    assert compat.dataId["physical_filter"] == "HSC-R"


def test_query_datasets_joins_calibrations_to_exposures_by_their_timespans(filled):
    march = 1709251200 * 10**9  # 2024-03-01, as TAI nanoseconds (near enough).
    filled.insert_dimension_records(
        "exposure",
        [{"instrument": "HSC", "exposure": 903334, "physical_filter": "HSC-R", "day_obs": 20240301,
          "observation_type": "science", "timespan_begin": march, "timespan_end": march + 30 * 10**9}],
        replace=True,
    )
    biases = filled.register_datasets(
        "bias", "HSC/calib/bias", [{"instrument": "HSC", "detector": d} for d in range(2)])
    jan = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    filled.certify("HSC/calib", biases, (jan, None))
    refs = list(filled.view().query_datasets("bias", "HSC/calib", where="exposure = 903334"))
    assert sorted(r.data_id["detector"] for r in refs) == [0, 1]
    assert all(r.joined["exposure"] == 903334 for r in refs)
    # Exposure 903336 has no timespan: no calibration is valid for it.
    assert list(filled.view().query_datasets("bias", "HSC/calib", where="exposure = 903336")) == []


def _card(key, value):
    if isinstance(value, bool):
        text = "T" if value else "F"
        return f"{key:<8}= {text:>20}".ljust(80)
    if isinstance(value, (int, float)):
        return f"{key:<8}= {value!s:>20}".ljust(80)
    quoted = "'" + value.ljust(8) + "'"
    return f"{key:<8}= {quoted:<20}".ljust(80)


def _header(cards):
    """One header unit: 80-character cards, END, padded to 2880 bytes."""
    text = "".join(_card(k, v) for k, v in cards) + "END".ljust(80)
    text += " " * (-len(text) % 2880)
    return text.encode("ascii")


def test_each_dataset_of_a_multi_extension_file_names_its_hdu(tmp_path):
    # A real FITS file (header-only HDUs) with a detector in each extension,
    # ingested by the starlog binary: each dataset's hdu is its extension.
    incoming = tmp_path / "in"
    incoming.mkdir()
    primary = [("SIMPLE", True), ("BITPIX", 8), ("NAXIS", 0), ("EXTEND", True),
               ("INSTRUME", "FakeCam"), ("EXPNUM", 10), ("FILTER", "FakeCam-R"),
               ("IMGTYPE", "SCIENCE"), ("DATE-OBS", "2024-03-02T03:04:05"),
               ("EXPTIME", 1.0), ("TIMESYS", "UTC")]
    extensions = [[("XTENSION", "IMAGE"), ("BITPIX", 8), ("NAXIS", 0), ("PCOUNT", 0),
                   ("GCOUNT", 1), ("CCDNUM", d)] for d in (1, 2)]
    (incoming / "mef.fits").write_bytes(
        _header(primary) + b"".join(_header(e) for e in extensions))
    translator = tmp_path / "mefcam.cfg"
    translator.write_text(
        "instrument FakeCam\nmatch INSTRUME FakeCam\nper_hdu inherit\n"
        "value exposure EXPNUM\nvalue detector CCDNUM\nvalue physical_filter FILTER\n"
        "value exposure.observation_type IMGTYPE lower\n"
        "timespan exposure DATE-OBS EXPTIME\nday_obs DATE-OBS -12\n")
    root = str(tmp_path / "repo")
    cli("create", root)
    cli("register-dataset-type", root, "raw", "Exposure", "instrument", "exposure", "detector")
    cli("ingest", root, incoming, "--run", "FakeCam/raw/all", "--translator", translator)
    repo = starlog.Repository.open(root, read_only=True)
    try:
        refs = repo.view().query_datasets("raw", collections=["FakeCam/raw/all"])
        by_detector = {ref.data_id["detector"]: ref for ref in refs}
        assert sorted(by_detector) == [1, 2]
        assert by_detector[1].hdu == 1
        assert by_detector[2].hdu == 2
        assert by_detector[1].path == by_detector[2].path
    finally:
        repo.close()


def test_where_binds_times_and_timespans_for_overlaps(raws):
    """bind values as the butler's testTimespanQueries gives them: aware
    datetimes, astropy Times (when astropy is there) and Timespans, named
    ":name" or bare."""
    t0 = datetime.datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    raws.insert_dimension_records(
        "exposure",
        [
            {"instrument": "HSC", "exposure": e, "physical_filter": f, "day_obs": 20240301,
             "observation_type": "science", "timespan_begin": starlog.tai_ns(b),
             "timespan_end": starlog.tai_ns(b + datetime.timedelta(minutes=30))}
            for e, f, b in [(903334, "HSC-R", t0), (903336, "HSC-I", t0 + datetime.timedelta(hours=1))]
        ],
        replace=True,
    )
    view = raws.view()

    def exposures(where, **bind):
        return sorted({d["exposure"] for d in view.query_data_ids(["exposure"], where=where, bind=bind)})

    later = t0 + datetime.timedelta(minutes=70)
    assert exposures("exposure.timespan OVERLAPS :t", t=later) == [903336]
    assert exposures("t OVERLAPS timespan", t=t0) == [903334]
    assert exposures("timespan OVERLAPS (NULL, :t)", t=t0 + datetime.timedelta(hours=1)) == [903334]
    assert exposures("timespan OVERLAPS :ts", ts=starlog.Timespan(t0, later)) == [903334, 903336]
    assert exposures("timespan OVERLAPS :ts", ts=starlog.Timespan(later, None)) == [903336]
    assert exposures("exposure.timespan.begin > :t", t=t0) == [903336]
    assert exposures("band = :b", b="r") == [903334]
    with pytest.raises(starlog.InvalidArgumentError, match="timezone-aware"):
        exposures("timespan OVERLAPS :t", t=datetime.datetime(2024, 3, 1, 10, 0))
    with pytest.raises(starlog.InvalidArgumentError, match="an astropy Time or a Timespan, not float"):
        exposures("timespan OVERLAPS :t", t=1.5)
    with pytest.raises(starlog.InvalidArgumentError, match="none is given for :nope"):
        exposures("band = :nope")


def test_astropy_times_are_times():
    """An astropy Time (duck-typed) is the instant it names, to the nanosecond."""
    astropy_time = pytest.importorskip("astropy.time")
    later = datetime.datetime(2024, 3, 1, 11, 10, tzinfo=UTC)
    assert starlog.tai_ns(astropy_time.Time(later)) == starlog.tai_ns(later)
    tai = astropy_time.Time("2024-03-01T11:00:37.123456789", scale="tai", precision=9)
    assert starlog.tai_ns(tai) == starlog.tai_ns(datetime.datetime(2024, 3, 1, 11, 0, tzinfo=UTC)) + 123456789
    assert starlog.Timespan(tai, None).begin_tai_ns == starlog.tai_ns(tai)
