#include "starlog/ingest/translator.h"

#include <sstream>

#include "ingest/translator_rules.h"
#include "starlog/codec/numbers.h"

namespace starlog::ingest {

namespace {

constexpr size_t kMaxTableEntries = 100'000;
constexpr size_t kMaxPatternLength = 256;

struct Statement {
  int number = 0;
  std::string text;  // As written, for messages.
  std::vector<std::string> words;
};

// Splits lines into words: white space separates, "double quotes" keep
// spaces (and '#') inside one word, '#' outside quotes starts a comment.
Result<std::vector<Statement>> Statements(std::string_view text, const std::string& source) {
  std::vector<Statement> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    Statement s;
    s.number = number;
    std::string word;
    bool in_word = false, quoted = false;
    size_t end = line.size();
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"') {
          quoted = false;
        } else {
          word.push_back(c);
        }
      } else if (c == '"') {
        quoted = in_word = true;
      } else if (c == '#') {
        end = i;
        break;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        if (in_word) s.words.push_back(std::move(word));
        word.clear();
        in_word = false;
      } else {
        word.push_back(c);
        in_word = true;
      }
    }
    if (quoted) {
      return Status::InvalidArgument(source + " line " + std::to_string(number) +
                                     ": a quote is not closed");
    }
    if (in_word) s.words.push_back(std::move(word));
    if (s.words.empty()) continue;
    s.text = line.substr(0, end);
    while (!s.text.empty() && (s.text.back() == ' ' || s.text.back() == '\t')) s.text.pop_back();
    while (!s.text.empty() && (s.text.front() == ' ' || s.text.front() == '\t')) {
      s.text.erase(s.text.begin());
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) out.push_back(part);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

// "when COND" at the end of a statement: the condition, and where the
// statement's own words end.
Result<size_t> TakeWhen(const std::vector<std::string>& w, size_t from, HeaderCondition* when) {
  for (size_t i = from; i < w.size(); ++i) {
    if (w[i] == "when") {
      STARLOG_ASSIGN_OR_RETURN(*when, ParseHeaderCondition(w, i + 1, w.size()));
      return i;
    }
  }
  return w.size();
}

// TIME: KEY or DATE+TIME; for an end also +SECONDS_KEY.
Result<TimeRule> ParseTimeRule(const std::string& spec, bool is_end) {
  TimeRule rule;
  for (const std::string& alt : SplitOn(spec, '|')) {
    TimeAlternative a;
    if (alt.empty()) return Status::InvalidArgument("an empty time alternative");
    if (alt[0] == '+') {
      if (!is_end || alt.size() == 1) {
        return Status::InvalidArgument("'+KEY' (begin plus seconds) is for an end");
      }
      a.plus_seconds = KeywordName(alt.substr(1));
    } else {
      const size_t plus = alt.find('+');
      a.source.keyword = KeywordName(alt.substr(0, plus));
      if (plus != std::string::npos) a.source.time_keyword = KeywordName(alt.substr(plus + 1));
      if (a.source.keyword.empty() ||
          (plus != std::string::npos && a.source.time_keyword.empty())) {
        return Status::InvalidArgument("'" + alt + "' wants KEY or DATE+TIME");
      }
    }
    rule.alternatives.push_back(std::move(a));
  }
  return rule;
}

Status ParseValue(const std::vector<std::string>& w, ValueRule* rule) {
  rule->name = w[1];
  for (const std::string& k : SplitOn(w[2], '|')) {
    if (k.empty()) return Status::InvalidArgument("an empty keyword in '" + w[2] + "'");
    rule->keywords.push_back(KeywordName(k));
  }
  for (size_t i = 3; i < w.size(); ++i) {
    if (w[i] == "optional") {
      rule->optional = true;
    } else if (w[i] == "lower") {
      rule->lower = true;
    } else if (w[i] == "upper") {
      rule->upper = true;
    } else if (w[i] == "float") {
      rule->as_float = true;
    } else if (w[i].rfind("default=", 0) == 0) {
      rule->fallback = w[i].substr(8);
    } else if (w[i].rfind("map=", 0) == 0) {
      for (const std::string& pair : SplitOn(w[i].substr(4), ',')) {
        const size_t colon = pair.find(':');
        if (colon == std::string::npos) return Status::InvalidArgument("map wants FROM:TO pairs");
        rule->map[pair.substr(0, colon)] = pair.substr(colon + 1);
      }
    } else {
      return Status::InvalidArgument("unknown option '" + w[i] +
                                     "' (optional, lower, upper, float, default=V, map=A:B,...)");
    }
  }
  return Status::OK();
}

