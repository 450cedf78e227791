#include "starlog/ingest/translator.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <sstream>

#include "starlog/codec/config_lines.h"
#include "starlog/codec/numbers.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/time_scales.h"

namespace starlog::ingest {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// The type a named value takes: an element's key, or one of its fields.
Result<engine::ValueType> TypeOf(const engine::Universe& universe, const std::string& name) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) {
    const engine::DimensionElement* e = universe.Find(name);
    if (e == nullptr) return Status::InvalidArgument("no dimension '" + name + "'");
    return e->key_type;
  }
  const engine::DimensionElement* e = universe.Find(name.substr(0, dot));
  if (e == nullptr) return Status::InvalidArgument("no dimension '" + name.substr(0, dot) + "'");
  const engine::ValueType* t = universe.FieldType(*e, name.substr(dot + 1));
  if (t == nullptr) {
    return Status::InvalidArgument("'" + e->name + "' records have no field '" +
                                   name.substr(dot + 1) + "'");
  }
  return *t;
}

Result<codec::FieldValue> Typed(const std::string& name, engine::ValueType type,
                                const FitsCard& card, const std::string& shown) {
  if (type == engine::ValueType::kString) {
    if (card.kind == FitsCard::Kind::kInt) return codec::FieldValue(std::to_string(card.integer));
    return codec::FieldValue(shown);
  }
  if (card.kind == FitsCard::Kind::kInt) return codec::FieldValue(card.integer);
  if (card.kind == FitsCard::Kind::kString) {
    if (auto v = codec::ParseInt(shown, codec::IntSyntax::kLikeStrtoll))
      return codec::FieldValue(*v);
  }
  return Status::InvalidArgument(name + " needs an integer; the header has '" + card.text + "'");
}

// A header time (ISO 8601, UTC unless TIMESYS says TAI) as TAI nanoseconds.
Result<int64_t> HeaderTimeTai(const FitsHeader& header, const std::string& keyword) {
  auto it = header.find(keyword);
  if (it == header.end()) return Status::InvalidArgument("lacks keyword " + keyword);
  auto ns = codec::ParseIsoTime(it->second.text);
  if (!ns.ok()) {
    return Status::InvalidArgument(keyword + " is not a time: '" + it->second.text + "'");
  }
  auto sys = header.find("TIMESYS");
  const bool tai = sys != header.end() && Upper(sys->second.text) == "TAI";
  if (tai) return *ns;
  auto converted = engine::UtcToTai(*ns);  // ERFA's leap seconds: data before 2017 too.
  if (!converted.ok()) return converted.status().WithContext(keyword);
  return *converted;
}

}  // namespace

bool Translator::Matches(const FitsHeader& header) const {
  auto it = header.find(match_keyword);
  return it != header.end() && Lower(it->second.text) == Lower(match_value);
}

