// Fuzz target: FITS headers, as ingest reads them from files anyone may drop
// into an incoming folder. Reading must fail cleanly or give a header whose
// every card is internally consistent, for the merged header and each HDU's.

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
  const auto check = [](const starlog::ingest::FitsHeader& h) {
    for (const auto& [key, card] : h) {
      if (key.empty()) std::abort();
      if (card.kind == starlog::ingest::FitsCard::Kind::kBool && card.integer > 1) std::abort();
    }
  };
  check(*header);
  // Every HDU, as a file with a detector per HDU is read.
  auto hdus = starlog::ingest::ParseFitsHdus(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.fits");
  if (!hdus.ok()) return 0;
  if (hdus->empty() || hdus->size() > starlog::ingest::kMaxHdus) std::abort();
  for (const auto& h : *hdus) check(h);
  return 0;
}
