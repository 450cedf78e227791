#include "ingest/header_condition.h"

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace starlog::ingest {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<double> Number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double x = std::strtod(s.c_str(), &end);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return x;
}

bool TermHolds(const HeaderTerm& t, const FitsHeader& header) {
  auto it = header.find(t.keyword);
  const bool present = it != header.end() && !it->second.text.empty();
  if (t.op == HeaderTerm::Op::kAbsent) return !present;
  // '' is a string of no characters, which references tell from a card
  // without a value (both are absent to every other test).
  if (t.op == HeaderTerm::Op::kBlank) {
    return it != header.end() && it->second.kind == FitsCard::Kind::kString &&
           it->second.text.empty();
  }
  if (!present) return false;
  if (t.op == HeaderTerm::Op::kPresent) return true;
  const std::string have = CardText(it->second);
  const std::optional<double> a =
      it->second.kind == FitsCard::Kind::kString
          ? Number(have)
          : (it->second.kind == FitsCard::Kind::kBool ? std::nullopt
                                                      : std::optional<double>(it->second.number));
  const std::optional<double> b = Number(t.value);
  int order = 0;
  if (a && b) {
    order = *a < *b ? -1 : (*a > *b ? 1 : 0);
  } else {
    const std::string x = Lower(have), y = Lower(t.value);
    if (t.op == HeaderTerm::Op::kContains) return x.find(y) != std::string::npos;
    if (t.op == HeaderTerm::Op::kPrefix) return x.rfind(y, 0) == 0;
    order = x.compare(y) < 0 ? -1 : (x.compare(y) > 0 ? 1 : 0);
  }
  switch (t.op) {
    case HeaderTerm::Op::kEq:
      return order == 0;
    case HeaderTerm::Op::kNe:
      return order != 0;
    case HeaderTerm::Op::kLt:
      return order < 0;
    case HeaderTerm::Op::kLe:
      return order <= 0;
    case HeaderTerm::Op::kGt:
      return order > 0;
    case HeaderTerm::Op::kGe:
      return order >= 0;
    case HeaderTerm::Op::kContains:
      return Lower(have).find(Lower(t.value)) != std::string::npos;
    case HeaderTerm::Op::kPrefix:
      return Lower(have).rfind(Lower(t.value), 0) == 0;
    default:
      return false;
  }
}

std::optional<HeaderTerm::Op> OpOf(const std::string& w) {
  using Op = HeaderTerm::Op;
  if (w == "=" || w == "==") return Op::kEq;
  if (w == "!=") return Op::kNe;
  if (w == "<") return Op::kLt;
  if (w == "<=") return Op::kLe;
  if (w == ">") return Op::kGt;
  if (w == ">=") return Op::kGe;
  if (w == "contains") return Op::kContains;
  if (w == "prefix") return Op::kPrefix;
  if (w == "present") return Op::kPresent;
  if (w == "absent") return Op::kAbsent;
  if (w == "blank") return Op::kBlank;
  return std::nullopt;
}

}  // namespace

std::string KeywordName(std::string word) {
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (word.rfind("HIERARCH ", 0) == 0) word.erase(0, 9);
  return word;
}

std::string CardText(const FitsCard& card) {
  return card.kind == FitsCard::Kind::kInt ? std::to_string(card.integer) : card.text;
}

bool HeaderCondition::Holds(const FitsHeader& header) const {
  if (any_of.empty()) return true;
  for (const auto& all : any_of) {
    if (std::all_of(all.begin(), all.end(),
                    [&](const HeaderTerm& t) { return TermHolds(t, header); })) {
      return true;
    }
  }
  return false;
}

Result<HeaderCondition> ParseHeaderCondition(const std::vector<std::string>& words, size_t begin,
                                             size_t end) {
  HeaderCondition c;
  c.any_of.emplace_back();
  size_t i = begin;
  if (i >= end) return Status::InvalidArgument("an empty condition (want KEY OP VALUE)");
  while (i < end) {
    if (i + 1 >= end) return Status::InvalidArgument("'" + words[i] + "' wants an operator");
    HeaderTerm t;
    t.keyword = KeywordName(words[i]);
    const std::optional<HeaderTerm::Op> op = OpOf(words[i + 1]);
    if (!op) {
      return Status::InvalidArgument("'" + words[i + 1] +
                                     "' is no operator (=, !=, <, <=, >, >=, contains, prefix, "
                                     "present, absent, blank)");
    }
    t.op = *op;
    i += 2;
    if (t.op != HeaderTerm::Op::kPresent && t.op != HeaderTerm::Op::kAbsent &&
        t.op != HeaderTerm::Op::kBlank) {
      if (i >= end) return Status::InvalidArgument("'" + t.keyword + "' wants a value");
      t.value = words[i++];
    }
    c.any_of.back().push_back(std::move(t));
    if (i < end) {
      if (words[i] == "or") {
        c.any_of.emplace_back();
      } else if (words[i] != "and") {
        return Status::InvalidArgument("'" + words[i] + "' where 'and' or 'or' goes");
      }
      if (++i >= end) return Status::InvalidArgument("a condition ends in 'and' or 'or'");
    }
  }
  return c;
}

}  // namespace starlog::ingest
