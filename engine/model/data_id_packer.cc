#include "starlog/engine/data_id_packer.h"

#include <bit>

namespace starlog::engine {

namespace {

int BitsFor(uint64_t max) { return max == 0 ? 0 : 64 - std::countl_zero(max); }

}  // namespace

Result<DataIdPacker> DataIdPacker::Create(const Universe& universe,
                                          const std::vector<std::string>& dimensions,
                                          std::vector<KeyBound> bounds) {
  DataIdPacker p;
  STARLOG_ASSIGN_OR_RETURN(p.keys_, universe.RequiredKeys(dimensions));
  for (const std::string& key : p.keys_) {
    const DimensionElement* e = universe.Find(key);
    Slot slot;
    slot.key = key;
    slot.type = e->key_type;
    const KeyBound* bound = nullptr;
    for (const KeyBound& b : bounds) {
      if (b.key == key) bound = &b;
    }
    if (slot.type == ValueType::kString) {
      if (bound == nullptr || bound->values.empty()) {
        return Status::InvalidArgument("no known values of '" + key + "' to pack it with");
      }
      slot.values = bound->values;
      for (size_t i = 0; i < slot.values.size(); ++i) slot.index.emplace(slot.values[i], i);
      slot.max = slot.values.size() - 1;
    } else {
      slot.max = bound != nullptr && bound->max != 0 ? bound->max : e->max;
      if (slot.max == 0) {
        return Status::InvalidArgument("no bound known for '" + key +
                                       "' (set max= in the universe or <element>_max on the "
                                       "instrument record)");
      }
    }
    slot.bits = BitsFor(slot.max);
    p.total_bits_ += slot.bits;
    p.slots_.push_back(std::move(slot));
  }
  if (p.total_bits_ > 64) {
    return Status::InvalidArgument("data IDs over these dimensions need " +
                                   std::to_string(p.total_bits_) + " bits, more than 64");
  }
  return p;
}

Result<uint64_t> DataIdPacker::Pack(const codec::FieldMap& data_id) const {
  uint64_t packed = 0;
  for (const Slot& slot : slots_) {
    auto it = data_id.find(slot.key);
    if (it == data_id.end())
      return Status::InvalidArgument("data ID is missing '" + slot.key + "'");
    uint64_t v = 0;
    if (slot.type == ValueType::kString) {
      const auto* s = std::get_if<std::string>(&it->second);
      if (s == nullptr) return Status::InvalidArgument("'" + slot.key + "' must be a string");
      auto found = slot.index.find(*s);
      if (found == slot.index.end()) {
        return Status::InvalidArgument("'" + slot.key + "' value '" + *s + "' is not known");
      }
      v = found->second;
    } else {
      const auto* i = std::get_if<int64_t>(&it->second);
      if (i == nullptr) return Status::InvalidArgument("'" + slot.key + "' must be an integer");
      if (*i < 0 || static_cast<uint64_t>(*i) > slot.max) {
        return Status::InvalidArgument("'" + slot.key + "' value " + std::to_string(*i) +
                                       " is outside 0.." + std::to_string(slot.max));
      }
      v = static_cast<uint64_t>(*i);
    }
    packed = slot.bits == 64 ? v : (packed << slot.bits) | v;
  }
  return packed;
}

Result<codec::FieldMap> DataIdPacker::Unpack(uint64_t packed) const {
  codec::FieldMap out;
  for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) {
    const Slot& slot = *it;
    const uint64_t mask = slot.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << slot.bits) - 1;
    const uint64_t v = packed & mask;
    packed = slot.bits == 64 ? 0 : packed >> slot.bits;
    if (v > slot.max) {
      return Status::InvalidArgument("packed value has " + std::to_string(v) + " for '" + slot.key +
                                     "', above its bound " + std::to_string(slot.max));
    }
    if (slot.type == ValueType::kString) {
      out.emplace(slot.key, slot.values[v]);
    } else {
      out.emplace(slot.key, static_cast<int64_t>(v));
    }
  }
  if (packed != 0) return Status::InvalidArgument("packed value has bits above the data ID's");
  return out;
}

Result<std::vector<uint64_t>> DataIdPacker::PackBatch(
    const std::vector<codec::FieldMap>& data_ids) const {
  std::vector<uint64_t> out;
  out.reserve(data_ids.size());
  for (const auto& d : data_ids) {
    STARLOG_ASSIGN_OR_RETURN(uint64_t v, Pack(d));
    out.push_back(v);
  }
  return out;
}

Result<std::vector<codec::FieldMap>> DataIdPacker::UnpackBatch(
    const std::vector<uint64_t>& packed) const {
  std::vector<codec::FieldMap> out;
  out.reserve(packed.size());
  for (uint64_t v : packed) {
    STARLOG_ASSIGN_OR_RETURN(codec::FieldMap d, Unpack(v));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace starlog::engine
