#include "python/src/values.h"

#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "python/src/bindings.h"
#include "starlog/codec/event.h"
#include "starlog/engine/time_scales.h"
#include "starlog/engine/universe.h"

namespace starlog::python {

namespace {

// Python objects held for the life of the process: never destroyed, so
// that nothing runs after the interpreter is gone.
py::object& Datetime() {
  static auto* cls = new py::object(py::module_::import("datetime").attr("datetime"));
  return *cls;
}
py::object& Epoch() {
  static auto* epoch = new py::object([] {
    py::object datetime = py::module_::import("datetime");
    return datetime.attr("datetime")(1970, 1, 1, 0, 0, 0, 0, datetime.attr("timezone").attr("utc"));
  }());
  return *epoch;
}
py::object& Timedelta() {
  static auto* cls = new py::object(py::module_::import("datetime").attr("timedelta"));
  return *cls;
}
py::object& UuidClass() {
  static auto* cls = new py::object(py::module_::import("uuid").attr("UUID"));
  return *cls;
}

[[noreturn]] void Invalid(const std::string& message) {
  ThrowStatus(Status::InvalidArgument(message));
}

std::string TypeName(py::handle h) { return py::str(py::type::handle_of(h).attr("__name__")); }

bool IsInteger(py::handle h) {
  // numpy's integers are no int, but say they are one through __index__.
  return !PyBool_Check(h.ptr()) && (PyLong_Check(h.ptr()) || PyIndex_Check(h.ptr()));
}

int64_t ToInt64(py::handle h, const std::string& what) {
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!index) throw py::error_already_set();
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow != 0) Invalid(what + " does not fit in 64 bits");
  return v;
}

bool IsNumpyArray(py::handle h) { return py::hasattr(h, "__array_interface__"); }

// One column of values, each converted.
std::vector<codec::FieldValue> ToColumn(py::handle column, const std::string& key) {
  std::vector<codec::FieldValue> out;
  if (IsNumpyArray(column)) {
    py::array array = py::array::ensure(column);
    if (!array) throw py::error_already_set();
    if (array.ndim() != 1) Invalid("column '" + key + "' must be one-dimensional");
    const char kind = array.dtype().kind();
    if (kind == 'i' || kind == 'u') {
      auto ints = py::array_t<int64_t, py::array::forcecast>::ensure(array);
      if (!ints) throw py::error_already_set();
      auto view = ints.unchecked<1>();
      out.reserve(view.shape(0));
      for (py::ssize_t i = 0; i < view.shape(0); ++i) out.emplace_back(view(i));
      return out;
    }
  }
  py::sequence items = py::reinterpret_steal<py::sequence>(
      PySequence_Fast(column.ptr(), ("column '" + key + "' must be a sequence").c_str()));
  if (!items) throw py::error_already_set();
  const py::ssize_t n = PySequence_Fast_GET_SIZE(items.ptr());
  out.reserve(n);
  PyObject** raw = PySequence_Fast_ITEMS(items.ptr());
  for (py::ssize_t i = 0; i < n; ++i) out.push_back(ToFieldValue(raw[i], key));
  return out;
}

}  // namespace

codec::FieldValue ToFieldValue(py::handle value, const std::string& key) {
  if (PyUnicode_Check(value.ptr())) return value.cast<std::string>();
  if (IsInteger(value)) return ToInt64(value, "value of '" + key + "'");
  Invalid("value of '" + key + "' must be an int or a str, not " + TypeName(value));
}

codec::FieldMap ToFieldMap(py::handle mapping) {
  if (!PyDict_Check(mapping.ptr()) && !py::hasattr(mapping, "items")) {
    Invalid("a data ID is a dict of dimension names to values, not " + TypeName(mapping));
  }
  codec::FieldMap out;
  auto add = [&out](py::handle k, py::handle v) {
    if (!PyUnicode_Check(k.ptr())) Invalid("data ID keys are str, not " + TypeName(k));
    std::string key = k.cast<std::string>();
    codec::FieldValue value = ToFieldValue(v, key);
    out.emplace(std::move(key), std::move(value));
  };
  if (PyDict_Check(mapping.ptr())) {  // The common case, without an items() view per call.
    PyObject* k = nullptr;
    PyObject* v = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(mapping.ptr(), &pos, &k, &v)) add(k, v);
    return out;
  }
  for (py::handle item : mapping.attr("items")()) {
    py::tuple kv = py::reinterpret_borrow<py::tuple>(item);
    add(kv[0], kv[1]);
  }
  return out;
}

