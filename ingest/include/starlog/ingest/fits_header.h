#pragma once

// FITS headers, as cfitsio reads them: plain files, gzip (.gz) and Unix
// compress (.Z) files (decompressed in memory), and tile-compressed images
// (.fz), whose primary header is nearly empty and whose keywords live in the
// first extension.
//
// Every HDU's cards are read whole: a string continued over CONTINUE cards
// (the FITS long-string convention, as fits_read_key_longstr joins them) is
// one value, and a HIERARCH card ("HIERARCH ESO DPR CATG = 'BIAS'") is the
// keyword "ESO DPR CATG" (in upper case, as every keyword is by the
// standard); COMMENT, HISTORY and blank cards are left out.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "starlog/result.h"

namespace starlog::ingest {

struct FitsCard {
  enum class Kind { kString, kInt, kFloat, kBool, kOther };
  Kind kind = Kind::kOther;
  std::string text;  // A string's value (unquoted, trailing blanks trimmed), else as written.
  int64_t integer = 0;
  double number = 0;
};

using FitsHeader = std::map<std::string, FitsCard>;

// The header translators read: the primary HDU's keywords, then those of the
// first extension that the primary lacks. InvalidArgument naming the file
// and cfitsio's reason if it is not a readable FITS file; NotFound if it
// does not exist.
Result<FitsHeader> ReadFitsHeader(const std::string& path);

// Each HDU's own keywords, the primary first (at most kMaxHdus). Errors as
// ReadFitsHeader; a truncated extension header is InvalidArgument.
inline constexpr size_t kMaxHdus = 1000;
Result<std::vector<FitsHeader>> ReadFitsHdus(const std::string& path);

// The same as ReadFitsHeader and ReadFitsHdus, from bytes in memory
// (uncompressed FITS), read as a file holding them is; "name" names it in
// errors. Needs /proc (the bytes are read through a memfd).
Result<FitsHeader> ParseFitsHeader(std::string_view bytes, const std::string& name);
Result<std::vector<FitsHeader>> ParseFitsHdus(std::string_view bytes, const std::string& name);

// A card's value as written after "= " (quoted string, number, T/F), typed.
FitsCard ParseFitsValue(const std::string& raw);

}  // namespace starlog::ingest
