#pragma once

// Per-observation correction files, as astro_metadata_translator's
// fix_header and obs_lsst's corrections/ folder ship them: a file named
// "<instrument>-<obs_id>.yaml" holding "KEY: value" lines, each replacing
// (or adding) a header keyword before the header is translated; "KEY: null"
// removes it. Values: 'quoted' or "quoted" text, integers, floats, true or
// false, else the text as it stands. Anything else (lists, nesting) is an
// error naming the file and line.

#include <string>
#include <vector>

#include "starlog/ingest/fits_header.h"
#include "starlog/result.h"

namespace starlog::ingest {

inline constexpr size_t kMaxCorrectionFileBytes = 1 << 20;

// The correction file for "obs_id" of "instrument" in the first of "dirs"
// that has one, applied to "*header". Returns the file's path, or "" if no
// folder has one (then "*header" is untouched).
Result<std::string> ApplyCorrections(const std::vector<std::string>& dirs,
                                     const std::string& instrument, const std::string& obs_id,
                                     FitsHeader* header);

// Parses a correction file's text ("name" for errors) and applies it.
Status ParseCorrections(std::string_view text, const std::string& name, FitsHeader* header);

}  // namespace starlog::ingest
