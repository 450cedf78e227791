#pragma once

// What the built-in translators' tests share: translating a FITS file with
// the built-in translator its header chooses, and checking the fields
// against what the reference translator gives.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "starlog/codec/time_format.h"
#include "starlog/ingest/builtin_translators.h"

namespace starlog::testutil {

inline constexpr int64_t kSecond = 1'000'000'000;

inline int64_t Iso(const char* text) { return codec::ParseIsoTime(text).value(); }

inline std::string S(const codec::FieldMap& v, const std::string& name) {
  INFO(name);
  REQUIRE(v.count(name) == 1);
  return std::get<std::string>(v.at(name));
}

inline int64_t I(const codec::FieldMap& v, const std::string& name) {
  INFO(name);
  REQUIRE(v.count(name) == 1);
  return std::get<int64_t>(v.at(name));
}

// The built-in translator that the header of "path" matches first, which
// must be "instrument"'s, and its translation of each dataset the file
// holds (one, or one per HDU).
inline std::vector<codec::FieldMap> TranslateFile(const std::string& path,
                                                  const std::string& instrument) {
  auto header = ingest::ReadFitsHeader(path);
  REQUIRE(header.ok());
  auto all = ingest::BuiltinTranslators();
  REQUIRE(all.ok());
  const ingest::Translator* chosen = nullptr;
  for (const ingest::Translator& t : *all) {
    if (t.Matches(*header)) {
      chosen = &t;
      break;
    }
  }
  REQUIRE(chosen != nullptr);
  CHECK(chosen->instrument == instrument);
  std::vector<ingest::FitsHeader> headers;
  if (chosen->PerHdu()) {
    for (auto& [hdu, h] : chosen->DatasetHeaders(ingest::ReadFitsHdus(path).value())) {
      headers.push_back(h);
    }
  } else {
    headers.push_back(*header);
  }
  std::vector<codec::FieldMap> out;
  for (const ingest::FitsHeader& h : headers) {
    auto v = chosen->Translate(h, engine::Universe::Default());
    INFO(v.status().ToString());
    REQUIRE(v.ok());
    out.push_back(*v);
  }
  return out;
}

// What a built-in translator must give for one file, field by field.
struct Expected {
  std::optional<int64_t> exposure = {}, detector = {};
  std::optional<std::string> full_name = {}, physical_filter = {}, obs_id = {},
                             observation_type = {}, observation_reason = {}, target = {},
                             program = {}, exposure_time = {};
  std::optional<int64_t> begin = {}, end = {}, day_obs = {};
  int64_t begin_within_ns = 0;  // An MJD's double holds about a microsecond.
};

inline void Expect(const codec::FieldMap& v, const Expected& e) {
  if (e.exposure) CHECK(I(v, "exposure") == *e.exposure);
  if (e.detector) CHECK(I(v, "detector") == *e.detector);
  if (e.full_name) CHECK(S(v, "detector.full_name") == *e.full_name);
  if (e.physical_filter) CHECK(S(v, "physical_filter") == *e.physical_filter);
  if (e.obs_id) CHECK(S(v, "exposure.obs_id") == *e.obs_id);
  if (e.observation_type) CHECK(S(v, "exposure.observation_type") == *e.observation_type);
  if (e.observation_reason) CHECK(S(v, "exposure.observation_reason") == *e.observation_reason);
  if (e.target) CHECK(S(v, "exposure.target_name") == *e.target);
  if (e.program) CHECK(S(v, "exposure.science_program") == *e.program);
  if (e.exposure_time) CHECK(S(v, "exposure.exposure_time") == *e.exposure_time);
  if (e.begin) CHECK(std::llabs(I(v, "exposure.timespan_begin") - *e.begin) <= e.begin_within_ns);
  if (e.end) CHECK(I(v, "exposure.timespan_end") == *e.end);
  if (e.day_obs) CHECK(I(v, "day_obs") == *e.day_obs);
}

inline std::string T(const std::string& s) { return s; }

}  // namespace starlog::testutil
