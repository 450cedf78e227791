#pragma once

// Logical keys and payloads of the registry's index families. Keys are built
// with KeyWriter (key_coder.h); payloads are written here once.
//
//   settings      String(name)                           -> bytes
//   collections   String(name)                           -> type(u8) doc
//   chains        String(chain)                          -> children (String each)
//   chain_parents String(child) String(chain)            -> ""

#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::engine::keys {

inline constexpr std::string_view kUniverseSetting = "universe";

std::string Setting(std::string_view name);

std::string Collection(std::string_view name);
struct CollectionRecord {
  codec::CollectionType type = codec::CollectionType::kRun;
  std::string doc;
};
std::string EncodeCollection(const CollectionRecord& record);
Result<CollectionRecord> DecodeCollection(std::string_view payload);

std::string Chain(std::string_view name);
std::string EncodeChildren(const std::vector<std::string>& children);
Result<std::vector<std::string>> DecodeChildren(std::string_view payload);

std::string ChainParentPrefix(std::string_view child);
std::string ChainParent(std::string_view child, std::string_view chain);

}  // namespace starlog::engine::keys