py::dict FromFieldMap(const codec::FieldMap& fields) {
  py::dict out;
  for (const auto& [key, value] : fields) {
    if (const auto* i = std::get_if<int64_t>(&value)) {
      out[py::str(key)] = py::int_(*i);
    } else {
      out[py::str(key)] = py::str(std::get<std::string>(value));
    }
  }
  return out;
}

std::vector<codec::FieldMap> ToRows(py::handle rows) {
  std::vector<codec::FieldMap> out;
  if (PyDict_Check(rows.ptr())) {
    // Columns: every one as long as the first.
    std::vector<std::pair<std::string, std::vector<codec::FieldValue>>> columns;
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(rows)) {
      if (!PyUnicode_Check(k.ptr())) Invalid("column names are str, not " + TypeName(k));
      const std::string key = k.cast<std::string>();
      columns.emplace_back(key, ToColumn(v, key));
      if (columns.back().second.size() != columns.front().second.size()) {
        Invalid("column '" + key + "' has " + std::to_string(columns.back().second.size()) +
                " values, column '" + columns.front().first + "' " +
                std::to_string(columns.front().second.size()));
      }
    }
    const size_t n = columns.empty() ? 0 : columns.front().second.size();
    out.resize(n);
    for (auto& [key, values] : columns) {
      for (size_t i = 0; i < n; ++i) out[i].emplace(key, std::move(values[i]));
    }
    return out;
  }
  if (PyUnicode_Check(rows.ptr()) || !PySequence_Check(rows.ptr())) {
    Invalid("rows are a list of dicts or a dict of columns, not " + TypeName(rows));
  }
  for (py::handle row : rows) out.push_back(ToFieldMap(row));
  return out;
}

codec::Uuid ToUuid(py::handle id) {
  if (py::isinstance(id, UuidClass())) {
    const std::string bytes = py::bytes(id.attr("bytes"));
    return codec::Uuid::FromBytes(bytes.data());
  }
  if (PyUnicode_Check(id.ptr())) return Unwrap(codec::Uuid::Parse(id.cast<std::string>()));
  if (py::hasattr(id, "id") && py::isinstance(id.attr("id"), UuidClass())) {
    return ToUuid(id.attr("id"));  // A DatasetRef, ours or the butler's.
  }
  Invalid("a dataset id is a uuid.UUID or its string, not " + TypeName(id));
}

py::object FromUuid(const codec::Uuid& id) {
  return UuidClass()(py::arg("bytes") = py::bytes(std::string(id.AsBytes())));
}

std::vector<std::string> ToStrings(py::handle names) {
  if (PyUnicode_Check(names.ptr())) return {names.cast<std::string>()};
  std::vector<std::string> out;
  for (py::handle n : names) {
    if (!PyUnicode_Check(n.ptr())) Invalid("expected names (str), got " + TypeName(n));
    out.push_back(n.cast<std::string>());
  }
  return out;
}

int64_t ToUtcNs(py::handle datetime) {
  if (!py::isinstance(datetime, Datetime())) {
    Invalid("expected a datetime, not " + TypeName(datetime));
  }
  if (datetime.attr("utcoffset")().is_none()) {
    Invalid(
        "a datetime must be timezone-aware (e.g. tzinfo=datetime.timezone.utc): a naive one "
        "names no instant");
  }
  py::object micros =
      (datetime - Epoch()).attr("__floordiv__")(Timedelta()(py::arg("microseconds") = 1));
  const int64_t us = ToInt64(micros, "the datetime");
  if (us > std::numeric_limits<int64_t>::max() / 1000 ||
      us < std::numeric_limits<int64_t>::min() / 1000) {
    Invalid("the datetime is out of range (1678 to 2261)");
  }
  return us * 1000;
}

