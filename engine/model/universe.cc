#include "starlog/engine/universe.h"

#include <algorithm>
#include <set>

#include "engine/store/key_coder.h"
#include "starlog/codec/numbers.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

namespace {

constexpr std::string_view kDefaultUniverse =
    R"(# starlog's built-in dimension universe, after the Gen3 butler's.
element instrument      key=string fields=class_name:string,detector_max:int,exposure_max:int,visit_max:int
element band            key=string
element physical_filter key=string requires=instrument implies=band
element detector        key=int    requires=instrument fields=full_name:string,purpose:string max=4095
element day_obs         key=int    requires=instrument max=99991231
element exposure        key=int    requires=instrument implies=physical_filter,day_obs fields=obs_id:string,observation_type:string,observation_reason:string,science_program:string,target_name:string,exposure_time:string,group_name:string,group_id:int,timespan_begin:int,timespan_end:int max=8796093022207
element visit_system    key=int    requires=instrument fields=name:string max=255
# A one-to-one visit takes its exposure's id, so visits reach as high.
element visit           key=int    requires=instrument implies=physical_filter,day_obs fields=name:string,target_name:string,timespan_begin:int,timespan_end:int max=8796093022207
# Relations without a key of their own: which exposures make up a visit, and
# which visit systems define it. A query over all that one requires joins
# its records (the butler's always_join).
element visit_definition        key=none requires=exposure,visit
element visit_system_membership key=none requires=visit,visit_system
element skymap          key=string fields=hash:string
element tract           key=int    requires=skymap max=65535
element patch           key=int    requires=skymap,tract max=4095
)";

std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    std::string part(s.substr(start, comma - start));
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    out.push_back(part);
    start = comma + 1;
  }
  return out;
}

Result<ValueType> ParseType(std::string_view s) {
  if (s == "int") return ValueType::kInt;
  if (s == "string") return ValueType::kString;
  return Status::InvalidArgument("unknown type '" + std::string(s) + "' (use int or string)");
}

Result<DimensionElement> ParseElementLine(const std::vector<std::string>& words,
                                          const Universe& so_far) {
  if (words.size() < 3 || words[0] != "element") {
    return Status::InvalidArgument(
        "expected: element NAME key=int|string [requires=...] "
        "[implies=...] [fields=...] [max=N]");
  }
  DimensionElement e;
  e.name = words[1];
  STARLOG_RETURN_IF_ERROR(ValidateIdentifier("element name", e.name));
  if (so_far.Find(e.name) != nullptr) {
    return Status::InvalidArgument("element '" + e.name + "' is defined twice");
  }
  bool have_key = false;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    const size_t eq = w.find('=');
    if (eq == std::string::npos)
      return Status::InvalidArgument("expected name=value, got '" + w + "'");
    const std::string attr = w.substr(0, eq);
    const std::string value = w.substr(eq + 1);
    if (attr == "key") {
      if (value == "none") {
        e.join = true;
      } else {
        STARLOG_ASSIGN_OR_RETURN(e.key_type, ParseType(value));
      }
      have_key = true;
    } else if (attr == "requires" || attr == "implies") {
      for (const std::string& dep : SplitCommas(value)) {
        if (so_far.Find(dep) == nullptr) {
          return Status::InvalidArgument("element '" + e.name + "' " + attr + " '" + dep +
                                         "', which is not defined above it");
        }
        (attr == "requires" ? e.required : e.implies).push_back(dep);
      }
    } else if (attr == "fields") {
      for (const std::string& f : SplitCommas(value)) {
        const size_t colon = f.find(':');
        if (colon == std::string::npos) {
          return Status::InvalidArgument("field '" + f + "' needs a type (name:int|string)");
        }
        DimensionField field{f.substr(0, colon), ValueType::kString};
        STARLOG_RETURN_IF_ERROR(ValidateIdentifier("field name", field.name));
        STARLOG_ASSIGN_OR_RETURN(field.type, ParseType(f.substr(colon + 1)));
        e.fields.push_back(field);
      }
    } else if (attr == "max") {
      const std::optional<uint64_t> max = codec::ParseUint(value);
      // At most 19 digits, as this always read: 20-digit values stay refused.
      if (!max || value.size() > 19) {
        return Status::InvalidArgument("max must be a non-negative integer, got '" + value + "'");
      }
      e.max = *max;
    } else {
      return Status::InvalidArgument("unknown attribute '" + attr + "'");
    }
  }
  if (!have_key) {
    return Status::InvalidArgument("element '" + e.name + "' has no key=int|string|none");
  }
  if (e.join && (e.required.size() < 2 || !e.implies.empty() || e.max != 0)) {
    return Status::InvalidArgument("element '" + e.name +
                                   "' has key=none: it relates two or more elements it requires, "
                                   "and implies nothing and has no max");
  }
  return e;
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  return type == ValueType::kInt ? "int" : "string";
}

std::string_view DefaultUniverseText() { return kDefaultUniverse; }

