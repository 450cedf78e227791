#pragma once

// Packs data IDs into integers and back ("Integer-Dict Mappings" in the
// users' butler requirements): each key gets the bits its largest value
// needs, and the packed integer is the keys' values side by side, in sorted
// key order, the last key in the lowest bits.
//
// Integer keys are bounded by the universe's "max" for their element, or by
// the instrument record's "<element>_max" field where the caller supplies one.
// String keys (instrument, skymap, band, ...) are packed as an index into a
// list of their known values, which the caller supplies; keep the list's order
// stable (starlog uses the order records were inserted in).

#include <cstdint>
#include <map>
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
    uint64_t max = 0;                 // Integer keys: the largest value.
    std::vector<std::string> values;  // String keys: the values, in packing order.
  };

  // "bounds" gives, for every required key of "dimensions", its bound. Returns
  // InvalidArgument naming a key without a bound, or when the total exceeds 64 bits.
  static Result<DataIdPacker> Create(const Universe& universe,
                                     const std::vector<std::string>& dimensions,
                                     std::vector<KeyBound> bounds);

  // Bits the packed integer needs.
  int bits() const { return total_bits_; }
  const std::vector<std::string>& keys() const { return keys_; }

  // InvalidArgument names a value out of bounds or a key missing.
  Result<uint64_t> Pack(const codec::FieldMap& data_id) const;
  Result<codec::FieldMap> Unpack(uint64_t packed) const;

  Result<std::vector<uint64_t>> PackBatch(const std::vector<codec::FieldMap>& data_ids) const;
  Result<std::vector<codec::FieldMap>> UnpackBatch(const std::vector<uint64_t>& packed) const;

 private:
  struct Slot {
    std::string key;
    ValueType type = ValueType::kInt;
    int bits = 0;
    uint64_t max = 0;
    std::vector<std::string> values;
    std::map<std::string, uint64_t, std::less<>> index;
  };
  std::vector<std::string> keys_;
  std::vector<Slot> slots_;
  int total_bits_ = 0;
};

}  // namespace starlog::engine
