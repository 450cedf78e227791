#pragma once

// Values between Python and the libraries: data IDs as dicts, dataset ids as
// uuid.UUID, times as timezone-aware datetimes (UTC) or TAI nanoseconds,
// validity as Timespan, datasets as DatasetRef.
//
// Times: a datetime is an instant, converted to TAI with the leap-second
// table (engine/time_scales.h) where TAI is stored (validity, record
// timespans); an int is TAI nanoseconds since 1970-01-01, as stored. A naive
// datetime is refused: it names no instant. Commit times are UTC.

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/codec/timespan.h"
#include "starlog/codec/uuid.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/where.h"

namespace starlog::python {

namespace py = pybind11;

// A mapping of str to int or str. Raises InvalidArgumentError naming a key
// whose value is neither (bool included: it is no dimension value).
codec::FieldMap ToFieldMap(py::handle mapping);
codec::FieldValue ToFieldValue(py::handle value, const std::string& key);
py::dict FromFieldMap(const codec::FieldMap& fields);

// Rows as a list of mappings, or as one mapping of equal-length columns
// (lists or numpy arrays, as the butler's and astropy's tables give them).
std::vector<codec::FieldMap> ToRows(py::handle rows);

// A uuid.UUID or its string form.
codec::Uuid ToUuid(py::handle id);
py::object FromUuid(const codec::Uuid& id);

// A str, or an iterable of str (collections, patterns, dimensions).
std::vector<std::string> ToStrings(py::handle names);

// A datetime (aware) or int TAI ns, as TAI ns.
int64_t ToTaiNs(py::handle time);
// TAI ns as an aware UTC datetime (to the microsecond).
py::object DatetimeFromTaiNs(int64_t tai_ns);
// UTC ns (commit times) as an aware UTC datetime.
py::object DatetimeFromUtcNs(int64_t utc_ns);
// An aware datetime as UTC ns since 1970.
int64_t ToUtcNs(py::handle datetime);

// None, a time (one nanosecond), or a Timespan: what a calibration lookup takes.
std::optional<codec::Timespan> ToValidity(py::handle time);
codec::Timespan ToTimespan(py::handle timespan);

// A where clause's "bind" values (a mapping or None).
engine::WhereBinds ToBinds(py::handle bind);

// The Python DatasetRef.
py::object FromDatasetRef(engine::DatasetRef ref);

}  // namespace starlog::python
