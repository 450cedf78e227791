#pragma once

// A parsed translator (translator.h): its rules as ParseTranslator
// (translator.cc) reads them and Translator::Translate (translator_apply.cc)
// applies them.

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "ingest/header_condition.h"
#include "ingest/header_time.h"
#include "ingest/int_expression.h"

namespace starlog::ingest {

// Where a rule was written, for errors: "hsc.cfg line 12 (value exposure EXPID)".
struct RuleSite {
  int line = 0;
  std::string text;
};

// A rule that writes a working keyword.
struct WorkingRule {
  enum class Kind { kSet, kJoin, kPattern, kCompute, kLookup };
  Kind kind = Kind::kSet;
  RuleSite site;
  std::string out;                  // The keyword written (pattern: unused).
  std::string text;                 // set: the value template; join: the separator.
  std::string input;                // pattern, lookup: the keyword read.
  std::vector<std::string> inputs;  // join: the keywords; pattern: the capture keywords.
  std::shared_ptr<const std::regex> regex;
  std::string table;     // lookup
  bool or_keep = false;  // lookup: a value not in the table is kept as it is.
  IntExpression expression;
  HeaderCondition when;
};

struct ValueRule {
  RuleSite site;
  std::string name;                   // "exposure" or "exposure.observation_type".
  std::vector<std::string> keywords;  // The first present is read.
  bool optional = false;
  bool lower = false;
  bool upper = false;
  bool as_float = false;
  std::optional<std::string> fallback;     // default=
  std::map<std::string, std::string> map;  // Header value -> value; others pass.
};

// One way to a time: a keyword (or date and time keywords), or, for an end,
// the begin plus an exposure time keyword.
struct TimeAlternative {
  TimeSource source;
  std::string plus_seconds;  // Non-empty: begin + this keyword's seconds.
};

struct TimeRule {
  RuleSite site;
  std::vector<TimeAlternative> alternatives;  // The first whose keywords are there.
  std::string at_least_plus;                  // end only: at least begin + these seconds.
};

struct TranslatorRules {
  std::vector<HeaderCondition> matches;  // All must hold.
  // "dataset_type NAME when COND": the first that holds, else the default.
  std::vector<std::pair<std::string, HeaderCondition>> dataset_types;
  std::vector<WorkingRule> working;
  std::vector<ValueRule> values;
  std::vector<std::pair<std::string, std::string>> constants;
  std::map<std::string, std::map<std::string, std::string>> tables;
  TimeScaleRule scale;
  std::string timespan_element;  // Empty: no timespan rule.
  std::optional<TimeRule> begin, end;
  enum class DayObs { kNone, kFromBegin, kFromTime, kFromKeyword };
  DayObs day_obs = DayObs::kNone;
  RuleSite day_obs_site;
  std::string day_obs_keyword;
  int day_obs_offset_hours = 0;
  bool per_hdu = false;
  bool inherit = true;
  HeaderCondition hdu_when;
};

}  // namespace starlog::ingest
