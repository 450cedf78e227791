#pragma once

// The dimension universe: which dimensions exist, the type of each one's key,
// what each requires (a detector needs an instrument) and implies (an exposure
// implies a physical_filter and a day_obs), and the fields of its records.
//
// A universe is written as a config file, one element per line:
//
//   element NAME key=int|string|none [requires=A,B] [implies=C,D]
//           [fields=F:int|string,...] [max=N]
//
// key=none declares a relation between two or more elements it requires
// (visit_definition: which exposures make up a visit), as the butler's
// dimension elements that are not dimensions: its records are keyed by what
// it requires, it is never a key of a data ID, and a query over data IDs
// with every key it requires joins its records (the butler's always_join).
//
// "#" starts a comment. "max" bounds an integer key for data ID packing (an
// instrument record's field "<element>_max" overrides it). The built-in
// universe (DefaultUniverseText) follows the Gen3 butler's: instrument, band,
// physical_filter, detector, day_obs, exposure, visit_system, visit,
// visit_definition, visit_system_membership, skymap, tract, patch. A
// repository keeps the universe it was created with (its text is in event
// 1), so a later default changes only repositories created after it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/result.h"

namespace starlog::engine {

enum class ValueType : uint8_t { kInt = 1, kString = 2 };
std::string_view ValueTypeName(ValueType type);

struct DimensionField {
  std::string name;
  ValueType type = ValueType::kString;
};

struct DimensionElement {
  std::string name;
  ValueType key_type = ValueType::kInt;
  std::vector<std::string> required;   // Direct dependencies, part of every data ID.
  std::vector<std::string> implies;    // Determined by a record of this element.
  std::vector<DimensionField> fields;  // Other record fields.
  uint64_t max = 0;                    // Largest key value, for packing; 0: unknown.
  bool join = false;                   // key=none: a relation, no key of its own.
};

class Universe {
 public:
  // Parses a universe config. Returns InvalidArgument naming the line of a
  // syntax error, an unknown type, a dependency on an element not defined
  // above it, or a duplicate name.
  static Result<Universe> Parse(std::string_view text);
  // The built-in universe. An empty config text also means this one.
  static const Universe& Default();

  const std::vector<DimensionElement>& elements() const { return elements_; }
  // Null if there is no such element.
  const DimensionElement* Find(std::string_view name) const;

  // The keys of a data ID over "dimensions": the dimensions with everything
  // they require, recursively; sorted. InvalidArgument names an unknown one.
  Result<std::vector<std::string>> RequiredKeys(const std::vector<std::string>& dimensions) const;

  // A dataset type's dimensions as the butler's DimensionGroup sees them,
  // sorted: with everything they require (tract and patch bring skymap),
  // without those another of them implies (a flat's band, implied by its
  // physical_filter). Two lists with the same normal form name the same
  // data IDs. InvalidArgument names an unknown dimension.
  Result<std::vector<std::string>> NormalizeDimensions(
      const std::vector<std::string>& dimensions) const;

  // Checks that "data_id" has exactly "required_keys" (RequiredKeys of some
  // dimensions), each with its element's key type. The error names a missing,
  // extra or wrongly typed key.
  Status ValidateDataId(const std::vector<std::string>& required_keys,
                        const codec::FieldMap& data_id) const;

  // Parses "instrument=HSC,detector=50" (also with spaces after commas),
  // typing each value by its element's key type (and, for record fields of
  // "element" when given, by the field's type). InvalidArgument names the
  // offending part.
  Result<codec::FieldMap> ParseFields(std::string_view text,
                                      const DimensionElement* element = nullptr) const;

  // "keys" in the order the butler shows a data ID: the required ones (that
  // no element among "keys" implies) in the universe's order, instrument
  // first, then the implied ones (band, physical_filter, day_obs of an
  // exposure) in the universe's order. Names that are no dimension are left
  // out.
  std::vector<std::string> DataIdKeyOrder(const std::vector<std::string>& keys) const;

  // The type of key or field "name" in a record of "element", if declared.
  const ValueType* FieldType(const DimensionElement& element, std::string_view name) const;

 private:
  std::vector<DimensionElement> elements_;
};

// The built-in universe's config text.
std::string_view DefaultUniverseText();

// Canonical bytes of a data ID (or any field map): keys in sorted order, each
// followed by its typed value, order-preserving (integers sort numerically).
// Equal data IDs have equal bytes.
std::string EncodeDataId(const codec::FieldMap& data_id);
// EncodeDataId of the part of "data_id" with the given keys, which must be
// sorted; InvalidArgument names a key it lacks.
Result<std::string> EncodeDataIdKeys(const codec::FieldMap& data_id,
                                     const std::vector<std::string>& keys);
Result<codec::FieldMap> DecodeDataId(std::string_view bytes);

// A data ID as the registry's index keys hold it (format version 2,
// registry_keys.h): the values of "keys" in that order, without their names,
// which the key's context gives (a dataset type's RequiredKeys of its
// dimensions, an element's RequiredKeys). Those lists are sorted by name, as
// EncodeDataId's keys are: equal data IDs give equal bytes, and the values of
// a data ID's first keys are a prefix of the whole (what --where equality
// narrows a scan by). Each value keeps its tag byte as in EncodeDataId: one
// byte buys decoding without the universe's key types, and a key list that
// does not fit the bytes is Corruption rather than a misread value.
// InvalidArgument names a key "data_id" lacks; other keys are left out.
Result<std::string> EncodeDataIdValues(const codec::FieldMap& data_id,
                                       const std::vector<std::string>& keys);
Result<codec::FieldMap> DecodeDataIdValues(std::string_view bytes,
                                           const std::vector<std::string>& keys);

}  // namespace starlog::engine
