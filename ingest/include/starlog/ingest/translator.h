#pragma once

// Translator rules: how one instrument's FITS headers become a data ID and
// dimension records. One small config file per instrument, one rule a line:
//
//   instrument FakeCam                  # the instrument key of what it reads
//   match INSTRUME FakeCam              # files whose INSTRUME is this (case-insensitive)
//   dataset_type raw                    # what its files are (default raw)
//   value exposure EXPNUM               # a key or record field from a keyword
//   value detector CCDNUM
//   value physical_filter FILTER
//   value band FILTER map=FakeCam-R:r,FakeCam-I:i
//   value exposure.observation_type IMGTYPE lower
//   value exposure.target_name OBJECT optional
//   constant instrument.class_name fake.FakeCam
//   timespan exposure DATE-OBS EXPTIME  # exposure.timespan_begin/end, TAI ns
//   day_obs DATE-OBS -12                # day_obs: the date of DATE-OBS shifted by hours
//
// A bare name is a dimension's key; "element.field" a record field. Values
// are typed by the universe. A keyword a non-optional rule needs and the
// header lacks makes the file's translation fail, naming the keyword.

#include <map>
#include <string>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/engine/universe.h"
#include "starlog/ingest/fits_header.h"
#include "starlog/result.h"

namespace starlog::ingest {

struct ValueRule {
  std::string name;     // "exposure" or "exposure.observation_type".
  std::string keyword;  // FITS keyword.
  bool optional = false;
  bool lower = false;
  bool upper = false;
  std::map<std::string, std::string> map;  // Header value -> value; others pass.
};

struct Translator {
  std::string source;  // The file it came from, for messages.
  std::string instrument;
  std::string match_keyword;
  std::string match_value;
  std::string dataset_type = "raw";
  std::vector<ValueRule> values;
  std::vector<std::pair<std::string, std::string>> constants;
  std::string timespan_element;  // Empty: no timespan rule.
  std::string timespan_begin_keyword;
  std::string timespan_exptime_keyword;
  std::string day_obs_keyword;  // Empty: no day_obs rule.
  int day_obs_offset_hours = 0;

  // Whether "header" is this instrument's.
  bool Matches(const FitsHeader& header) const;
  // Every named value (keys and "element.field"s) of one file, typed by
  // "universe". InvalidArgument names a missing keyword or a bad value.
  Result<codec::FieldMap> Translate(const FitsHeader& header,
                                    const engine::Universe& universe) const;
};

// Parses a translator config ("source" names it in errors). InvalidArgument
// names the line of an error.
Result<Translator> ParseTranslator(std::string_view text, const std::string& source);

}  // namespace starlog::ingest
