#pragma once

// Data ID values as events carry them: a mapping from a key (dimension name or
// dimension-record field) to an integer or a string. std::map keeps keys
// sorted, so equal mappings encode to equal bytes (EncodeDataId in the engine's
// data_id module adds the universe's validation).

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace starlog::codec {

using FieldValue = std::variant<int64_t, std::string>;
using FieldMap = std::map<std::string, FieldValue, std::less<>>;

// "instrument=HSC, detector=50": for messages and tables.
std::string FieldMapToString(const FieldMap& fields);
std::string FieldValueToString(const FieldValue& value);

}  // namespace starlog::codec
