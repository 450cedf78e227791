#include "starlog/engine/where.h"

#include <cctype>
#include <charconv>

namespace starlog::engine {

namespace {

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  size_t pos() const { return pos_; }

  Status Error(std::string_view expected) const {
    return Status::InvalidArgument("where clause '" + std::string(text_) + "': expected " +
                                   std::string(expected) + " at position " +
                                   std::to_string(pos_ + 1));
  }

  bool Consume(std::string_view token) {
    SkipSpace();
    if (text_.compare(pos_, token.size(), token) == 0) {
      pos_ += token.size();
      return true;
    }
    return false;
  }

  // A case-insensitive keyword followed by a non-identifier character.
  bool ConsumeKeyword(std::string_view word) {
    SkipSpace();
    if (pos_ + word.size() > text_.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(text_[pos_ + i])) != word[i]) return false;
    }
    const size_t after = pos_ + word.size();
    if (after < text_.size() &&
        (std::isalnum(static_cast<unsigned char>(text_[after])) || text_[after] == '_')) {
      return false;
    }
    pos_ = after;
    return true;
  }

  Result<std::string> Identifier() {
    SkipSpace();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (pos_ == start || std::isdigit(static_cast<unsigned char>(text_[start]))) {
      pos_ = start;
      return Error("a name");
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<codec::FieldValue> Value() {
    SkipSpace();
    if (pos_ >= text_.size()) return Error("a value");
    const char c = text_[pos_];
    if (c == '\'' || c == '"') {
      const size_t end = text_.find(c, pos_ + 1);
      if (end == std::string_view::npos) return Error("a closing quote");
      std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return codec::FieldValue(std::move(s));
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t end = pos_ + 1;
      while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      // ".." after a number is a range, not a decimal point.
      int64_t value = 0;
      const char* first = text_.data() + pos_;
      const char* last = text_.data() + end;
      const auto [ptr, ec] = std::from_chars(first, last, value);
      if (ec != std::errc() || ptr != last) return Error("an integer that fits in 64 bits");
      pos_ = end;
      return codec::FieldValue(value);
    }
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
            text_[pos_] == '-' || text_[pos_] == '/' || text_[pos_] == ':')) {
      ++pos_;
    }
    if (pos_ == start) return Error("a value");
    return codec::FieldValue(std::string(text_.substr(start, pos_ - start)));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool WhereTerm::Matches(const codec::FieldValue& v) const {
  if (op == Op::kIn) {
    for (const auto& candidate : values) {
      if (candidate == v) return true;
    }
    return false;
  }
  const codec::FieldValue& rhs = values.front();
  if (v.index() != rhs.index()) return op == Op::kNe;
  switch (op) {
    case Op::kEq:
      return v == rhs;
    case Op::kNe:
      return v != rhs;
    case Op::kLt:
      return v < rhs;
    case Op::kLe:
      return v <= rhs;
    case Op::kGt:
      return v > rhs;
    case Op::kGe:
      return v >= rhs;
    case Op::kIn:
      break;
  }
  return false;
}

std::string WhereTerm::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "<", "<=", ">", ">=", "IN"};
  std::string out = element.empty() ? field : element + "." + field;
  out += " ";
  out += kOps[static_cast<int>(op)];
  out += " ";
  if (op == Op::kIn) out += "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += codec::FieldValueToString(values[i]);
  }
  if (op == Op::kIn) out += ")";
  return out;
}

Result<WhereClause> WhereClause::Parse(std::string_view text) {
  WhereClause clause;
  Lexer lex(text);
  if (lex.AtEnd()) return clause;
  while (true) {
    WhereTerm term;
    STARLOG_ASSIGN_OR_RETURN(term.field, lex.Identifier());
    if (lex.Consume(".")) {
      term.element = term.field;
      STARLOG_ASSIGN_OR_RETURN(term.field, lex.Identifier());
    }
    if (lex.ConsumeKeyword("IN")) {
      term.op = WhereTerm::Op::kIn;
      if (!lex.Consume("(")) return lex.Error("'('");
      STARLOG_ASSIGN_OR_RETURN(codec::FieldValue first, lex.Value());
      if (lex.Consume("..")) {
        STARLOG_ASSIGN_OR_RETURN(codec::FieldValue last, lex.Value());
        const auto* a = std::get_if<int64_t>(&first);
        const auto* b = std::get_if<int64_t>(&last);
        if (a == nullptr || b == nullptr) return lex.Error("integers around '..'");
        if (!lex.Consume(")")) return lex.Error("')'");
        WhereTerm lo = term, hi = term;
        lo.op = WhereTerm::Op::kGe;
        lo.values = {first};
        hi.op = WhereTerm::Op::kLe;
        hi.values = {last};
        clause.terms.push_back(std::move(lo));
        clause.terms.push_back(std::move(hi));
      } else {
        term.values.push_back(std::move(first));
        while (lex.Consume(",")) {
          STARLOG_ASSIGN_OR_RETURN(codec::FieldValue v, lex.Value());
          term.values.push_back(std::move(v));
        }
        if (!lex.Consume(")")) return lex.Error("',' or ')'");
        clause.terms.push_back(std::move(term));
      }
    } else {
      if (lex.Consume("!=")) {
        term.op = WhereTerm::Op::kNe;
      } else if (lex.Consume("<=")) {
        term.op = WhereTerm::Op::kLe;
      } else if (lex.Consume(">=")) {
        term.op = WhereTerm::Op::kGe;
      } else if (lex.Consume("<")) {
        term.op = WhereTerm::Op::kLt;
      } else if (lex.Consume(">")) {
        term.op = WhereTerm::Op::kGt;
      } else if (lex.Consume("=")) {
        term.op = WhereTerm::Op::kEq;
      } else {
        return lex.Error("an operator (= != < <= > >= IN)");
      }
      STARLOG_ASSIGN_OR_RETURN(codec::FieldValue v, lex.Value());
      term.values.push_back(std::move(v));
      clause.terms.push_back(std::move(term));
    }
    if (lex.AtEnd()) break;
    if (!lex.ConsumeKeyword("AND")) return lex.Error("AND");
  }
  return clause;
}

}  // namespace starlog::engine
