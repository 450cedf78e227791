// Packer: data IDs to integers and back (engine/data_id_packer.h), one at a
// time or as numpy arrays, a loop in C++ with the GIL released.

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <utility>

#include "python/src/bindings.h"
#include "python/src/values.h"
#include "python/src/view.h"
#include "starlog/engine/data_id_packer.h"

namespace starlog::python {

namespace {

struct Packer {
  engine::DataIdPacker packer;
  std::vector<engine::ValueType> types;  // Of each of packer.keys().
};

bool AllScalars(py::handle mapping) {
  for (py::handle v : py::reinterpret_borrow<py::dict>(mapping).attr("values")()) {
    const bool scalar =
        PyUnicode_Check(v.ptr()) || (PyIndex_Check(v.ptr()) && !py::hasattr(v, "__len__"));
    if (!scalar) return false;
  }
  return true;
}

py::object Pack(const Packer& p, py::handle data_ids) {
  if (PyDict_Check(data_ids.ptr()) && AllScalars(data_ids)) {
    const codec::FieldMap id = ToFieldMap(data_ids);
    return py::int_(Unwrap(p.packer.Pack(id)));
  }
  const std::vector<codec::FieldMap> rows = ToRows(data_ids);
  std::vector<uint64_t> packed = Unwrap(NoGil([&] { return p.packer.PackBatch(rows); }));
  py::array_t<uint64_t> out(static_cast<py::ssize_t>(packed.size()));
  std::copy(packed.begin(), packed.end(), out.mutable_data());
  return out;
}

py::object Unpack(const Packer& p, py::handle packed) {
  if (PyIndex_Check(packed.ptr()) && !py::hasattr(packed, "__len__")) {
    const int64_t v = packed.cast<int64_t>();
    if (v < 0) ThrowStatus(Status::InvalidArgument("a packed data ID is not negative"));
    return FromFieldMap(Unwrap(p.packer.Unpack(static_cast<uint64_t>(v))));
  }
  auto array = py::array_t<uint64_t, py::array::forcecast>::ensure(packed);
  if (!array) throw py::error_already_set();
  if (array.ndim() != 1) ThrowStatus(Status::InvalidArgument("unpack takes a 1-d array"));
  std::vector<uint64_t> values(array.data(), array.data() + array.size());
  std::vector<codec::FieldMap> ids = Unwrap(NoGil([&] { return p.packer.UnpackBatch(values); }));
  py::dict out;
  const auto& keys = p.packer.keys();
  const py::ssize_t n = static_cast<py::ssize_t>(ids.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    if (p.types[k] == engine::ValueType::kInt) {
      py::array_t<int64_t> column(n);
      int64_t* data = column.mutable_data();
      for (py::ssize_t i = 0; i < n; ++i) data[i] = std::get<int64_t>(ids[i].at(keys[k]));
      out[py::str(keys[k])] = column;
    } else {
      py::list column(n);
      for (py::ssize_t i = 0; i < n; ++i) {
        column[i] = py::str(std::get<std::string>(ids[i].at(keys[k])));
      }
      out[py::str(keys[k])] = py::module_::import("numpy").attr("array")(column);
    }
  }
  return out;
}

}  // namespace

py::object MakePacker(const View& view, py::handle dimensions, py::handle fixed) {
  const std::vector<std::string> dims = ToStrings(dimensions);
  const codec::FieldMap fixed_id = ToFieldMap(fixed);
  ViewSource& source = *view.source;
  // The records the bounds come from, from this process's view or through
  // the service, read by the one engine function.
  const engine::RecordLookup lookup = [&source](const std::string& element,
                                                const codec::FieldMap& data_id) {
    return source.GetDimensionRecord(element, data_id);
  };
  Packer p{Unwrap(NoGil([&] {
             return engine::MakeDataIdPacker(source.universe(), dims, fixed_id, lookup);
           })),
           {}};
  for (const std::string& key : p.packer.keys()) {
    const engine::DimensionElement* e = source.universe().Find(key);
    p.types.push_back(e != nullptr ? e->key_type : engine::ValueType::kInt);
  }
  return py::cast(std::move(p));
}

void RegisterPacker(py::module_& m) {
  py::class_<Packer>(m, "Packer",
                     "Packs data IDs over some dimensions into integers and back, as the "
                     "butler's dimension packers: per instrument, each key a digit bounded by "
                     "the instrument's declared maximum (detector + detector_max * exposure), "
                     "so packed ids never change as records arrive.")
      .def_property_readonly(
          "bits", [](const Packer& p) { return p.packer.bits(); },
          "Bits a packed data ID needs (at most 64).")
      .def_property_readonly(
          "keys", [](const Packer& p) { return p.packer.keys(); },
          "The data ID's keys, fixed ones included, most significant first.")
      .def("pack", &Pack, py::arg("data_ids"),
           "A data ID (dict of scalars) as an int; or a dict of columns (numpy arrays or "
           "lists) or a list of dicts as a numpy uint64 array.")
      .def("unpack", &Unpack, py::arg("packed"),
           "An int as a data ID (dict); or an array of ints as a dict of columns (numpy "
           "arrays: int64 for integer keys, str for string keys).");
}

}  // namespace starlog::python
