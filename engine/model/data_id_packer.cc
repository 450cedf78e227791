#include "starlog/engine/data_id_packer.h"

#include <algorithm>
#include <bit>

namespace starlog::engine {

namespace {

// The keys in packing order: the universe's element order, detector last.
std::vector<std::string> PackingOrder(const Universe& universe, std::vector<std::string> keys) {
  const auto rank = [&](const std::string& key) {
    if (key == "detector") return universe.elements().size();
    for (size_t i = 0; i < universe.elements().size(); ++i) {
      if (universe.elements()[i].name == key) return i;
    }
    return universe.elements().size();
  };
  std::stable_sort(keys.begin(), keys.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  return keys;
}

std::string Shown(const codec::FieldValue& v) { return codec::FieldValueToString(v); }

}  // namespace

Result<DataIdPacker> DataIdPacker::Create(const Universe& universe,
                                          const std::vector<std::string>& dimensions,
                                          std::vector<KeyBound> bounds) {
  DataIdPacker p;
  STARLOG_ASSIGN_OR_RETURN(auto required, universe.RequiredKeys(dimensions));
  p.keys_ = PackingOrder(universe, std::move(required));
  unsigned __int128 product = 1;
  for (const std::string& key : p.keys_) {
    const DimensionElement* e = universe.Find(key);
    Slot slot;
    slot.key = key;
    slot.type = e->key_type;
    const KeyBound* bound = nullptr;
    for (const KeyBound& b : bounds) {
      if (b.key == key) bound = &b;
    }
    if (bound != nullptr && bound->fixed) {
      const bool is_string = std::holds_alternative<std::string>(*bound->fixed);
      if (is_string != (slot.type == ValueType::kString) ||
          (!is_string && !std::holds_alternative<int64_t>(*bound->fixed))) {
        return Status::InvalidArgument(
            "fixed '" + key + "' must be " +
            (slot.type == ValueType::kString ? "a string" : "an integer"));
      }
      slot.fixed = bound->fixed;
    } else if (slot.type == ValueType::kString) {
      if (bound == nullptr || bound->values.empty()) {
        return Status::InvalidArgument("no known values of '" + key + "' to pack it with");
      }
      slot.values = bound->values;
      for (size_t i = 0; i < slot.values.size(); ++i) slot.index.emplace(slot.values[i], i);
      slot.radix = slot.values.size();
    } else {
      const bool declared = bound != nullptr && bound->max.has_value();
      const uint64_t max = declared ? *bound->max : e->max;
      if (!declared && max == 0) {
        return Status::InvalidArgument("no bound known for '" + key +
                                       "' (set max= in the universe or <element>_max on the "
                                       "instrument record)");
      }
      if (max == UINT64_MAX) return Status::InvalidArgument("'" + key + "' bound too large");
      slot.radix = max + 1;
    }
    product *= slot.radix;
    // The bit length of the product must fit: at most 64 bits.
    if (product >> 64 != 0) {
      return Status::InvalidArgument("data IDs over these dimensions need more than 64 bits");
    }
    p.slots_.push_back(std::move(slot));
  }
  // The butler's maxBits: the bit length of the product.
  p.total_bits_ = 64 - std::countl_zero(static_cast<uint64_t>(product));
  return p;
}

codec::FieldMap DataIdPacker::fixed() const {
  codec::FieldMap out;
  for (const Slot& slot : slots_) {
    if (slot.fixed) out.emplace(slot.key, *slot.fixed);
  }
  return out;
}

Result<uint64_t> DataIdPacker::Pack(const codec::FieldMap& data_id) const {
  uint64_t packed = 0;
  for (const Slot& slot : slots_) {
    auto it = data_id.find(slot.key);
    if (it == data_id.end())
      return Status::InvalidArgument("data ID is missing '" + slot.key + "'");
    if (slot.fixed) {
      if (it->second != *slot.fixed) {
        return Status::InvalidArgument("'" + slot.key + "' is " + Shown(it->second) +
                                       "; this packer packs data IDs of " + slot.key + " " +
                                       Shown(*slot.fixed) + " only");
      }
      continue;
    }
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
      if (*i < 0 || static_cast<uint64_t>(*i) >= slot.radix) {
        return Status::InvalidArgument("'" + slot.key + "' value " + std::to_string(*i) +
                                       " is outside 0.." + std::to_string(slot.radix - 1));
      }
      v = static_cast<uint64_t>(*i);
    }
    // Cannot overflow: the product of the radices fits (Create).
    packed = packed * slot.radix + v;
  }
  return packed;
}

Result<codec::FieldMap> DataIdPacker::Unpack(uint64_t packed) const {
  codec::FieldMap out;
  for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) {
    const Slot& slot = *it;
    if (slot.fixed) {
      out.emplace(slot.key, *slot.fixed);
      continue;
    }
    const uint64_t v = packed % slot.radix;
    packed /= slot.radix;
    if (slot.type == ValueType::kString) {
      out.emplace(slot.key, slot.values[v]);
    } else {
      out.emplace(slot.key, static_cast<int64_t>(v));
    }
  }
  if (packed != 0) {
    return Status::InvalidArgument("packed value is larger than any data ID this packer makes");
  }
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

Result<DataIdPacker> MakeDataIdPacker(const Universe& universe,
                                      const std::vector<std::string>& dimensions,
                                      const codec::FieldMap& fixed, const RecordLookup& lookup) {
  STARLOG_ASSIGN_OR_RETURN(auto key_names, universe.RequiredKeys(dimensions));
  for (const auto& [key, value] : fixed) {
    if (std::find(key_names.begin(), key_names.end(), key) == key_names.end()) {
      return Status::InvalidArgument("'" + key + "' is not a key of these dimensions");
    }
  }
  // The records the fixed values name: the instrument's bounds its keys.
  std::optional<codec::FieldMap> instrument;
  for (const auto& [key, value] : fixed) {
    STARLOG_ASSIGN_OR_RETURN(auto record, lookup(key, fixed));
    if (!record) {
      return Status::NotFound("no " + key + " record " + codec::FieldValueToString(value));
    }
    if (key == "instrument") instrument = std::move(record);
  }
  std::vector<DataIdPacker::KeyBound> bounds;
  for (const std::string& key : key_names) {
    const DimensionElement* e = universe.Find(key);
    DataIdPacker::KeyBound bound{key, std::nullopt, {}, std::nullopt};
    if (auto it = fixed.find(key); it != fixed.end()) {
      bound.fixed = it->second;
    } else if (e->key_type == ValueType::kString) {
      // A list of known values would change as records arrive, and with it
      // every packed id: a string key must be fixed.
      return Status::InvalidArgument("packing is per " + key + " (as the butler's): give the " +
                                     key + " whose data IDs to pack");
    } else if (instrument) {
      // The butler's "<key>_max": greater than every value.
      auto it = instrument->find(key + "_max");
      if (it != instrument->end() && std::holds_alternative<int64_t>(it->second)) {
        const int64_t max = std::get<int64_t>(it->second);
        if (max < 1) {
          return Status::InvalidArgument(
              "instrument " + codec::FieldValueToString(fixed.at("instrument")) + " has " + key +
              "_max " + std::to_string(max) + ": no " + key + " can be packed");
        }
        bound.max = static_cast<uint64_t>(max) - 1;
      }
    }
    bounds.push_back(std::move(bound));
  }
  return DataIdPacker::Create(universe, dimensions, std::move(bounds));
}

}  // namespace starlog::engine