Result<Universe> Universe::Parse(std::string_view text) {
  if (text.empty()) return Default();
  Universe u;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      if (j > i) words.emplace_back(line.substr(i, j - i));
      i = j;
    }
    if (words.empty()) continue;
    auto element = ParseElementLine(words, u);
    if (!element.ok()) {
      return Status::InvalidArgument("universe line " + std::to_string(line_no) + ": " +
                                     std::string(element.status().message()));
    }
    u.elements_.push_back(std::move(element).value());
  }
  if (u.elements_.empty()) return Status::InvalidArgument("universe defines no elements");
  return u;
}

const Universe& Universe::Default() {
  static const Universe* universe = [] {
    auto parsed = Parse(kDefaultUniverse);
    return new Universe(std::move(parsed).value());
  }();
  return *universe;
}

const DimensionElement* Universe::Find(std::string_view name) const {
  for (const DimensionElement& e : elements_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<std::vector<std::string>> Universe::RequiredKeys(
    const std::vector<std::string>& dimensions) const {
  std::set<std::string> keys;
  std::set<std::string> visited;
  std::vector<std::string> todo(dimensions.begin(), dimensions.end());
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    const DimensionElement* e = Find(name);
    if (e == nullptr) return Status::InvalidArgument("unknown dimension '" + name + "'");
    if (!visited.insert(name).second) continue;
    // A relation has no key: its records are keyed by what it requires.
    if (!e->join) keys.insert(name);
    todo.insert(todo.end(), e->required.begin(), e->required.end());
  }
  return std::vector<std::string>(keys.begin(), keys.end());
}

Result<std::vector<std::string>> Universe::NormalizeDimensions(
    const std::vector<std::string>& dimensions) const {
  STARLOG_ASSIGN_OR_RETURN(std::vector<std::string> keys, RequiredKeys(dimensions));
  // What the keys imply, and what those imply in turn (an exposure's
  // physical_filter, and its band).
  std::set<std::string> implied;
  std::vector<std::string> todo;
  for (const std::string& k : keys) {
    const DimensionElement* e = Find(k);
    todo.insert(todo.end(), e->implies.begin(), e->implies.end());
  }
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!implied.insert(name).second) continue;
    if (const DimensionElement* e = Find(name)) {
      todo.insert(todo.end(), e->implies.begin(), e->implies.end());
    }
  }
  std::vector<std::string> out;
  for (std::string& k : keys) {
    if (!implied.count(k)) out.push_back(std::move(k));
  }
  return out;
}

Status Universe::ValidateDataId(const std::vector<std::string>& required_keys,
                                const codec::FieldMap& data_id) const {
  for (const std::string& key : required_keys) {
    auto it = data_id.find(key);
    if (it == data_id.end()) {
      return Status::InvalidArgument("data ID {" + codec::FieldMapToString(data_id) +
                                     "} is missing '" + key + "'");
    }
    const DimensionElement* e = Find(key);
    const bool is_string = std::holds_alternative<std::string>(it->second);
    if (e != nullptr && is_string != (e->key_type == ValueType::kString)) {
      return Status::InvalidArgument("data ID key '" + key + "' must be " +
                                     std::string(ValueTypeName(e->key_type)) + ", got '" +
                                     codec::FieldValueToString(it->second) + "'");
    }
  }
  for (const auto& [key, value] : data_id) {
    if (!std::binary_search(required_keys.begin(), required_keys.end(), key)) {
      std::string expected;
      for (const auto& k : required_keys) expected += (expected.empty() ? "" : ", ") + k;
      return Status::InvalidArgument("data ID key '" + key + "' is not one of {" + expected + "}");
    }
  }
  return Status::OK();
}

std::vector<std::string> Universe::DataIdKeyOrder(const std::vector<std::string>& keys) const {
  const std::set<std::string> present(keys.begin(), keys.end());
  std::set<std::string> implied;
  for (const std::string& k : present) {
    if (const DimensionElement* e = Find(k)) implied.insert(e->implies.begin(), e->implies.end());
  }
  std::vector<std::string> required_part, implied_part;
  for (const DimensionElement& e : elements_) {
    if (!present.count(e.name)) continue;
    (implied.count(e.name) ? implied_part : required_part).push_back(e.name);
  }
  required_part.insert(required_part.end(), implied_part.begin(), implied_part.end());
  return required_part;
}

const ValueType* Universe::FieldType(const DimensionElement& element, std::string_view name) const {
  if (name == element.name) return element.join ? nullptr : &element.key_type;
  for (const std::string& dep : element.required) {
    if (dep == name) return &Find(dep)->key_type;
  }
  // A relation's records hold every key it requires, however deep
  // (visit_definition: instrument through exposure and visit).
  if (element.join) {
    auto keys = RequiredKeys({element.name});
    if (keys.ok() && std::binary_search(keys->begin(), keys->end(), name)) {
      return &Find(name)->key_type;
    }
  }
  for (const std::string& dep : element.implies) {
    if (dep == name) return &Find(dep)->key_type;
  }
  for (const DimensionField& f : element.fields) {
    if (f.name == name) return &f.type;
  }
  return nullptr;
}

