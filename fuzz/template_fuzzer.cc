// Fuzz target: file templates (ingest --template, link --template) and the
// paths they make. A path must stay inside the repository: never absolute,
// never with an empty, "." or ".." component.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "starlog/ingest/file_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 12) return 0;
  auto t = starlog::ingest::FileTemplate::Parse(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!t.ok()) return 0;
  const starlog::codec::FieldMap values = {{"run", std::string("HSC/raw/all")},
                                           {"datasetType", std::string("raw")},
                                           {"instrument", std::string("../..")},
                                           {"exposure", int64_t{903334}},
                                           {"detector", int64_t{-7}}};
  auto path = t->Format(values, ".fits");
  if (!path.ok()) return 0;
  const std::string& p = *path;
  if (p.empty() || p.front() == '/' || p.back() == '/') std::abort();
  size_t begin = 0;
  while (begin <= p.size()) {
    size_t end = p.find('/', begin);
    if (end == std::string::npos) end = p.size();
    const std::string_view part(p.data() + begin, end - begin);
    if (part.empty() || part == "." || part == "..") std::abort();
    begin = end + 1;
  }
  return 0;
}
