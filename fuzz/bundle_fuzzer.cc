// Fuzz target: a bundle as import reads it before it looks at a repository
// or a file, against the default universe: the whole input as a version 1
// or 2 bundle.json (ingest/bundle_content.h), and as a version 3
// bundle.jsonl (ingest/bundle_lines.h), the header then each line by
// itself, with the dataset types read so far.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "ingest/bundle_content.h"
#include "ingest/bundle_lines.h"
#include "starlog/engine/universe.h"

using namespace starlog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const engine::Universe& universe = engine::Universe::Default();
  static_cast<void>(ingest::internal::ParseBundle(text, universe));

  ingest::internal::TypeKeys keys;
  size_t begin = 0;
  for (uint64_t number = 1; begin < text.size(); ++number) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (number == 1) {
      static_cast<void>(ingest::internal::ReadBundleHeader(line));
      continue;
    }
    auto read = ingest::internal::ReadBundleLine(line, number, universe, keys);
    if (!read.ok()) continue;
    if (const auto* type = std::get_if<codec::RegisterDatasetType>(&*read)) {
      keys[type->name] = universe.RequiredKeys(type->dimensions).value();
    } else if (const auto* record = std::get_if<ingest::internal::BundleRecord>(&*read)) {
      static_cast<void>(ingest::internal::RecordKey(universe, record->element, record->record));
    } else if (const auto* d = std::get_if<ingest::internal::BundleDataset>(&*read)) {
      static_cast<void>(ingest::internal::DatasetOrderKey(d->dataset_type, d->data_id, d->run));
    }
  }
  return 0;
}
