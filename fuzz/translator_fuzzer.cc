// Fuzz target: translator configs (ingest --translator), and translating a
// fixed header with whatever parses: matching, working keywords (patterns,
// arithmetic, lookups, conditions), values, times and per-HDU headers.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "starlog/ingest/translator.h"

namespace {

using starlog::ingest::FitsCard;

FitsCard Text(const char* s) { return {FitsCard::Kind::kString, s, 0, 0}; }
FitsCard Int(int64_t i) { return {FitsCard::Kind::kInt, std::to_string(i), i, double(i)}; }
FitsCard Float(double x) { return {FitsCard::Kind::kFloat, std::to_string(x), 0, x}; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 12) return 0;
  auto t = starlog::ingest::ParseTranslator(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.cfg");
  if (!t.ok()) return 0;
  starlog::ingest::FitsHeader header = {
      {"INSTRUME", Text("FakeCam")},
      {"EXPNUM", Int(12)},
      {"DATE-OBS", Text("2024-03-02T03:04:05")},
      {"DATE", Text("2024-02-29")},
      {"UT-STR", Text("23:59:60.5")},
      {"MJD-OBS", Float(60371.25)},
      {"EXPTIME", Float(1e300)},
      {"SHUTTIME", Float(-1)},
      {"EXP-ID", Text("HSCA90333400")},
      {"DAYOBS", Text("20240302")},
      {"SEQNUM", Int(9223372036854775807)},
      {"ESO DPR CATG", Text("BIAS frame")},
      {"TIMESYS", Text("TT")},
  };
  (void)t->Matches(header);
  (void)t->Translate(header, starlog::engine::Universe::Default());
  if (t->PerHdu()) {
    for (const auto& [hdu, h] : t->DatasetHeaders({header, header, {}})) {
      (void)t->Translate(h, starlog::engine::Universe::Default());
    }
  }
  return 0;
}