Status ParseStatement(const Statement& s, Translator* t, TranslatorRules* r) {
  const std::vector<std::string>& w = s.words;
  const std::string& verb = w[0];
  const RuleSite site{s.number, s.text};
  const auto wrong = [&](const std::string& usage) {
    return Status::InvalidArgument("'" + verb + "' wants " + usage);
  };
  if (verb == "instrument") {
    if (w.size() != 2) return wrong("NAME");
    t->instrument = w[1];
  } else if (verb == "match") {
    if (w.size() < 3) return wrong("KEY VALUE, or a condition (KEY OP VALUE [and|or ...])");
    HeaderCondition c;
    if (w.size() == 3 && w[2] != "present" && w[2] != "absent") {  // KEY VALUE: equal.
      c.any_of.push_back({HeaderTerm{KeywordName(w[1]), HeaderTerm::Op::kEq, w[2]}});
    } else {
      STARLOG_ASSIGN_OR_RETURN(c, ParseHeaderCondition(w, 1, w.size()));
    }
    r->matches.push_back(std::move(c));
  } else if (verb == "dataset_type") {
    if (w.size() == 2) {
      t->dataset_type = w[1];
    } else if (w.size() > 3 && w[2] == "when") {
      STARLOG_ASSIGN_OR_RETURN(HeaderCondition c, ParseHeaderCondition(w, 3, w.size()));
      r->dataset_types.emplace_back(w[1], std::move(c));
    } else {
      return wrong("NAME [when COND]");
    }
  } else if (verb == "time_scale") {
    if (w.size() < 2 || w.size() > 3 || (w.size() == 3 && w[2] != "always")) {
      return wrong("utc|tai|tt [always]");
    }
    if (w[1] == "utc") {
      r->scale.scale = TimeScale::kUtc;
    } else if (w[1] == "tai") {
      r->scale.scale = TimeScale::kTai;
    } else if (w[1] == "tt") {
      r->scale.scale = TimeScale::kTt;
    } else {
      return wrong("utc|tai|tt [always]");
    }
    r->scale.ignore_timesys = w.size() == 3;
  } else if (verb == "value") {
    if (w.size() < 3) return wrong("NAME KEY[|KEY...] [options]");
    ValueRule rule;
    rule.site = site;
    STARLOG_RETURN_IF_ERROR(ParseValue(w, &rule));
    r->values.push_back(std::move(rule));
  } else if (verb == "constant") {
    if (w.size() < 3) return wrong("NAME VALUE");
    std::string value = w[2];
    for (size_t i = 3; i < w.size(); ++i) value += " " + w[i];
    r->constants.emplace_back(w[1], value);
  } else if (verb == "set" || verb == "join" || verb == "pattern" || verb == "compute" ||
             verb == "lookup") {
    WorkingRule rule;
    rule.site = site;
    STARLOG_ASSIGN_OR_RETURN(const size_t end, TakeWhen(w, 1, &rule.when));
    if (verb == "set") {
      if (end != 3) return wrong("KEY VALUE [when COND] (quote a VALUE with spaces)");
      rule.kind = WorkingRule::Kind::kSet;
      rule.out = KeywordName(w[1]);
      rule.text = w[2];
    } else if (verb == "join") {
      if (end < 4) return wrong("KEY SEPARATOR KEY1 KEY2 ... [when COND]");
      rule.kind = WorkingRule::Kind::kJoin;
      rule.out = KeywordName(w[1]);
      rule.text = w[2];
      for (size_t i = 3; i < end; ++i) rule.inputs.push_back(KeywordName(w[i]));
    } else if (verb == "pattern") {
      if (end < 4) return wrong("KEY REGEX OUT1 [OUT2 ...] [when COND]");
      rule.kind = WorkingRule::Kind::kPattern;
      rule.input = KeywordName(w[1]);
      if (w[2].size() > kMaxPatternLength) return wrong("a REGEX of at most 256 characters");
      try {
        rule.regex = std::make_shared<const std::regex>(w[2], std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return Status::InvalidArgument("'" + w[2] + "' is not a regular expression: " + e.what());
      }
      if (rule.regex->mark_count() < end - 3) {
        return Status::InvalidArgument("'" + w[2] + "' captures " +
                                       std::to_string(rule.regex->mark_count()) + " groups, not " +
                                       std::to_string(end - 3));
      }
      for (size_t i = 3; i < end; ++i) rule.inputs.push_back(KeywordName(w[i]));
    } else if (verb == "compute") {
      if (end < 3) return wrong("KEY EXPRESSION [when COND]");
      rule.kind = WorkingRule::Kind::kCompute;
      rule.out = KeywordName(w[1]);
      STARLOG_ASSIGN_OR_RETURN(rule.expression, ParseIntExpression(w, 2, end));
    } else {
      rule.or_keep = end == 5 && w[4] == "or_keep";
      if (end != 4 && !rule.or_keep) return wrong("KEY TABLE FROM_KEY [or_keep] [when COND]");
      rule.kind = WorkingRule::Kind::kLookup;
      rule.out = KeywordName(w[1]);
      rule.table = w[2];
      rule.input = KeywordName(w[3]);
    }
    r->working.push_back(std::move(rule));
  } else if (verb == "table") {
    if (w.size() < 4 || w.size() % 2 != 0) return wrong("NAME FROM TO [FROM TO ...]");
    auto& table = r->tables[w[1]];
    for (size_t i = 2; i + 1 < w.size(); i += 2) table[w[i]] = w[i + 1];
    if (table.size() > kMaxTableEntries) return wrong("at most 100,000 entries");
  } else if (verb == "timespan") {
    if (w.size() != 2 && w.size() != 4) return wrong("ELEMENT, or ELEMENT BEGIN_KEY EXPTIME_KEY");
    r->timespan_element = w[1];
    if (w.size() == 4) {  // The first form: begin BEGIN, end +EXPTIME.
      STARLOG_ASSIGN_OR_RETURN(r->begin, ParseTimeRule(w[2], false));
      STARLOG_ASSIGN_OR_RETURN(r->end, ParseTimeRule("+" + w[3], true));
      r->begin->site = r->end->site = site;
    }
  } else if (verb == "begin" || verb == "end") {
    const bool is_end = verb == "end";
    if (!(w.size() == 2 || (is_end && w.size() == 4 && w[2] == "at_least"))) {
      return wrong(is_end ? "TIME[|TIME...|+SECONDS_KEY] [at_least +SECONDS_KEY]"
                          : "TIME[|TIME...]");
    }
    STARLOG_ASSIGN_OR_RETURN(TimeRule rule, ParseTimeRule(w[1], is_end));
    rule.site = site;
    if (w.size() == 4) {
      if (w[3].size() < 2 || w[3][0] != '+') return wrong("at_least +SECONDS_KEY");
      rule.at_least_plus = KeywordName(w[3].substr(1));
    }
    (is_end ? r->end : r->begin) = std::move(rule);
  } else if (verb == "day_obs") {
    if (w.size() != 2 && w.size() != 3) return wrong("begin HOURS, KEY HOURS, or KEY");
    r->day_obs_site = site;
    if (w.size() == 2) {
      r->day_obs = TranslatorRules::DayObs::kFromKeyword;
      r->day_obs_keyword = KeywordName(w[1]);
    } else {
      const std::optional<int64_t> hours = codec::ParseInt(w[2], codec::IntSyntax::kLikeStrtoll);
      if (!hours || *hours < -48 || *hours > 48) {
        return wrong("KEYWORD HOURS, the hours between -48 and 48");
      }
      r->day_obs_offset_hours = static_cast<int>(*hours);
      if (w[1] == "begin") {
        r->day_obs = TranslatorRules::DayObs::kFromBegin;
      } else {
        r->day_obs = TranslatorRules::DayObs::kFromTime;
        r->day_obs_keyword = KeywordName(w[1]);
      }
    }
  } else if (verb == "per_hdu") {
    if (w.size() < 2 || (w[1] != "inherit" && w[1] != "alone") ||
        (w.size() > 2 && w[2] != "when")) {
      return wrong("inherit|alone [when COND]");
    }
    r->per_hdu = true;
    r->inherit = w[1] == "inherit";
    if (w.size() > 2) {
      STARLOG_ASSIGN_OR_RETURN(r->hdu_when, ParseHeaderCondition(w, 3, w.size()));
    }
  } else {
    return Status::InvalidArgument(
        "no statement '" + verb +
        "' (instrument, match, dataset_type, time_scale, set, join, pattern, compute, table, "
        "lookup, value, constant, timespan, begin, end, day_obs, per_hdu)");
  }
  return Status::OK();
}

}  // namespace

