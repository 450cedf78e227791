"""numpy in and out: registering datasets from a dict of arrays, packing and
unpacking data IDs as arrays."""

import numpy as np
import pytest

import starlog
from conftest import cli


def test_register_datasets_from_numpy_columns(filled):
    n = 4 * 2
    exposures = np.repeat(np.array([903334, 903336], dtype=np.int64), 4)
    detectors = np.tile(np.arange(4, dtype=np.int32), 2)
    refs = filled.register_datasets(
        "raw", "HSC/raw/all",
        {"instrument": np.array(["HSC"] * n), "exposure": exposures, "detector": detectors},
        id_mode="datatype")
    assert len(refs) == n
    assert [(r.data_id["exposure"], r.data_id["detector"]) for r in refs] == list(
        zip(exposures.tolist(), detectors.tolist()))
    assert all(type(r.data_id["detector"]) is int for r in refs)
    # The same deterministic ids as rows of dicts get.
    filled.remove_runs("HSC/raw/all")
    filled.create_collection("HSC/raw/all")
    again = filled.register_datasets("raw", "HSC/raw/all", [r.data_id for r in refs], id_mode="datatype")
    assert [r.id for r in again] == [r.id for r in refs]
    with pytest.raises(starlog.InvalidArgumentError):
        filled.register_datasets("raw", "HSC/raw/all", {"instrument": ["HSC"], "exposure": exposures,
                                                        "detector": detectors})


def test_pack_unpack_round_trip(filled):
    packer = filled.view().packer(["exposure", "detector"], {"instrument": "HSC"})
    assert packer.keys == ["instrument", "exposure", "detector"]
    # As the butler's: detector + detector_max * exposure, detector_max 111 and
    # exposure_max 99999999 being greater than every value.
    assert packer.bits == (111 * 99999999).bit_length()
    assert packer.pack({"instrument": "HSC", "exposure": 903334, "detector": 5}) == 5 + 111 * 903334
    ids = {
        "instrument": np.array(["HSC"] * 6),
        "exposure": np.array([903334, 903334, 903336, 1, 0, 99999998]),
        "detector": np.array([0, 110, 5, 3, 0, 7]),
    }
    packed = packer.pack(ids)
    assert isinstance(packed, np.ndarray) and packed.dtype == np.uint64 and packed.shape == (6,)
    assert len(set(packed.tolist())) == 6
    back = packer.unpack(packed)
    assert back["exposure"].dtype == np.int64
    for key in ids:
        assert back[key].tolist() == ids[key].tolist()
    one = {"instrument": "HSC", "exposure": 903336, "detector": 5}
    assert packer.pack(one) == int(packed[2])
    assert packer.unpack(int(packed[2])) == one
    assert packer.pack([one, one]).tolist() == [int(packed[2])] * 2
    with pytest.raises(starlog.InvalidArgumentError):
        packer.pack({"instrument": "HSC", "exposure": 903336, "detector": 111})
    with pytest.raises(starlog.InvalidArgumentError, match="per instrument"):
        filled.view().packer(["exposure", "detector"], {})
    with pytest.raises(starlog.InvalidArgumentError):
        packer.pack({"instrument": "HSC", "exposure": 903336})


def test_packing_agrees_with_the_engine_across_processes(filled):
    # A second open in another process packs the same way (bounds from records).
    hsc = {"instrument": "HSC"}
    packer = filled.view().packer(["instrument", "detector"], hsc)
    value = packer.pack({"instrument": "HSC", "detector": 3})
    filled.close()
    with starlog.Repository.open(filled.root, read_only=True) as ro:
        assert ro.view().packer(["detector"], hsc).pack({"instrument": "HSC", "detector": 3}) == value
