#pragma once

// Version 3 of a bundle's registry state: bundle.jsonl, JSON Lines, written
// and read a line at a time so that neither side holds the whole of it.
//
//   bundle.jsonl := header entry* trailer      each line ends with "\n"
//   header  := {"format": "starlog-bundle", "version": 3,
//               "source_repository": UUID, "source_sequence": N,
//               "counts": {"dataset_types", "collections", "chains",
//                          "dimension_records", "datasets"}}
//   entry   := {KIND: {...}}, the kinds in this order:
//     "dataset_type":     {"name", "dimensions", "storage_class", "is_calibration"}
//     "collection":       {"name", "type", "doc"}    every type; CHAINED empty
//     "chain":            {"name", "children": [...]}
//     "dimension_record": {"element", "record": {FIELD: VALUE}}
//                         universe order, then by key; each key once
//     "dataset":          {"id", "dataset_type", "run", "data_id",
//                          "path", "size", "checksum", "hdu",   # no path: no file
//                          "tagged": [COLLECTION...],
//                          "certified": [{"collection", "begin", "end"}]}
//                         by dataset type, then data ID (engine::EncodeDataId),
//                         then RUN: one (type, data ID) a run of lines
//   trailer := {"end": "starlog-bundle", "lines": N, "xxh3_128": HEX}
//              N: the lines before it; HEX: XXH3-128 of all their bytes
//
// Each line is at most kMaxBundleLineBytes. Validity bounds are TAI ns,
// null unbounded. A dataset carries its own memberships, so that every
// rule of one data ID (one dataset per RUN or TAGGED collection, no two
// overlapping validity ranges in a CALIBRATION collection) is checked
// within its run of lines.

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "starlog/codec/hash.h"
#include "starlog/result.h"

namespace starlog::ingest::internal {

inline constexpr size_t kMaxBundleLineBytes = size_t{1} << 20;
inline constexpr char kBundleLinesFile[] = "bundle.jsonl";

// Writes bundle.jsonl a line at a time, summing what it writes. Not
// thread-safe.
class BundleLineWriter {
 public:
  // IOError if "path" cannot be created.
  static Result<std::unique_ptr<BundleLineWriter>> Create(const std::string& path);

  // "line" is one JSON document without a newline, at most
  // kMaxBundleLineBytes (InvalidArgument otherwise: a reader would refuse it).
  Status Write(std::string_view line);
  // Writes the trailer and flushes; IOError if any write failed.
  Status Finish();

 private:
  explicit BundleLineWriter(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::ofstream out_;
  codec::Xxh3Wide sum_;
  uint64_t lines_ = 0;
};

// The lines of a file, one at a time, none longer than kMaxBundleLineBytes,
// read through a fixed buffer. Not thread-safe.
class BundleLineReader {
 public:
  // InvalidArgument if "path" is not a regular file; IOError if it cannot
  // be opened.
  static Result<std::unique_ptr<BundleLineReader>> Open(const std::string& path);

  // The next line, without its newline, into "*line"; false at the end.
  // InvalidArgument "bundle line N: ..." for a line over the bound or one
  // the file ends in without a newline.
  Result<bool> Next(std::string* line);
  // The number of the line Next returned last (from 1).
  uint64_t line_number() const { return number_; }

 private:
  BundleLineReader() = default;

  std::ifstream in_;
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t number_ = 0;
};

// Reads the whole file once: every line within the bound, the last a
// trailer whose count and XXH3-128 are those of the lines before it.
// Returns that count. InvalidArgument names the line that is too long, a
// file that ends without its trailer (truncated), or a trailer that does
// not match (altered).
Result<uint64_t> VerifyBundleLines(const std::string& path);

// The trailer line (without newline) of lines summing to "sum".
std::string BundleTrailer(uint64_t lines, const codec::Hash128& sum);

}  // namespace starlog::ingest::internal
