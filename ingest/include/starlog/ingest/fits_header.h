#pragma once

// FITS headers, as cfitsio reads them: plain files, gzip (.gz) and Unix
// compress (.Z) files (decompressed in memory), and tile-compressed images
// (.fz), whose primary header is nearly empty and whose keywords live in the
// first extension. The header returned is the primary HDU's keywords, then
// those of the first extension that the primary lacks.

#include <map>
#include <optional>
#include <string>

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

// InvalidArgument naming the file and cfitsio's reason if it is not a
// readable FITS file; NotFound if it does not exist.
Result<FitsHeader> ReadFitsHeader(const std::string& path);

// The same, from bytes in memory (uncompressed FITS); "name" names it in errors.
Result<FitsHeader> ParseFitsHeader(std::string_view bytes, const std::string& name);

}  // namespace starlog::ingest
