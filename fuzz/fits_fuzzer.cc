// Fuzz target: FITS headers, as ingest reads them from files anyone may drop
// into an incoming folder. Reading must fail cleanly or give a header whose
// every card is internally consistent.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/ingest/fits_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  auto header = starlog::ingest::ParseFitsHeader(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.fits");
  if (!header.ok()) return 0;
  for (const auto& [key, card] : *header) {
    if (key.empty()) std::abort();
    if (card.kind == starlog::ingest::FitsCard::Kind::kBool && card.integer > 1) std::abort();
  }
  return 0;
}
