#pragma once

// Rows of text from CSV or JSON input files, typed by the universe: the way
// dimension records and datasets reach starlog without FITS files.
//
// JSON input is an array of objects; CSV input has a header row. Either way a
// row is a list of (column, text) pairs, and TypeFields turns the columns the
// universe knows into typed values.

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/engine/universe.h"
#include "starlog/result.h"

namespace starlog::ingest {

using TextRow = std::vector<std::pair<std::string, std::string>>;

// Parses "text" as JSON (an array of flat objects) when "json" is true, else
// as CSV. InvalidArgument says where the input is malformed.
Result<std::vector<TextRow>> ReadTextRows(std::string_view text, bool json);

// Types the columns of "row" by "element"'s keys and fields (or, without an
// element, as data ID dimensions). Columns named in "extra" are skipped and
// left to the caller. InvalidArgument names an unknown column or a value of
// the wrong type, with the row number "row_number".
Result<codec::FieldMap> TypeFields(const engine::Universe& universe,
                                   const engine::DimensionElement* element, const TextRow& row,
                                   const std::set<std::string>& extra, size_t row_number);

}  // namespace starlog::ingest
