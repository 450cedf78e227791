#include "ingest/int_expression.h"

#include "ingest/header_condition.h"
#include "starlog/codec/numbers.h"

namespace starlog::ingest {

namespace {

constexpr int kMaxDepth = 64;  // Nested parentheses; a config is no stack bomb.

class Parser {
 public:
  explicit Parser(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

  Result<IntExpression> Whole() {
    STARLOG_ASSIGN_OR_RETURN(IntExpression e, Expr(0));
    if (at_ != tokens_.size()) return Status::InvalidArgument("'" + tokens_[at_] + "' unexpected");
    return e;
  }

 private:
  static IntExpression Binary(IntExpression::Kind kind, IntExpression l, IntExpression r) {
    IntExpression e;
    e.kind = kind;
    e.left = std::make_shared<const IntExpression>(std::move(l));
    e.right = std::make_shared<const IntExpression>(std::move(r));
    return e;
  }
  bool Take(const char* token) {
    if (at_ < tokens_.size() && tokens_[at_] == token) {
      ++at_;
      return true;
    }
    return false;
  }
  Result<IntExpression> Expr(int depth) {
    STARLOG_ASSIGN_OR_RETURN(IntExpression left, Term(depth));
    while (true) {
      IntExpression::Kind kind;
      if (Take("+")) {
        kind = IntExpression::Kind::kAdd;
      } else if (Take("-")) {
        kind = IntExpression::Kind::kSub;
      } else {
        return left;
      }
      STARLOG_ASSIGN_OR_RETURN(IntExpression right, Term(depth));
      left = Binary(kind, std::move(left), std::move(right));
    }
  }
  Result<IntExpression> Term(int depth) {
    STARLOG_ASSIGN_OR_RETURN(IntExpression left, Factor(depth));
    while (true) {
      IntExpression::Kind kind;
      if (Take("*")) {
        kind = IntExpression::Kind::kMul;
      } else if (Take("/")) {
        kind = IntExpression::Kind::kDiv;
      } else if (Take("%")) {
        kind = IntExpression::Kind::kMod;
      } else {
        return left;
      }
      STARLOG_ASSIGN_OR_RETURN(IntExpression right, Factor(depth));
      left = Binary(kind, std::move(left), std::move(right));
    }
  }
  Result<IntExpression> Factor(int depth) {
    if (depth > kMaxDepth) return Status::InvalidArgument("nested too deep");
    if (at_ >= tokens_.size()) return Status::InvalidArgument("an expression ends too soon");
    if (Take("(")) {
      STARLOG_ASSIGN_OR_RETURN(IntExpression e, Expr(depth + 1));
      if (!Take(")")) return Status::InvalidArgument("a '(' without its ')'");
      return e;
    }
    if (Take("-")) {
      STARLOG_ASSIGN_OR_RETURN(IntExpression inner, Factor(depth + 1));
      IntExpression e;
      e.kind = IntExpression::Kind::kNeg;
      e.left = std::make_shared<const IntExpression>(std::move(inner));
      return e;
    }
    const std::string& t = tokens_[at_++];
    IntExpression e;
    if (t == "ord") {
      if (!Take("(") || at_ >= tokens_.size()) return Status::InvalidArgument("ord wants (KEY)");
      e.kind = IntExpression::Kind::kOrd;
      e.keyword = KeywordName(tokens_[at_++]);
      if (!Take(")")) return Status::InvalidArgument("ord wants (KEY)");
      return e;
    }
    if (t == ")" || t == "+" || t == "*" || t == "/" || t == "%") {
      return Status::InvalidArgument("'" + t + "' where a number or keyword goes");
    }
    if (t[0] >= '0' && t[0] <= '9') {
      const std::optional<int64_t> n = codec::ParseInt(t);
      if (!n) return Status::InvalidArgument("'" + t + "' is not an integer");
      e.number = *n;
      return e;
    }
    e.kind = IntExpression::Kind::kKeyword;
    e.keyword = KeywordName(t);
    return e;
  }

  std::vector<std::string> tokens_;
  size_t at_ = 0;
};

Result<int64_t> KeywordInt(const FitsHeader& header, const std::string& keyword) {
  auto it = header.find(keyword);
  if (it == header.end()) return Status::InvalidArgument("lacks keyword " + keyword);
  if (it->second.kind == FitsCard::Kind::kInt) return it->second.integer;
  if (it->second.kind == FitsCard::Kind::kString) {
    if (auto n = codec::ParseInt(it->second.text)) return *n;
  }
  return Status::InvalidArgument(keyword + " is not an integer: '" + it->second.text + "'");
}

}  // namespace

Result<int64_t> IntExpression::Evaluate(const FitsHeader& header) const {
  switch (kind) {
    case Kind::kNumber:
      return number;
    case Kind::kKeyword:
      return KeywordInt(header, keyword);
    case Kind::kOrd: {
      auto it = header.find(keyword);
      if (it == header.end()) return Status::InvalidArgument("lacks keyword " + keyword);
      const std::string& s = it->second.text;
      if (s.size() != 1 || !std::isalpha(static_cast<unsigned char>(s[0]))) {
        return Status::InvalidArgument("ord(" + keyword + ") wants one letter, not '" + s + "'");
      }
      return int64_t{std::toupper(static_cast<unsigned char>(s[0])) - 'A'};
    }
    case Kind::kNeg: {
      STARLOG_ASSIGN_OR_RETURN(int64_t v, left->Evaluate(header));
      int64_t out = 0;
      if (__builtin_sub_overflow(int64_t{0}, v, &out)) return Status::InvalidArgument("overflow");
      return out;
    }
    default:
      break;
  }
  STARLOG_ASSIGN_OR_RETURN(int64_t a, left->Evaluate(header));
  STARLOG_ASSIGN_OR_RETURN(int64_t b, right->Evaluate(header));
  int64_t out = 0;
  bool overflow = false;
  switch (kind) {
    case Kind::kAdd:
      overflow = __builtin_add_overflow(a, b, &out);
      break;
    case Kind::kSub:
      overflow = __builtin_sub_overflow(a, b, &out);
      break;
    case Kind::kMul:
      overflow = __builtin_mul_overflow(a, b, &out);
      break;
    case Kind::kDiv:
    case Kind::kMod:
      if (b == 0) return Status::InvalidArgument("division by zero");
      if (a == INT64_MIN && b == -1) return Status::InvalidArgument("overflow");
      out = kind == Kind::kDiv ? a / b : a % b;
      break;
    default:
      break;
  }
  if (overflow) return Status::InvalidArgument("overflow");
  return out;
}

Result<IntExpression> ParseIntExpression(const std::vector<std::string>& words, size_t begin,
                                         size_t end) {
  std::vector<std::string> tokens;
  for (size_t i = begin; i < end; ++i) {
    std::string current;
    for (char c : words[i]) {
      if (c == '(' || c == ')') {
        if (!current.empty()) tokens.push_back(std::move(current));
        current.clear();
        tokens.emplace_back(1, c);
      } else {
        current.push_back(c);
      }
    }
    if (!current.empty()) tokens.push_back(std::move(current));
  }
  if (tokens.empty()) return Status::InvalidArgument("an empty expression");
  return Parser(std::move(tokens)).Whole();
}

}  // namespace starlog::ingest
