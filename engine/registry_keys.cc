#include "engine/registry_keys.h"

#include "engine/key_coder.h"

namespace starlog::engine::keys {

std::string Setting(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string Collection(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string EncodeCollection(const CollectionRecord& record) {
  std::string out(1, static_cast<char>(record.type));
  out += record.doc;
  return out;
}

Result<CollectionRecord> DecodeCollection(std::string_view payload) {
  if (payload.empty() || payload[0] < 1 || payload[0] > 4) {
    return Status::Corruption("collection entry with an unknown type");
  }
  return CollectionRecord{static_cast<codec::CollectionType>(payload[0]),
                          std::string(payload.substr(1))};
}

std::string Chain(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string EncodeChildren(const std::vector<std::string>& children) {
  KeyWriter w;
  for (const std::string& c : children) w.String(c);
  return w.Take();
}

Result<std::vector<std::string>> DecodeChildren(std::string_view payload) {
  std::vector<std::string> out;
  KeyReader r(payload);
  while (!r.done()) {
    STARLOG_ASSIGN_OR_RETURN(std::string child, r.String());
    out.push_back(std::move(child));
  }
  return out;
}

std::string ChainParentPrefix(std::string_view child) { return KeyWriter().String(child).Take(); }

std::string ChainParent(std::string_view child, std::string_view chain) {
  return KeyWriter().String(child).String(chain).Take();
}

}  // namespace starlog::engine::keys
