#include "starlog/codec/data_id.h"

namespace starlog::codec {

std::string FieldValueToString(const FieldValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return std::to_string(std::get<int64_t>(value));
}

std::string FieldMapToString(const FieldMap& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += ", ";
    out += key;
    out += '=';
    out += FieldValueToString(value);
  }
  return out;
}

}  // namespace starlog::codec
