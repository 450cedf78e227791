// Which dataset types a collection holds: the butler keeps collection
// summaries for this; starlog's membership keys already start with the
// collection and then the dataset type (registry_keys.h), so the types are
// found by one seek each, skipping every dataset of a type at once. Exact,
// never a superset, and nothing extra to maintain on the apply path.

#include <set>

#include "engine/query/registry_view_impl.h"
#include "engine/store/key_coder.h"
#include "starlog/codec/text.h"

namespace starlog::engine {

namespace {

// The first string after every string that starts with "prefix".
std::string PastPrefix(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// The types in "family" under "prefix" (S(collection)), whose keys go on
// with S(type): one seek per type with a live entry.
Status TypesUnder(const IndexReader& reader, Family family, const std::string& prefix,
                  std::set<std::string>& out) {
  std::string start = prefix;
  while (true) {
    std::optional<std::string> type;
    Status decode;
    STARLOG_RETURN_IF_ERROR(
        reader.ScanFrom(family, prefix, start, [&](std::string_view key, std::string_view) {
          KeyReader r(key);
          auto collection = r.String();
          auto t = collection.ok() ? r.String() : Result<std::string>(collection.status());
          if (!t.ok()) {
            decode = Status::Corruption("membership key: " + t.status().ToString());
          } else {
            type = std::move(*t);
          }
          return false;
        }));
    STARLOG_RETURN_IF_ERROR(decode);
    if (!type) return Status::OK();
    start = PastPrefix(prefix + KeyWriter().String(*type).Take());
    out.insert(std::move(*type));
  }
}

}  // namespace

Result<std::vector<std::string>> RegistryView::DatasetTypesIn(
    const std::vector<std::string>& collections) const {
  STARLOG_ASSIGN_OR_RETURN(auto members, ResolveSearchPath(collections));
  const IndexReader reader = impl_->reader();
  std::set<std::string> types;
  for (const std::string& name : members) {
    STARLOG_ASSIGN_OR_RETURN(auto member, GetCollection(name));
    if (!member) return Status::NotFound("no collection " + codec::Quoted(name));
    switch (member->type) {
      case codec::CollectionType::kRun:
        STARLOG_RETURN_IF_ERROR(
            TypesUnder(reader, Family::kDatasets, keys::DatasetPrefix(name), types));
        break;
      case codec::CollectionType::kTagged:
        STARLOG_RETURN_IF_ERROR(TypesUnder(reader, Family::kTags, keys::TagPrefix(name), types));
        break;
      case codec::CollectionType::kCalibration:
        STARLOG_RETURN_IF_ERROR(
            TypesUnder(reader, Family::kCalibrations, keys::CalibrationPrefix(name), types));
        break;
      case codec::CollectionType::kChained:
        break;  // ResolveSearchPath gives no chains.
    }
  }
  return std::vector<std::string>(types.begin(), types.end());
}

}  // namespace starlog::engine
