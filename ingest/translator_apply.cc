// Translator::Matches and Translator::Translate: the rules of
// translator_rules.h applied to one header.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "ingest/translator_rules.h"
#include "starlog/codec/numbers.h"
#include "starlog/codec/time_format.h"
#include "starlog/ingest/translator.h"

namespace starlog::ingest {

namespace {

constexpr size_t kMaxPatternInput = 1024;  // std::regex recurses per character.
constexpr size_t kMaxWorkingValue = 4096;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

FitsCard StringCard(std::string text) {
  FitsCard card;
  card.kind = FitsCard::Kind::kString;
  card.text = std::move(text);
  return card;
}

FitsCard IntCard(int64_t v) {
  FitsCard card;
  card.kind = FitsCard::Kind::kInt;
  card.integer = v;
  card.number = static_cast<double>(v);
  card.text = std::to_string(v);
  return card;
}

const FitsCard* Present(const FitsHeader& header, const std::string& keyword) {
  auto it = header.find(keyword);
  return it == header.end() || it->second.text.empty() ? nullptr : &it->second;
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
  if (type == engine::ValueType::kString) return codec::FieldValue(shown);
  if (card.kind == FitsCard::Kind::kInt && shown == CardText(card)) {
    return codec::FieldValue(card.integer);
  }
  if (auto v = codec::ParseInt(shown, codec::IntSyntax::kLikeStrtoll)) return codec::FieldValue(*v);
  return Status::InvalidArgument(name + " needs an integer; the header has '" + shown + "'");
}

// A float as the shortest text that reads back as it ("30", "0.5", "1e-05").
Result<std::string> FloatText(const FitsCard& card, const std::string& shown) {
  double x = card.number;
  if (card.kind != FitsCard::Kind::kFloat && card.kind != FitsCard::Kind::kInt) {
    char* end = nullptr;
    x = std::strtod(shown.c_str(), &end);
    if (shown.empty() || end == nullptr || *end != '\0') {
      return Status::InvalidArgument("'" + shown + "' is not a number");
    }
  }
  if (!std::isfinite(x)) return Status::InvalidArgument("'" + shown + "' is not a finite number");
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof(buffer), x);
  return std::string(buffer, r.ptr);
}

// "{KEY}" in "text" replaced by KEY's value.
Result<std::string> Expand(const std::string& text, const FitsHeader& header) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out.push_back(text[i]);
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string::npos) return Status::InvalidArgument("a '{' without its '}'");
    const std::string key = KeywordName(text.substr(i + 1, close - i - 1));
    const FitsCard* card = Present(header, key);
    if (card == nullptr) return Status::InvalidArgument("lacks keyword " + key);
    out += CardText(*card);
    if (out.size() > kMaxWorkingValue) return Status::InvalidArgument("a value past 4096 bytes");
    i = close;
  }
  return out;
}

Status ApplyWorking(const WorkingRule& rule, const TranslatorRules& rules, FitsHeader* header) {
  switch (rule.kind) {
    case WorkingRule::Kind::kSet: {
      // "{KEY}" alone copies the card, type and all: an MJD copied into
      // MJD-OBS stays a number and is read as one.
      if (rule.text.size() > 2 && rule.text.front() == '{' && rule.text.back() == '}' &&
          rule.text.find('{', 1) == std::string::npos) {
        const std::string key = KeywordName(rule.text.substr(1, rule.text.size() - 2));
        const FitsCard* card = Present(*header, key);
        if (card == nullptr) return Status::InvalidArgument("lacks keyword " + key);
        FitsCard copy = *card;
        (*header)[rule.out] = std::move(copy);
        return Status::OK();
      }
      STARLOG_ASSIGN_OR_RETURN(std::string v, Expand(rule.text, *header));
      (*header)[rule.out] = StringCard(std::move(v));
      return Status::OK();
    }
    case WorkingRule::Kind::kJoin: {
      std::string joined;
      bool any = false;
      for (const std::string& k : rule.inputs) {
        const FitsCard* card = Present(*header, k);
        if (card == nullptr) continue;
        if (any) joined += rule.text;
        joined += CardText(*card);
        any = true;
        if (joined.size() > kMaxWorkingValue) {
          return Status::InvalidArgument("a value past 4096 bytes");
        }
      }
      if (!any) return Status::InvalidArgument("lacks every keyword it joins");
      (*header)[rule.out] = StringCard(std::move(joined));
      return Status::OK();
    }
    case WorkingRule::Kind::kPattern: {
      const FitsCard* card = Present(*header, rule.input);
      if (card == nullptr) return Status::InvalidArgument("lacks keyword " + rule.input);
      const std::string value = CardText(*card);
      if (value.size() > kMaxPatternInput) {
        return Status::InvalidArgument(rule.input + " is too long to match");
      }
      std::smatch m;
      if (!std::regex_search(value, m, *rule.regex)) {
        return Status::InvalidArgument(rule.input + " '" + value + "' does not match");
      }
      for (size_t i = 0; i < rule.inputs.size(); ++i) {
        (*header)[rule.inputs[i]] = StringCard(m[i + 1].str());
      }
      return Status::OK();
    }
    case WorkingRule::Kind::kCompute: {
      STARLOG_ASSIGN_OR_RETURN(int64_t v, rule.expression.Evaluate(*header));
      (*header)[rule.out] = IntCard(v);
      return Status::OK();
    }
    case WorkingRule::Kind::kLookup: {
      const FitsCard* card = Present(*header, rule.input);
      if (card == nullptr) return Status::InvalidArgument("lacks keyword " + rule.input);
      const auto& table = rules.tables.at(rule.table);
      const std::string key = CardText(*card);
      auto it = table.find(key);
      if (it == table.end()) {
        if (rule.or_keep) {
          (*header)[rule.out] = *card;
          return Status::OK();
        }
        return Status::InvalidArgument(rule.input + " '" + key + "' is not in table " + rule.table);
      }
      (*header)[rule.out] = StringCard(it->second);
      return Status::OK();
    }
  }
  return Status::OK();
}

