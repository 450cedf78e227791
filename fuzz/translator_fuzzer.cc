// Fuzz target: translator configs (ingest --translator), and translating a
// fixed header with whatever parses.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "starlog/ingest/translator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 12) return 0;
  auto t = starlog::ingest::ParseTranslator(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.cfg");
  if (!t.ok()) return 0;
  starlog::ingest::FitsHeader header;
  header["INSTRUME"] = {starlog::ingest::FitsCard::Kind::kString, "FakeCam", 0, 0};
  header["EXPNUM"] = {starlog::ingest::FitsCard::Kind::kInt, "12", 12, 12};
  header["DATE-OBS"] = {starlog::ingest::FitsCard::Kind::kString, "2024-03-02T03:04:05", 0, 0};
  header["EXPTIME"] = {starlog::ingest::FitsCard::Kind::kFloat, "1e300", 0, 1e300};
  (void)t->Matches(header);
  (void)t->Translate(header, starlog::engine::Universe::Default());
  return 0;
}