bool Translator::PerHdu() const { return rules && rules->per_hdu; }

const std::string& Translator::DatasetTypeFor(const FitsHeader& header) const {
  if (rules) {
    for (const auto& [name, when] : rules->dataset_types) {
      if (when.Holds(header)) return name;
    }
  }
  return dataset_type;
}

std::vector<std::pair<int, FitsHeader>> Translator::DatasetHeaders(
    const std::vector<FitsHeader>& hdus) const {
  std::vector<std::pair<int, FitsHeader>> out;
  for (size_t i = 1; i < hdus.size(); ++i) {
    FitsHeader header = hdus[i];
    if (rules->inherit) header.insert(hdus[0].begin(), hdus[0].end());  // The HDU's win.
    if (!rules->hdu_when.Holds(header)) continue;
    out.emplace_back(static_cast<int>(i), std::move(header));
  }
  return out;
}

Result<Translator> ParseTranslator(std::string_view text, const std::string& source) {
  Translator t;
  t.source = source;
  auto rules = std::make_shared<TranslatorRules>();
  STARLOG_ASSIGN_OR_RETURN(std::vector<Statement> statements, Statements(text, source));
  for (const Statement& s : statements) {
    if (Status st = ParseStatement(s, &t, rules.get()); !st.ok()) {
      return Status::InvalidArgument(source + " line " + std::to_string(s.number) + " (" + s.text +
                                     "): " + std::string(st.message()));
    }
  }
  if (t.instrument.empty() || rules->matches.empty()) {
    return Status::InvalidArgument(source + ": a translator needs 'instrument' and 'match'");
  }
  if (!rules->timespan_element.empty() && (!rules->begin || !rules->end)) {
    return Status::InvalidArgument(source + ": 'timespan " + rules->timespan_element +
                                   "' needs a 'begin' and an 'end' rule");
  }
  if (rules->timespan_element.empty() && (rules->begin || rules->end)) {
    return Status::InvalidArgument(source + ": 'begin' and 'end' need 'timespan ELEMENT'");
  }
  if (rules->day_obs == TranslatorRules::DayObs::kFromBegin && !rules->begin) {
    return Status::InvalidArgument(source + " line " + std::to_string(rules->day_obs_site.line) +
                                   ": 'day_obs begin' needs a 'begin' rule");
  }
  for (const WorkingRule& w : rules->working) {
    if (w.kind == WorkingRule::Kind::kLookup && rules->tables.count(w.table) == 0) {
      return Status::InvalidArgument(source + " line " + std::to_string(w.site.line) +
                                     ": no table '" + w.table + "'");
    }
  }
  t.rules = std::move(rules);
  return t;
}

}  // namespace starlog::ingest