// Seconds in an exposure-time keyword: 0 to a day (past that, or negative,
// a header is broken, and nanoseconds would overflow).
Result<int64_t> DurationNs(const FitsHeader& header, const std::string& keyword) {
  const FitsCard* t = Present(header, keyword);
  if (t == nullptr) return Status::NotFound("lacks keyword " + keyword);
  double seconds = t->number;
  if (t->kind != FitsCard::Kind::kFloat && t->kind != FitsCard::Kind::kInt) {
    char* end = nullptr;  // SDSS writes its EXPTIME as text.
    seconds = std::strtod(t->text.c_str(), &end);
    if (end == nullptr || *end != '\0') {
      return Status::InvalidArgument(keyword + " is not a number: '" + t->text + "'");
    }
  }
  if (!(seconds >= 0 && seconds <= 86'400)) {
    return Status::InvalidArgument(keyword + " is not an exposure time: " + t->text);
  }
  return static_cast<int64_t>(seconds * 1e9 + 0.5);
}

Result<int64_t> Plus(int64_t begin, int64_t duration) {
  if (begin > std::numeric_limits<int64_t>::max() - duration) {
    return Status::InvalidArgument("a time out of range");
  }
  return begin + duration;
}

// The first alternative whose keywords are there.
Result<int64_t> TimeOf(const TimeRule& rule, const FitsHeader& header, const TimeScaleRule& scale,
                       std::optional<int64_t> begin) {
  std::string lacking;
  for (const TimeAlternative& a : rule.alternatives) {
    Result<int64_t> t = Status::NotFound("");
    if (!a.plus_seconds.empty()) {
      auto d = DurationNs(header, a.plus_seconds);
      t = d.ok() ? Plus(*begin, *d) : Result<int64_t>(d.status());
    } else {
      t = HeaderTimeTai(header, a.source, scale);
    }
    if (t.ok() || !t.status().IsNotFound()) return t;
    if (!lacking.empty()) lacking += ", ";
    lacking += std::string(t.status().message());
  }
  return Status::InvalidArgument(lacking);
}

int64_t DayObsOf(int64_t tai_ns, int hours) {
  using namespace std::chrono;
  const auto shifted = sys_time<nanoseconds>(nanoseconds(tai_ns)) + std::chrono::hours(hours);
  const year_month_day ymd{floor<days>(shifted)};
  return int64_t{static_cast<int>(ymd.year()) * 10000 +
                 static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
                 static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

constexpr int64_t kTwoDaysNs = 48LL * 3600 * 1'000'000'000;

Result<int64_t> DayObs(const TranslatorRules& r, const FitsHeader& header,
                       std::optional<int64_t> begin) {
  if (r.day_obs == TranslatorRules::DayObs::kFromKeyword) {
    const FitsCard* card = Present(header, r.day_obs_keyword);
    if (card == nullptr) return Status::InvalidArgument("lacks keyword " + r.day_obs_keyword);
    std::string digits = CardText(*card);
    digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
    const std::optional<int64_t> day = codec::ParseInt(digits);
    // A day that exists: 20190229 does not.
    if (!day || digits.size() != 8 ||
        !codec::ParseIsoTime(digits.substr(0, 4) + "-" + digits.substr(4, 2) + "-" +
                             digits.substr(6, 2))
             .ok()) {
      return Status::InvalidArgument(r.day_obs_keyword + " is not a day YYYYMMDD: '" + card->text +
                                     "'");
    }
    return *day;
  }
  int64_t t = 0;
  if (r.day_obs == TranslatorRules::DayObs::kFromBegin) {
    t = *begin;
  } else {
    STARLOG_ASSIGN_OR_RETURN(t, HeaderTimeTai(header, TimeSource{r.day_obs_keyword, {}}, r.scale));
  }
  if (t > std::numeric_limits<int64_t>::max() - kTwoDaysNs ||
      t < std::numeric_limits<int64_t>::min() + kTwoDaysNs) {
    return Status::InvalidArgument("a day out of range");
  }
  return DayObsOf(t, r.day_obs_offset_hours);
}

}  // namespace

bool Translator::Matches(const FitsHeader& header) const {
  if (!rules) return false;
  return std::all_of(rules->matches.begin(), rules->matches.end(),
                     [&](const HeaderCondition& c) { return c.Holds(header); });
}

Result<codec::FieldMap> Translator::Translate(const FitsHeader& original,
                                              const engine::Universe& universe) const {
  if (!rules) return Status::InvalidArgument(source + ": a translator with no rules");
  const TranslatorRules& r = *rules;
  const auto at = [&](const RuleSite& site, const Status& s) {
    return Status::InvalidArgument(source + " line " + std::to_string(site.line) + " (" +
                                   site.text + "): " + std::string(s.message()));
  };
  FitsHeader header = original;
  for (const WorkingRule& w : r.working) {
    if (!w.when.Holds(header)) continue;
    if (Status s = ApplyWorking(w, r, &header); !s.ok()) return at(w.site, s);
  }
  codec::FieldMap out;
  out.emplace("instrument", instrument);
  for (const auto& [name, value] : r.constants) {
    STARLOG_ASSIGN_OR_RETURN(engine::ValueType type, TypeOf(universe, name));
    STARLOG_ASSIGN_OR_RETURN(out[name], Typed(name, type, StringCard(value), value));
  }
  for (const ValueRule& rule : r.values) {
    const FitsCard* card = nullptr;
    for (const std::string& k : rule.keywords) {
      if ((card = Present(header, k)) != nullptr) break;
    }
    FitsCard fallback;
    if (card == nullptr && rule.fallback) {
      fallback = StringCard(*rule.fallback);
      card = &fallback;
    }
    if (card == nullptr) {
      if (rule.optional) continue;
      return at(rule.site, Status::InvalidArgument("lacks keyword " + rule.keywords[0] + " (for " +
                                                   rule.name + ")"));
    }
    std::string shown = CardText(*card);
    if (rule.lower) shown = Lower(shown);
    if (rule.upper) shown = Upper(shown);
    if (auto m = rule.map.find(shown); m != rule.map.end()) shown = m->second;
    if (rule.as_float) {
      auto text = FloatText(*card, shown);
      if (!text.ok()) return at(rule.site, text.status());
      shown = *text;
    }
    auto type = TypeOf(universe, rule.name);
    if (!type.ok()) return at(rule.site, type.status());
    if (rule.as_float && *type != engine::ValueType::kString) {
      return at(rule.site, Status::InvalidArgument(rule.name + " is an integer, not a float"));
    }
    auto typed = Typed(rule.name, *type, *card, shown);
    if (!typed.ok()) return at(rule.site, typed.status());
    out[rule.name] = std::move(*typed);
  }
  std::optional<int64_t> begin;
  if (r.begin) {
    auto b = TimeOf(*r.begin, header, r.scale, std::nullopt);
    if (!b.ok()) return at(r.begin->site, b.status());
    begin = *b;
    auto e = TimeOf(*r.end, header, r.scale, begin);
    if (!e.ok()) return at(r.end->site, e.status());
    int64_t end = *e;
    if (!r.end->at_least_plus.empty()) {
      auto d = DurationNs(header, r.end->at_least_plus);
      if (!d.ok()) return at(r.end->site, d.status());
      auto least = Plus(*begin, *d);
      if (!least.ok()) return at(r.end->site, least.status());
      end = std::max(end, *least);
    }
    if (end < *begin) {
      return at(r.end->site, Status::InvalidArgument("the end is before the begin (" +
                                                     codec::FormatIsoTime(end) + " < " +
                                                     codec::FormatIsoTime(*begin) + " TAI)"));
    }
    out[r.timespan_element + ".timespan_begin"] = *begin;
    out[r.timespan_element + ".timespan_end"] = end;
  }
  if (r.day_obs != TranslatorRules::DayObs::kNone) {
    auto day = DayObs(r, header, begin);
    if (!day.ok()) return at(r.day_obs_site, day.status());
    out["day_obs"] = *day;
  }
  return out;
}

}  // namespace starlog::ingest
