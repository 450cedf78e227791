#pragma once

// Packs data IDs into integers and back ("Integer-Dict Mappings" in the
// users' butler requirements), as the Gen3 butler's dimension packers do:
// the keys are the digits of a mixed-radix number, each with as many values
// as its bound allows, so for {instrument, exposure, detector} with the
// instrument fixed
//
//   packed = detector + detector_max * exposure
//
// exactly as the butler's ObservationDimensionPacker, and bits() is the bit
// length of the product of the radices (its maxBits). Keys go from the most
// significant digit in the universe's element order, except that detector is
// always the least significant (as the butler's).
//
// A packing must never change for the life of a repository, so it depends on
// declared bounds only, never on which records exist: a key fixed for the
// packer (an instrument: packing is per instrument, as the butler's) takes no
// digit and must match; an integer key has as many values as its bound; a
// string key that is not fixed takes an index into a value list the caller
// supplies and keeps stable.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/engine/universe.h"
#include "starlog/result.h"

namespace starlog::engine {

class DataIdPacker {
 public:
  struct KeyBound {
    std::string key;
    std::optional<uint64_t> max;      // Integer keys: the largest value (none: the universe's).
    std::vector<std::string> values;  // String keys not fixed: the values, in packing order.
    std::optional<codec::FieldValue> fixed;  // The one value this packer takes: no digit.
  };

  // "bounds" gives, for every required key of "dimensions", its bound (an
  // integer key without one takes the universe's "max"). InvalidArgument
  // names a key without a bound, a fixed value of the wrong type, or a
  // packing of more than 64 bits.
  static Result<DataIdPacker> Create(const Universe& universe,
                                     const std::vector<std::string>& dimensions,
                                     std::vector<KeyBound> bounds);

  // Bits the packed integer needs.
  int bits() const { return total_bits_; }
  // Every required key, fixed ones included, in packing order (most
  // significant first).
  const std::vector<std::string>& keys() const { return keys_; }
  // The fixed keys and their values.
  codec::FieldMap fixed() const;

  // InvalidArgument names a value out of bounds, a key missing, or a fixed
  // key with another value.
  Result<uint64_t> Pack(const codec::FieldMap& data_id) const;
  Result<codec::FieldMap> Unpack(uint64_t packed) const;

  Result<std::vector<uint64_t>> PackBatch(const std::vector<codec::FieldMap>& data_ids) const;
  Result<std::vector<codec::FieldMap>> UnpackBatch(const std::vector<uint64_t>& packed) const;

 private:
  struct Slot {
    std::string key;
    ValueType type = ValueType::kInt;
    uint64_t radix = 1;  // Values this digit takes: 0..radix-1.
    std::optional<codec::FieldValue> fixed;
    std::vector<std::string> values;
    std::map<std::string, uint64_t, std::less<>> index;
  };
  std::vector<std::string> keys_;
  std::vector<Slot> slots_;
  int total_bits_ = 0;
};

// Looks up the record of "element" for (the element's keys of) "data_id";
// nullopt when there is none.
using RecordLookup = std::function<Result<std::optional<codec::FieldMap>>(
    const std::string& element, const codec::FieldMap& data_id)>;

// A packer for data IDs over "dimensions" whose string keys (instrument,
// skymap) take the values in "fixed" (packing is per instrument, as the
// butler's), each naming a record "lookup" finds. An integer key's bound is
// the fixed instrument's "<key>_max" field (as the butler's: greater than
// every value), else the universe's. InvalidArgument names a string key
// left out of "fixed"; NotFound a fixed value with no record. The one
// reading of the bounds, whether the records come from a RegistryView or
// through the repository's service.
Result<DataIdPacker> MakeDataIdPacker(const Universe& universe,
                                      const std::vector<std::string>& dimensions,
                                      const codec::FieldMap& fixed, const RecordLookup& lookup);

}  // namespace starlog::engine