Result<codec::FieldMap> Translator::Translate(const FitsHeader& header,
                                              const engine::Universe& universe) const {
  codec::FieldMap out;
  out.emplace("instrument", instrument);
  for (const auto& [name, value] : constants) {
    STARLOG_ASSIGN_OR_RETURN(engine::ValueType type, TypeOf(universe, name));
    FitsCard card;
    card.kind = FitsCard::Kind::kString;
    card.text = value;
    STARLOG_ASSIGN_OR_RETURN(out[name], Typed(name, type, card, value));
  }
  for (const ValueRule& rule : values) {
    auto it = header.find(rule.keyword);
    if (it == header.end() || it->second.text.empty()) {  // Absent, or without a value.
      if (rule.optional) continue;
      return Status::InvalidArgument("lacks keyword " + rule.keyword + " (for " + rule.name + ")");
    }
    std::string shown = it->second.kind == FitsCard::Kind::kInt ? std::to_string(it->second.integer)
                                                                : it->second.text;
    if (auto m = rule.map.find(shown); m != rule.map.end()) shown = m->second;
    if (rule.lower) shown = Lower(shown);
    if (rule.upper) shown = Upper(shown);
    STARLOG_ASSIGN_OR_RETURN(engine::ValueType type, TypeOf(universe, rule.name));
    FitsCard card = it->second;
    if (shown != it->second.text) {
      card.kind = FitsCard::Kind::kString;
      card.text = shown;
    }
    STARLOG_ASSIGN_OR_RETURN(out[rule.name], Typed(rule.name, type, card, shown));
  }
  if (!timespan_element.empty()) {
    STARLOG_ASSIGN_OR_RETURN(int64_t begin, HeaderTimeTai(header, timespan_begin_keyword));
    auto t = header.find(timespan_exptime_keyword);
    if (t == header.end() ||
        (t->second.kind != FitsCard::Kind::kFloat && t->second.kind != FitsCard::Kind::kInt)) {
      return Status::InvalidArgument("lacks a numeric keyword " + timespan_exptime_keyword);
    }
    // Exposures last seconds to hours; anything past a day, or negative, is
    // a broken header (and would overflow nanoseconds).
    const double seconds = t->second.number;
    if (!(seconds >= 0 && seconds <= 86'400)) {
      return Status::InvalidArgument(timespan_exptime_keyword +
                                     " is not an exposure time: " + t->second.text);
    }
    const int64_t duration = static_cast<int64_t>(seconds * 1e9 + 0.5);
    if (begin > std::numeric_limits<int64_t>::max() - duration) {
      return Status::InvalidArgument(timespan_begin_keyword + " is out of range");
    }
    out[timespan_element + ".timespan_begin"] = begin;
    out[timespan_element + ".timespan_end"] = begin + duration;
  }
  if (!day_obs_keyword.empty()) {
    auto it = header.find(day_obs_keyword);
    if (it == header.end()) return Status::InvalidArgument("lacks keyword " + day_obs_keyword);
    auto ns = codec::ParseIsoTime(it->second.text);
    if (!ns.ok()) {
      return Status::InvalidArgument(day_obs_keyword + " is not a time: '" + it->second.text + "'");
    }
    constexpr int64_t kTwoDays = 48LL * 3600 * 1'000'000'000;
    if (*ns > std::numeric_limits<int64_t>::max() - kTwoDays ||
        *ns < std::numeric_limits<int64_t>::min() + kTwoDays) {
      return Status::InvalidArgument(day_obs_keyword + " is out of range");
    }
    using namespace std::chrono;
    const auto shifted = sys_time<nanoseconds>(nanoseconds(*ns)) + hours(day_obs_offset_hours);
    const year_month_day ymd{floor<days>(shifted)};
    out["day_obs"] = int64_t{static_cast<int>(ymd.year()) * 10000 +
                             static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
                             static_cast<int>(static_cast<unsigned>(ymd.day()))};
  }
  return out;
}

Result<Translator> ParseTranslator(std::string_view text, const std::string& source) {
  Translator t;
  t.source = source;
  for (const codec::ConfigLine& statement : codec::ConfigLines(text)) {
    const std::vector<std::string>& w = statement.words;
    const auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(source + " line " + std::to_string(statement.number) + ": " +
                                     why);
    };
    const std::string& verb = w[0];
    if (verb == "instrument" && w.size() == 2) {
      t.instrument = w[1];
    } else if (verb == "match" && w.size() == 3) {
      t.match_keyword = Upper(w[1]);
      t.match_value = w[2];
    } else if (verb == "dataset_type" && w.size() == 2) {
      t.dataset_type = w[1];
    } else if (verb == "value" && w.size() >= 3) {
      ValueRule rule;
      rule.name = w[1];
      rule.keyword = Upper(w[2]);
      for (size_t i = 3; i < w.size(); ++i) {
        if (w[i] == "optional") {
          rule.optional = true;
        } else if (w[i] == "lower") {
          rule.lower = true;
        } else if (w[i] == "upper") {
          rule.upper = true;
        } else if (w[i].rfind("map=", 0) == 0) {
          std::istringstream pairs(w[i].substr(4));
          std::string pair;
          while (std::getline(pairs, pair, ',')) {
            const size_t colon = pair.find(':');
            if (colon == std::string::npos) return bad("map wants FROM:TO pairs");
            rule.map[pair.substr(0, colon)] = pair.substr(colon + 1);
          }
        } else {
          return bad("unknown option '" + w[i] + "' (optional, lower, upper, map=A:B,...)");
        }
      }
      t.values.push_back(std::move(rule));
    } else if (verb == "constant" && w.size() >= 3) {
      std::string value = w[2];
      for (size_t i = 3; i < w.size(); ++i) value += " " + w[i];
      t.constants.emplace_back(w[1], value);
    } else if (verb == "timespan" && w.size() == 4) {
      t.timespan_element = w[1];
      t.timespan_begin_keyword = Upper(w[2]);
      t.timespan_exptime_keyword = Upper(w[3]);
    } else if (verb == "day_obs" && w.size() == 3) {
      t.day_obs_keyword = Upper(w[1]);
      const std::optional<int64_t> hours = codec::ParseInt(w[2], codec::IntSyntax::kLikeStrtoll);
      if (!hours || *hours < -48 || *hours > 48) {
        return bad("day_obs wants KEYWORD HOURS, the hours between -48 and 48");
      }
      t.day_obs_offset_hours = static_cast<int>(*hours);
    } else {
      return bad("cannot read '" + verb + "' with " + std::to_string(w.size() - 1) +
                 " arguments (statements: instrument, match, dataset_type, value, constant, "
                 "timespan, day_obs)");
    }
  }
  if (t.instrument.empty() || t.match_keyword.empty()) {
    return Status::InvalidArgument(source + ": a translator needs 'instrument' and 'match'");
  }
  return t;
}

}  // namespace starlog::ingest