namespace {

// An astropy Time (duck-typed: astropy is not needed to import starlog): its
// TAI two-part Julian date, whole days apart from the fraction so that the
// nanoseconds are exact.
bool IsAstropyTime(py::handle h) {
  return py::hasattr(h, "tai") && py::hasattr(h, "jd1") && py::hasattr(h, "jd2");
}

int64_t AstropyTaiNs(py::handle time) {
  py::object tai = time.attr("tai");
  double jd1 = 0, jd2 = 0;
  try {
    jd1 = py::float_(tai.attr("jd1")).cast<double>();
    jd2 = py::float_(tai.attr("jd2")).cast<double>();
  } catch (const py::error_already_set&) {
    Invalid("an astropy Time must be one time, not an array of them");
  }
  constexpr double kJdUnixEpoch = 2440587.5;  // 1970-01-01T00:00:00 (here TAI).
  const double days = jd1 - kJdUnixEpoch;     // Exact: astropy keeps jd1 whole or half.
  const double whole = std::floor(days);
  const double fraction = (days - whole) + jd2;
  constexpr double kNsPerDay = 86'400e9;
  if (!std::isfinite(whole) || std::fabs(whole) > 100'000) Invalid("the time is out of range");
  return static_cast<int64_t>(whole) * 86'400'000'000'000 + std::llround(fraction * kNsPerDay);
}

}  // namespace

int64_t ToTaiNs(py::handle time) {
  if (IsInteger(time)) return ToInt64(time, "the time");
  if (IsAstropyTime(time)) return AstropyTaiNs(time);
  return Unwrap(engine::UtcToTai(ToUtcNs(time)));
}

py::object DatetimeFromUtcNs(int64_t utc_ns) {
  int64_t us = utc_ns / 1000;
  if (utc_ns % 1000 < 0) --us;  // Floor: the microsecond the instant lies in.
  return Epoch() + Timedelta()(py::arg("microseconds") = us);
}

py::object DatetimeFromTaiNs(int64_t tai_ns) {
  // TAI - UTC as of the UTC time, which differs from TAI by that amount:
  // two steps reach it but within a leap second.
  const int64_t guess = tai_ns - Unwrap(engine::TaiMinusUtcNs(tai_ns));
  return DatetimeFromUtcNs(tai_ns - Unwrap(engine::TaiMinusUtcNs(guess)));
}

codec::Timespan ToTimespan(py::handle timespan) {
  if (py::isinstance<codec::Timespan>(timespan)) return timespan.cast<codec::Timespan>();
  if (PyTuple_Check(timespan.ptr()) && py::len(timespan) == 2) {
    py::tuple t = py::reinterpret_borrow<py::tuple>(timespan);
    codec::Timespan span;
    if (!t[0].is_none()) span.begin = ToTaiNs(t[0]);
    if (!t[1].is_none()) span.end = ToTaiNs(t[1]);
    return span;
  }
  Invalid("expected a Timespan or a (begin, end) tuple, not " + TypeName(timespan));
}

std::optional<codec::Timespan> ToValidity(py::handle time) {
  if (time.is_none()) return std::nullopt;
  if (py::isinstance<codec::Timespan>(time) || PyTuple_Check(time.ptr())) {
    return ToTimespan(time);
  }
  const int64_t t = ToTaiNs(time);
  if (t == codec::kUnboundedEnd) Invalid("the time is out of range");
  return codec::Timespan{t, t + 1};
}

engine::WhereBinds ToBinds(py::handle bind) {
  engine::WhereBinds binds;
  if (bind.is_none()) return binds;
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(bind)) {
    const std::string key = py::str(k);
    if (PyUnicode_Check(v.ptr()) || IsInteger(v)) {
      binds.emplace(key, ToFieldValue(v, key));
    } else if (py::isinstance<codec::Timespan>(v)) {
      binds.emplace(key, engine::TimespanBindValue(v.cast<codec::Timespan>()));
    } else if (py::isinstance(v, Datetime()) || IsAstropyTime(v)) {
      binds.emplace(key, ToTaiNs(v));  // A time in the where language is TAI ns.
    } else {
      Invalid("value of '" + key +
              "' must be an int, a str, a datetime (timezone-aware), an astropy Time or a "
              "Timespan, not " +
              TypeName(v));
    }
  }
  return binds;
}

py::object FromDatasetRef(engine::DatasetRef ref) { return py::cast(std::move(ref)); }

namespace {

py::object OptionalEnd(int64_t v, int64_t unbounded) {
  if (v == unbounded) return py::none();
  return DatetimeFromTaiNs(v);
}
py::object OptionalNs(int64_t v, int64_t unbounded) {
  if (v == unbounded) return py::none();
  return py::int_(v);
}

std::string TimeRepr(int64_t v, int64_t unbounded) {
  if (v == unbounded) return "None";
  return py::str(py::repr(DatetimeFromTaiNs(v)));
}

}  // namespace

