#pragma once

// Real FITS files for tests, written by cfitsio: a small 16-bit image with
// the header cards given. Names ending in ".gz" are gzip-compressed by
// cfitsio on close; "tile_compress" writes a tile-compressed image (.fz),
// whose primary header holds nothing but structure. Strings past 68
// characters go over CONTINUE cards; keys past 8 characters or with spaces
// are written as HIERARCH cards.

#include <string>
#include <variant>
#include <vector>

namespace starlog::testutil {

// A card's value; std::monostate writes the keyword without a value (as a
// header's null), unlike the empty string ''.
struct Card {
  std::string key;
  std::variant<std::string, long long, double, std::monostate> value;
};

// Unix compress (.Z) of "in", which cfitsio reads (and nothing on a Debian
// base can write): literal 9-bit codes only, with a CLEAR every 254 codes so
// the code width never grows, padded as decoders expect after a CLEAR.
std::string CompressZ(const std::string& in);

// Throws std::runtime_error naming cfitsio's complaint on failure. A name
// ending in ".Z" is written plain, then compressed with CompressZ.
void WriteFits(const std::string& path, const std::vector<Card>& cards, bool tile_compress = false);

// A file with a detector per HDU, as DECam and MegaPrime write them: a
// primary HDU without data holding "primary", then one 16 x 16 image
// extension per element of "extensions" with its cards.
void WriteMultiExtensionFits(const std::string& path, const std::vector<Card>& primary,
                             const std::vector<std::vector<Card>>& extensions);

// A raw frame of a fake camera, as an observatory would write it.
std::vector<Card> RawCards(const std::string& instrument, long long exposure, long long detector,
                           const std::string& filter, const std::string& type,
                           const std::string& date_obs, double exptime);

}  // namespace starlog::testutil
