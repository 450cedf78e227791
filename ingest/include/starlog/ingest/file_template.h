#pragma once

// File templates: where a dataset's file goes, relative to the repository
// root, e.g.
//
//   {run}/{datasetType}/{day_obs}/{exposure:08d}/{instrument}_{physical_filter}_{detector:03d}
//
// A field is {name} or {name:SPEC}; SPEC is a width and "d" for integers
// ("08d": zero-padded to 8), and a trailing "?" makes the field optional: if
// the value is missing, the field goes, with one separator (_ - .) before it,
// and a path component left empty goes too. Values come from the data ID,
// its implied dimensions, "run" and "datasetType"; a "/" inside a value other
// than run's becomes "_". Without an extension in the template, the source
// file's (".fits", ".fits.fz", ...) is added.

#include <string>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/result.h"

namespace starlog::ingest {

class FileTemplate {
 public:
  // InvalidArgument for an unclosed brace, an empty name or a bad spec.
  static Result<FileTemplate> Parse(std::string_view text);

  const std::string& text() const { return text_; }

  // The path for "values". InvalidArgument names a required field that is
  // missing, and the template; or says why the path the values make is not
  // an artifact path (engine::ValidateRelativePath: a value that climbs out with
  // "..", leads into .starlog, or holds control characters).
  Result<std::string> Format(const codec::FieldMap& values,
                             const std::string& extension = "") const;

  // OK if every key in "required_keys" and "run" appear as required fields,
  // so two datasets of one type never share a path; else InvalidArgument
  // naming what is missing.
  Status CheckUnique(const std::vector<std::string>& required_keys) const;

 private:
  struct Part {
    std::string literal;  // When "field" is empty.
    std::string field;
    int width = 0;
    bool zero_pad = false;
    bool integer = false;
    bool optional = false;
  };
  static Part Literal(std::string_view text) {
    Part p;
    p.literal = std::string(text);
    return p;
  }
  std::string text_;
  std::vector<Part> parts_;
};

// The built-in template, after the Gen3 butler's default.
inline constexpr char kDefaultFileTemplate[] =
    "{run}/{datasetType}/{band:?}/{day_obs:?}/{physical_filter:?}/"
    "{datasetType}_{instrument:?}_{exposure:?}_{visit:?}_{detector:?}_{tract:?}_{patch:?}";

// The extension of a file name: ".fits", ".fits.fz", ".fits.gz", ".fz", or
// whatever follows the first dot of the name.
std::string FileExtension(const std::string& path);

}  // namespace starlog::ingest