void RegisterValues(py::module_& m) {
  py::class_<codec::Timespan>(
      m, "Timespan",
      "A half-open range [begin, end) of TAI time, as calibration validity is stored; either "
      "end may be None (unbounded). Ends are given as timezone-aware datetimes (instants, "
      "converted to TAI with the leap-second table) or ints (TAI nanoseconds since "
      "1970-01-01). begin/end read back as UTC datetimes (to the microsecond), "
      "begin_tai_ns/end_tai_ns exactly.")
      .def(py::init([](py::handle begin, py::handle end) {
             const int64_t b = begin.is_none() ? codec::kUnboundedBegin : ToTaiNs(begin);
             const int64_t e = end.is_none() ? codec::kUnboundedEnd : ToTaiNs(end);
             if (e < b) Invalid("a timespan's end must not come before its begin");
             // As the butler's Timespan: clamped to its range, [t, t] the instant t.
             const codec::Timespan span = codec::ButlerTimespan(b, e);
             if (span.IsEmpty()) Invalid("a timespan must hold a time from 1970 to 2100 (TAI)");
             return span;
           }),
           py::arg("begin") = py::none(), py::arg("end") = py::none())
      .def_property_readonly(
          "begin",
          [](const codec::Timespan& t) { return OptionalEnd(t.begin, codec::kUnboundedBegin); })
      .def_property_readonly(
          "end", [](const codec::Timespan& t) { return OptionalEnd(t.end, codec::kUnboundedEnd); })
      .def_property_readonly(
          "begin_tai_ns",
          [](const codec::Timespan& t) { return OptionalNs(t.begin, codec::kUnboundedBegin); })
      .def_property_readonly(
          "end_tai_ns",
          [](const codec::Timespan& t) { return OptionalNs(t.end, codec::kUnboundedEnd); })
      .def(
          "contains",
          [](const codec::Timespan& t, py::handle time) { return t.Contains(ToTaiNs(time)); },
          py::arg("time"), "Whether the instant (datetime, or TAI ns) lies in [begin, end).")
      .def("overlaps", &codec::Timespan::Overlaps, py::arg("other"))
      .def(py::self == py::self)
      .def("__hash__",
           [](const codec::Timespan& t) { return py::hash(py::make_tuple(t.begin, t.end)); })
      .def("__repr__", [](const codec::Timespan& t) {
        return "Timespan(" + TimeRepr(t.begin, codec::kUnboundedBegin) + ", " +
               TimeRepr(t.end, codec::kUnboundedEnd) + ")";
      });

  py::class_<engine::DatasetRef>(
      m, "DatasetRef",
      "A dataset as the registry holds it: id, type, run, data ID, file, and where a search "
      "found it.")
      .def_property_readonly("id", [](const engine::DatasetRef& r) { return FromUuid(r.id); })
      .def_readonly("type", &engine::DatasetRef::dataset_type,
                    "The dataset type's name (with .component if one was asked for).")
      .def_readonly("run", &engine::DatasetRef::run)
      .def_property_readonly(
          "data_id", [](const engine::DatasetRef& r) { return FromFieldMap(r.data_id); },
          "The required values: one per dimension of the dataset type.")
      .def_property_readonly(
          "implied", [](const engine::DatasetRef& r) { return FromFieldMap(r.implied); },
          "The values the data ID implies, from the records that imply them (a raw's band, "
          "physical_filter, day_obs); a value whose record is missing is absent.")
      .def_property_readonly(
          "full_data_id",
          [](const engine::DatasetRef& r) {
            codec::FieldMap full = r.data_id;
            full.insert(r.implied.begin(), r.implied.end());
            return FromFieldMap(full);
          },
          "data_id with the implied values, as the butler's expanded data ID.")
      .def_property_readonly(
          "joined", [](const engine::DatasetRef& r) { return FromFieldMap(r.joined); },
          "For a temporal join (a calibration found per exposure): the exposure's (or "
          "visit's) data ID this calibration is valid for; empty otherwise.")
      .def_property_readonly(
          "path",
          [](const engine::DatasetRef& r) -> py::object {
            if (!r.artifact) return py::none();
            return py::str(r.artifact->path);
          },
          "The file's path relative to the repository root; None if none.")
      .def_property_readonly("size",
                             [](const engine::DatasetRef& r) -> py::object {
                               if (!r.artifact) return py::none();
                               return py::int_(r.artifact->size);
                             })
      .def_property_readonly(
          "checksum",
          [](const engine::DatasetRef& r) -> py::object {
            if (!r.artifact) return py::none();
            return py::str(r.artifact->checksum.ToHex());
          },
          "The file's XXH3-128, in hex; None if no file.")
      .def_property_readonly(
          "hdu",
          [](const engine::DatasetRef& r) -> py::object {
            if (!r.artifact || r.artifact->hdu == 0) return py::none();
            return py::int_(r.artifact->hdu);
          },
          "For a dataset of one HDU of a file shared by several (a DECam or MegaPrime raw): "
          "its HDU, 1 the first extension (as astropy counts); None for a whole file.")
      .def_readonly("collection", &engine::DatasetRef::collection,
                    "The collection a search found it in (its run for get_dataset).")
      .def_property_readonly(
          "validity",
          [](const engine::DatasetRef& r) -> py::object {
            if (!r.validity) return py::none();
            return py::cast(*r.validity);
          },
          "The validity range when found in a CALIBRATION collection.")
      .def("__eq__",
           [](const engine::DatasetRef& a, py::handle b) {
             if (!py::isinstance<engine::DatasetRef>(b)) return false;
             const auto& other = b.cast<const engine::DatasetRef&>();
             return a.id == other.id && a.dataset_type == other.dataset_type;
           })
      .def("__hash__",
           [](const engine::DatasetRef& r) { return py::hash(py::str(r.id.ToString())); })
      .def("__repr__", [](const engine::DatasetRef& r) {
        return "DatasetRef(" + r.dataset_type + ", " + codec::FieldMapToString(r.data_id) +
               ", run=" + r.run + ", id=" + r.id.ToString() + ")";
      });

  py::class_<engine::CollectionInfo>(m, "CollectionInfo",
                                     "A collection: name, type, doc, and a chain's children.")
      .def_readonly("name", &engine::CollectionInfo::name)
      .def_property_readonly(
          "type",
          [](const engine::CollectionInfo& c) {
            return std::string(codec::CollectionTypeName(c.type));
          },
          "\"RUN\", \"TAGGED\", \"CHAINED\" or \"CALIBRATION\".")
      .def_readonly("doc", &engine::CollectionInfo::doc)
      .def_readonly("children", &engine::CollectionInfo::children, "CHAINED only, in search order.")
      .def("__repr__", [](const engine::CollectionInfo& c) {
        return "CollectionInfo(" + c.name + ", " + std::string(codec::CollectionTypeName(c.type)) +
               ")";
      });

  py::class_<engine::DatasetTypeInfo>(m, "DatasetType",
                                      "A dataset type: name, dimensions, storage class.")
      .def_readonly("name", &engine::DatasetTypeInfo::name)
      .def_readonly("dimensions", &engine::DatasetTypeInfo::dimensions, "Sorted.")
      .def_readonly("storage_class", &engine::DatasetTypeInfo::storage_class)
      .def_readonly("is_calibration", &engine::DatasetTypeInfo::is_calibration)
      .def("__eq__",
           [](const engine::DatasetTypeInfo& a, py::handle b) {
             if (!py::isinstance<engine::DatasetTypeInfo>(b)) return false;
             const auto& o = b.cast<const engine::DatasetTypeInfo&>();
             return a.name == o.name && a.dimensions == o.dimensions &&
                    a.storage_class == o.storage_class && a.is_calibration == o.is_calibration;
           })
      .def("__repr__", [](const engine::DatasetTypeInfo& t) {
        std::string dims;
        for (const auto& d : t.dimensions) dims += (dims.empty() ? "" : ", ") + d;
        return "DatasetType(" + t.name + ", {" + dims + "}, " + t.storage_class +
               (t.is_calibration ? ", calibration)" : ")");
      });

  m.def("tai_ns", &ToTaiNs, py::arg("time"),
        "A timezone-aware datetime as TAI nanoseconds since 1970-01-01 (an int is returned "
        "as it is).");
  m.def("datetime_from_tai_ns", &DatetimeFromTaiNs, py::arg("tai_ns"),
        "TAI nanoseconds as a UTC datetime (to the microsecond).");
}

}  // namespace starlog::python