Result<codec::FieldMap> Universe::ParseFields(std::string_view text,
                                              const DimensionElement* element) const {
  codec::FieldMap out;
  if (text.empty()) return out;
  for (const std::string& part : SplitCommas(text)) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("expected key=value, got '" + part + "'");
    }
    const std::string key = part.substr(0, eq);
    const std::string value = part.substr(eq + 1);
    const ValueType* type = nullptr;
    if (element != nullptr) type = FieldType(*element, key);
    if (type == nullptr) {
      if (const DimensionElement* e = Find(key); e != nullptr && !e->join) type = &e->key_type;
    }
    if (type == nullptr && element != nullptr) {
      return Status::InvalidArgument("'" + key + "' is no key or field of " + element->name);
    }
    if (type == nullptr) {
      return Status::InvalidArgument("unknown dimension '" + key + "' in '" + std::string(text) +
                                     "'");
    }
    codec::FieldValue v;
    if (*type == ValueType::kInt) {
      const std::optional<int64_t> parsed = codec::ParseInt(value, codec::IntSyntax::kLikeStrtoll);
      if (!parsed) {
        return Status::InvalidArgument("'" + key + "' takes an integer, got '" + value + "'");
      }
      v = *parsed;
    } else {
      v = value;
    }
    if (!out.emplace(key, std::move(v)).second) {
      return Status::InvalidArgument("'" + key + "' given twice in '" + std::string(text) + "'");
    }
  }
  return out;
}

namespace {

// A value: its tag ('s', 'i'), then the string or the integer.
void WriteValue(KeyWriter& w, const codec::FieldValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    w.Raw(std::string_view("s", 1)).String(*s);
  } else {
    w.Raw(std::string_view("i", 1)).Int(std::get<int64_t>(value));
  }
}

Result<codec::FieldValue> ReadValue(KeyReader& r) {
  STARLOG_ASSIGN_OR_RETURN(std::string_view tag, r.Raw(1));
  if (tag == "s") {
    STARLOG_ASSIGN_OR_RETURN(std::string s, r.String());
    return codec::FieldValue(std::move(s));
  }
  if (tag == "i") {
    STARLOG_ASSIGN_OR_RETURN(int64_t v, r.Int());
    return codec::FieldValue(v);
  }
  return Status::Corruption("data ID bytes with an unknown value tag");
}

// Writes "data_id"'s value of each of "keys" with "write"; InvalidArgument
// names a key it lacks.
template <typename Write>
Result<std::string> WriteKeys(const codec::FieldMap& data_id, const std::vector<std::string>& keys,
                              Write write) {
  KeyWriter w;
  for (const std::string& key : keys) {
    auto it = data_id.find(key);
    if (it == data_id.end()) {
      return Status::InvalidArgument("data ID {" + codec::FieldMapToString(data_id) +
                                     "} is missing '" + key + "'");
    }
    write(w, key, it->second);
  }
  return w.Take();
}

void WriteField(KeyWriter& w, const std::string& key, const codec::FieldValue& value) {
  w.String(key);
  WriteValue(w, value);
}

void WriteValueOnly(KeyWriter& w, const std::string&, const codec::FieldValue& value) {
  WriteValue(w, value);
}

}  // namespace

std::string EncodeDataId(const codec::FieldMap& data_id) {
  KeyWriter w;
  for (const auto& [key, value] : data_id) WriteField(w, key, value);
  return w.Take();
}

Result<std::string> EncodeDataIdKeys(const codec::FieldMap& data_id,
                                     const std::vector<std::string>& keys) {
  return WriteKeys(data_id, keys, WriteField);
}

Result<codec::FieldMap> DecodeDataId(std::string_view bytes) {
  codec::FieldMap out;
  KeyReader r(bytes);
  while (!r.done()) {
    STARLOG_ASSIGN_OR_RETURN(std::string key, r.String());
    STARLOG_ASSIGN_OR_RETURN(codec::FieldValue value, ReadValue(r));
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

Result<std::string> EncodeDataIdValues(const codec::FieldMap& data_id,
                                       const std::vector<std::string>& keys) {
  return WriteKeys(data_id, keys, WriteValueOnly);
}

Result<codec::FieldMap> DecodeDataIdValues(std::string_view bytes,
                                           const std::vector<std::string>& keys) {
  codec::FieldMap out;
  KeyReader r(bytes);
  for (const std::string& key : keys) {
    if (r.done()) {
      return Status::Corruption("data ID bytes hold fewer values than its " +
                                std::to_string(keys.size()) + " keys");
    }
    STARLOG_ASSIGN_OR_RETURN(codec::FieldValue value, ReadValue(r));
    out.emplace_hint(out.end(), key, std::move(value));
  }
  if (!r.done()) {
    return Status::Corruption("data ID bytes hold more values than its " +
                              std::to_string(keys.size()) + " keys");
  }
  return out;
}

}  // namespace starlog::engine
