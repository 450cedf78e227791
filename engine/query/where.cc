#include "starlog/engine/where.h"

#include <cctype>

#include "engine/query/where_time.h"
#include "starlog/codec/numbers.h"

namespace starlog::engine {

namespace {

// Deeper nesting than this is refused rather than recursed into.
constexpr int kMaxDepth = 100;

// ---- tokens

struct Token {
  enum class Kind {
    kEnd,
    kName,  // Identifier (keywords too; see IsKeyword).
    kWord,  // Bare string with - / or :.
    kInt,
    kString,  // 'quoted' or "quoted".
    kTime,    // T'...', already converted.
    kOp,      // = != <> < <= > >=
    kLParen,
    kRParen,
    kComma,
    kDot,
    kRange,  // ..
    kColon,
    kBind,  // :name, the name in "text".
  };
  Kind kind = Kind::kEnd;
  std::string text;    // kName, kWord, kString, kOp.
  int64_t number = 0;  // kInt, kTime.
  size_t pos = 0;      // Byte offset.
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) { return IsIdentChar(c) || c == '-' || c == '/' || c == ':'; }

class Parser {
 public:
  Parser(std::string_view text, const WhereBinds& binds) : text_(text), binds_(binds) {}

  Result<WhereClause> Run() {
    WhereClause clause;
    STARLOG_RETURN_IF_ERROR(Advance());
    if (tok_.kind == Token::Kind::kEnd) return clause;
    STARLOG_ASSIGN_OR_RETURN(WhereNode root, Or(0));
    if (tok_.kind != Token::Kind::kEnd) return Error("AND, OR or the end");
    clause.root = std::move(root);
    return clause;
  }

 private:
  // 1-based column of byte offset "pos", counting UTF-8 characters.
  size_t Column(size_t pos) const {
    size_t column = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return column;
  }

  Status ErrorAt(size_t pos, std::string_view expected) const {
    std::string near =
        pos < text_.size() ? "'" + std::string(text_.substr(pos, 20)) + "'" : "the end";
    return Status::InvalidArgument("where clause: expected " + std::string(expected) +
                                   " at column " + std::to_string(Column(pos)) + ", found " + near +
                                   " (in \"" + std::string(text_) + "\")");
  }
  Status Error(std::string_view expected) const { return ErrorAt(tok_.pos, expected); }

  Status Advance() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    tok_ = Token();
    tok_.pos = pos_;
    if (pos_ >= text_.size()) return Status::OK();
    const char c = text_[pos_];
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if ((c == 'T' || c == 't') && (next == '\'' || next == '"')) {
      STARLOG_ASSIGN_OR_RETURN(std::string body, Quoted(pos_ + 1));
      auto ns = ParseTimeLiteral(body);
      if (!ns.ok()) return ErrorAt(tok_.pos + 2, ns.status().message());
      tok_.kind = Token::Kind::kTime;
      tok_.number = *ns;
      return Status::OK();
    }
    if (c == '\'' || c == '"') {
      STARLOG_ASSIGN_OR_RETURN(tok_.text, Quoted(pos_));
      tok_.kind = Token::Kind::kString;
      return Status::OK();
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '-' && std::isdigit(static_cast<unsigned char>(next)))) {
      size_t end = pos_ + 1;
      while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      if (end + 1 < text_.size() && text_[end] == '.' && text_[end + 1] != '.') {
        return ErrorAt(pos_, "an integer (no field holds a floating-point number)");
      }
      const std::optional<int64_t> number = codec::ParseInt(text_.substr(pos_, end - pos_));
      if (!number) return ErrorAt(pos_, "an integer that fits in 64 bits");
      tok_.number = *number;
      tok_.kind = Token::Kind::kInt;
      pos_ = end;
      return Status::OK();
    }
    if (IsIdentStart(c)) {
      size_t end = pos_;
      while (end < text_.size() && IsIdentChar(text_[end])) ++end;
      size_t word_end = end;
      while (word_end < text_.size() && IsWordChar(text_[word_end])) ++word_end;
      tok_.kind = word_end > end ? Token::Kind::kWord : Token::Kind::kName;
      tok_.text = std::string(text_.substr(pos_, word_end - pos_));
      pos_ = word_end;
      return Status::OK();
    }
    static constexpr std::string_view kOps[] = {"!=", "<>", "<=", ">=", "=", "<", ">"};
    for (std::string_view op : kOps) {
      if (text_.substr(pos_, op.size()) == op) {
        tok_.kind = Token::Kind::kOp;
        tok_.text = std::string(op);
        pos_ += op.size();
        return Status::OK();
      }
    }
    if (c == ':' && IsIdentStart(next)) {
      size_t end = pos_ + 1;
      while (end < text_.size() && IsIdentChar(text_[end])) ++end;
      tok_.kind = Token::Kind::kBind;
      tok_.text = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end;
      return Status::OK();
    }
    if (c == '.' && next == '.') {
      tok_.kind = Token::Kind::kRange;
      pos_ += 2;
      return Status::OK();
    }
    switch (c) {
      case '(':
        tok_.kind = Token::Kind::kLParen;
        break;
      case ')':
        tok_.kind = Token::Kind::kRParen;
        break;
      case ',':
        tok_.kind = Token::Kind::kComma;
        break;
      case '.':
        tok_.kind = Token::Kind::kDot;
        break;
      case ':':
        tok_.kind = Token::Kind::kColon;
        break;
      default:
        return ErrorAt(pos_, "a name, a value, an operator or a parenthesis");
    }
    ++pos_;
    return Status::OK();
  }

  // The text between the quote at "quote" and its match; moves past it.
  Result<std::string> Quoted(size_t quote) {
    const size_t end = text_.find(text_[quote], quote + 1);
    if (end == std::string_view::npos) return ErrorAt(quote, "a closing quote for this one");
    pos_ = end + 1;
    return std::string(text_.substr(quote + 1, end - quote - 1));
  }

  bool IsKeyword(std::string_view word) const {
    if (tok_.kind != Token::Kind::kName || tok_.text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(tok_.text[i])) != word[i]) return false;
    }
    return true;
  }
  bool AtReserved() const {
    return IsKeyword("AND") || IsKeyword("OR") || IsKeyword("NOT") || IsKeyword("IN") ||
           IsKeyword("OVERLAPS");
  }

  Result<WhereNode> Or(int depth) {
    STARLOG_ASSIGN_OR_RETURN(WhereNode first, And(depth));
    if (!IsKeyword("OR")) return first;
    WhereNode node;
    node.kind = WhereNode::Kind::kOr;
    node.column = first.column;
    node.children.push_back(std::move(first));
    while (IsKeyword("OR")) {
      STARLOG_RETURN_IF_ERROR(Advance());
      STARLOG_ASSIGN_OR_RETURN(WhereNode next, And(depth));
      node.children.push_back(std::move(next));
    }
    return node;
  }

  Result<WhereNode> And(int depth) {
    STARLOG_ASSIGN_OR_RETURN(WhereNode first, Not(depth));
    if (!IsKeyword("AND")) return first;
    WhereNode node;
    node.kind = WhereNode::Kind::kAnd;
    node.column = first.column;
    node.children.push_back(std::move(first));
    while (IsKeyword("AND")) {
      STARLOG_RETURN_IF_ERROR(Advance());
      STARLOG_ASSIGN_OR_RETURN(WhereNode next, Not(depth));
      node.children.push_back(std::move(next));
    }
    return node;
  }

  Result<WhereNode> Not(int depth) {
    if (depth > kMaxDepth) return Error("fewer nested NOTs and parentheses");
    if (!IsKeyword("NOT")) return Predicate(depth);
    const size_t column = Column(tok_.pos);
    STARLOG_RETURN_IF_ERROR(Advance());
    STARLOG_ASSIGN_OR_RETURN(WhereNode inner, Not(depth + 1));
    return Negate(std::move(inner), column);
  }

  static WhereNode Negate(WhereNode inner, size_t column) {
    WhereNode node;
    node.kind = WhereNode::Kind::kNot;
    node.column = column;
    node.children.push_back(std::move(inner));
    return node;
  }

  Result<WhereNode> Predicate(int depth) {
    WhereNode node;
    node.column = Column(tok_.pos);
    std::optional<WhereOperand> span;
    if (tok_.kind == Token::Kind::kLParen) {
      // "(" opens a timespan literal or a group: a literal is tried first,
      // and cannot nest, so a failed try costs one bound.
      const size_t saved_pos = pos_;
      const Token saved = tok_;
      past_comma_ = false;
      auto literal = Operand();
      if (literal.ok()) {
        span = std::move(*literal);
      } else if (past_comma_) {
        return literal.status();  // A literal's comma was read: it was one.
      } else {
        pos_ = saved_pos;
        tok_ = saved;
      }
    }
    if (!span && tok_.kind == Token::Kind::kLParen) {
      STARLOG_RETURN_IF_ERROR(Advance());
      STARLOG_ASSIGN_OR_RETURN(WhereNode inner, Or(depth + 1));
      if (tok_.kind != Token::Kind::kRParen) return Error("')'");
      STARLOG_RETURN_IF_ERROR(Advance());
      return inner;
    }
    if (span) {
      node.lhs = std::move(*span);
    } else {
      STARLOG_ASSIGN_OR_RETURN(node.lhs, Operand());
    }
    if (IsKeyword("OVERLAPS")) {
      node.kind = WhereNode::Kind::kOverlaps;
      STARLOG_RETURN_IF_ERROR(Advance());
      STARLOG_ASSIGN_OR_RETURN(node.rhs, Operand());
      STARLOG_RETURN_IF_ERROR(TimeBind(node.lhs, true));
      STARLOG_RETURN_IF_ERROR(TimeBind(node.rhs, true));
      return node;
    }
    bool negated = false;
    if (IsKeyword("NOT")) {
      negated = true;
      STARLOG_RETURN_IF_ERROR(Advance());
      if (!IsKeyword("IN")) return Error("IN after NOT");
    }
    if (IsKeyword("IN")) {
      node.kind = WhereNode::Kind::kIn;
      STARLOG_RETURN_IF_ERROR(Advance());
      STARLOG_RETURN_IF_ERROR(InList(node));
      if (!negated) return node;
      const size_t column = node.column;
      return Negate(std::move(node), column);
    }
    if (tok_.kind != Token::Kind::kOp) {
      return Error("an operator (= != < <= > >= IN NOT IN OVERLAPS)");
    }
    const std::string op = tok_.text;
    node.op = op == "="    ? WhereNode::Op::kEq
              : op == "<"  ? WhereNode::Op::kLt
              : op == "<=" ? WhereNode::Op::kLe
              : op == ">"  ? WhereNode::Op::kGt
              : op == ">=" ? WhereNode::Op::kGe
                           : WhereNode::Op::kNe;
    STARLOG_RETURN_IF_ERROR(Advance());
    STARLOG_ASSIGN_OR_RETURN(node.rhs, Operand());
    if (IsTimeField(node.lhs)) STARLOG_RETURN_IF_ERROR(TimeBind(node.rhs, false));
    if (IsTimeField(node.rhs)) STARLOG_RETURN_IF_ERROR(TimeBind(node.lhs, false));
    return node;
  }

  // A name whose value is a time: a timespan's end, or a dataset's
  // ingest_date.
  static bool IsTimeField(const WhereOperand& o) {
    if (o.kind != WhereOperand::Kind::kName) return false;
    const std::string& last = o.name.back();
    if (last == "timespan_begin" || last == "timespan_end") return true;
    if (o.name.size() == 1) return last == "ingest_date";
    return (last == "begin" || last == "end") && o.name[o.name.size() - 2] == "timespan";
  }

  // A bound text where a time (or, with "span_ok", a timespan) is expected,
  // read as one: see where.h. Other operands are left as they are.
  Status TimeBind(WhereOperand& o, bool span_ok) const {
    const auto* text = std::get_if<std::string>(&o.value);
    if (o.kind != WhereOperand::Kind::kValue || !o.bind || text == nullptr) return Status::OK();
    auto read = ReadTimeText(*text, span_ok);
    if (!read.ok()) {
      return Status::InvalidArgument(
          "where clause: the bind value '" + *text + "' at column " + std::to_string(o.column) +
          " is no " + (span_ok ? "time or timespan" : "time") + ": " +
          std::string(read.status().message()) + " (in \"" + std::string(text_) + "\")");
    }
    const size_t column = o.column;
    o = std::move(*read);
    o.column = column;
    o.bind = true;
    return Status::OK();
  }

  // "text" as a time literal with or without T'...', or a timespan literal.
  static Result<WhereOperand> ReadTimeText(std::string_view text, bool span_ok) {
    size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
    const bool quoted = start + 1 < text.size() && (text[start] == 'T' || text[start] == 't') &&
                        (text[start + 1] == '\'' || text[start + 1] == '"');
    const bool span = start < text.size() && text[start] == '(';
    if (!quoted && !span) {
      STARLOG_ASSIGN_OR_RETURN(int64_t ns, ParseTimeLiteral(text));
      WhereOperand out;
      out.value = ns;
      return out;
    }
    if (span && !span_ok) return Status::InvalidArgument("a time, not a timespan");
    const WhereBinds none;
    Parser inner(text, none);
    STARLOG_RETURN_IF_ERROR(inner.Advance());
    STARLOG_ASSIGN_OR_RETURN(WhereOperand out, inner.Operand());
    if (inner.tok_.kind != Token::Kind::kEnd) return inner.Error("the end of the time");
    return out;
  }

  Status InList(WhereNode& node) {
    if (tok_.kind != Token::Kind::kLParen) return Error("'(' after IN");
    STARLOG_RETURN_IF_ERROR(Advance());
    while (true) {
      const size_t start = tok_.pos;
      STARLOG_ASSIGN_OR_RETURN(WhereOperand item, Operand());
      if (tok_.kind == Token::Kind::kRange) {
        const auto* first = std::get_if<int64_t>(&item.value);
        if (item.kind != WhereOperand::Kind::kValue || first == nullptr) {
          return ErrorAt(start, "an integer before '..'");
        }
        WhereRange range{*first, *first, 1};
        STARLOG_RETURN_IF_ERROR(Advance());
        STARLOG_ASSIGN_OR_RETURN(range.last, Integer("an integer after '..'"));
        if (tok_.kind == Token::Kind::kColon || tok_.kind == Token::Kind::kBind) {
          // "1..9:s" lexes as a bind ":s": the colon is the stride's, and
          // "s" a name bound to it.
          const size_t stride_at = tok_.pos + (tok_.kind == Token::Kind::kBind ? 1 : 0);
          if (tok_.kind == Token::Kind::kBind) {
            tok_.kind = Token::Kind::kName;
            tok_.pos = stride_at;
          } else {
            STARLOG_RETURN_IF_ERROR(Advance());
          }
          STARLOG_ASSIGN_OR_RETURN(range.stride, Integer("a stride after ':'"));
          if (range.stride < 1) return ErrorAt(stride_at, "a stride of at least 1");
        }
        node.ranges.push_back(range);
      } else {
        node.items.push_back(std::move(item));
      }
      if (tok_.kind == Token::Kind::kRParen) break;
      if (tok_.kind != Token::Kind::kComma) return Error("',' or ')'");
      STARLOG_RETURN_IF_ERROR(Advance());
    }
    return Advance();
  }

  // An integer literal or a name bound to one.
  Result<int64_t> Integer(std::string_view expected) {
    const size_t start = tok_.pos;
    STARLOG_ASSIGN_OR_RETURN(WhereOperand v, Operand());
    const auto* i = std::get_if<int64_t>(&v.value);
    if (v.kind != WhereOperand::Kind::kValue || i == nullptr) return ErrorAt(start, expected);
    return *i;
  }

  Result<WhereOperand> Operand() {
    WhereOperand out;
    out.column = Column(tok_.pos);
    switch (tok_.kind) {
      case Token::Kind::kInt:
      case Token::Kind::kTime:
        out.value = tok_.number;
        break;
      case Token::Kind::kString:
        out.value = tok_.text;
        break;
      case Token::Kind::kWord:
        out.value = tok_.text;
        out.word = true;
        break;
      case Token::Kind::kBind: {
        auto bound = binds_.find(tok_.text);
        if (bound == binds_.end()) {
          return Error("a name given a value in the binds (none is given for :" + tok_.text + ")");
        }
        out.value = bound->second;
        out.bind = true;
        break;
      }
      case Token::Kind::kLParen:
        return Timespan();
      case Token::Kind::kName: {
        if (AtReserved()) return Error("a name or a value, not the keyword " + tok_.text);
        out.kind = WhereOperand::Kind::kName;
        out.name.push_back(tok_.text);
        STARLOG_RETURN_IF_ERROR(Advance());
        while (tok_.kind == Token::Kind::kDot) {
          if (out.name.size() == 3) return Error("at most three parts in a name");
          STARLOG_RETURN_IF_ERROR(Advance());
          if (tok_.kind != Token::Kind::kName) return Error("a name after '.'");
          out.name.push_back(tok_.text);
          STARLOG_RETURN_IF_ERROR(Advance());
        }
        if (out.name.size() == 1) {
          if (auto bound = binds_.find(out.name[0]); bound != binds_.end()) {
            out.kind = WhereOperand::Kind::kValue;
            out.value = bound->second;
            out.bind = true;
            out.name.clear();
          }
        }
        return out;
      }
      default:
        return Error("a name or a value");
    }
    STARLOG_RETURN_IF_ERROR(Advance());
    return out;
  }

  // "( bound , bound )" at "(", as the butler's Timespan(begin, end) makes it.
  Result<WhereOperand> Timespan() {
    WhereOperand out;
    out.kind = WhereOperand::Kind::kTimespan;
    out.column = Column(tok_.pos);
    STARLOG_RETURN_IF_ERROR(Advance());
    STARLOG_ASSIGN_OR_RETURN(const int64_t begin, Bound(codec::kUnboundedBegin, "begin"));
    if (tok_.kind != Token::Kind::kComma) return Error("',' between a timespan's begin and end");
    past_comma_ = true;
    STARLOG_RETURN_IF_ERROR(Advance());
    STARLOG_ASSIGN_OR_RETURN(const int64_t end, Bound(codec::kUnboundedEnd, "end"));
    if (tok_.kind != Token::Kind::kRParen) return Error("')' after a timespan's end");
    STARLOG_RETURN_IF_ERROR(Advance());
    out.span = codec::ButlerTimespan(begin, end);
    return out;
  }

  // A timespan's bound: a time, or NULL ("unbounded", the value given).
  Result<int64_t> Bound(int64_t unbounded, std::string_view which) {
    const std::string expected =
        "a time (T'...', an integer or a bind) or NULL as a timespan's " + std::string(which);
    if (IsKeyword("NULL") && !binds_.count(tok_.text)) {
      STARLOG_RETURN_IF_ERROR(Advance());
      return unbounded;
    }
    if (tok_.kind == Token::Kind::kLParen) return Error(expected);
    const size_t start = tok_.pos;
    STARLOG_ASSIGN_OR_RETURN(WhereOperand v, Operand());
    STARLOG_RETURN_IF_ERROR(TimeBind(v, false));
    const auto* ns = std::get_if<int64_t>(&v.value);
    if (v.kind != WhereOperand::Kind::kValue) return ErrorAt(start, expected);
    if (ns == nullptr) {
      return ErrorAt(start, expected + " (a time is written T'2013-06-17 13:30:00')");
    }
    return *ns;
  }

  std::string_view text_;
  const WhereBinds& binds_;
  size_t pos_ = 0;
  Token tok_;
  bool past_comma_ = false;  // A timespan literal's comma was read.
};

std::string Quote(const std::string& s) {
  return s.find('\'') == std::string::npos ? "'" + s + "'" : "\"" + s + "\"";
}

}  // namespace

bool WhereRange::Contains(int64_t v) const {
  if (v < first || v > last) return false;
  // Exact in unsigned arithmetic: 0 <= v - first < 2^64.
  const uint64_t offset = static_cast<uint64_t>(v) - static_cast<uint64_t>(first);
  return offset % static_cast<uint64_t>(stride) == 0;
}

bool CompareValues(const codec::FieldValue& lhs, WhereNode::Op op, const codec::FieldValue& rhs) {
  if (lhs.index() != rhs.index()) return op == WhereNode::Op::kNe;
  switch (op) {
    case WhereNode::Op::kEq:
      return lhs == rhs;
    case WhereNode::Op::kNe:
      return lhs != rhs;
    case WhereNode::Op::kLt:
      return lhs < rhs;
    case WhereNode::Op::kLe:
      return lhs <= rhs;
    case WhereNode::Op::kGt:
      return lhs > rhs;
    case WhereNode::Op::kGe:
      return lhs >= rhs;
  }
  return false;
}

std::string WhereOperand::ToString() const {
  if (kind == Kind::kName) {
    std::string out;
    for (const std::string& part : name) out += (out.empty() ? "" : ".") + part;
    return out;
  }
  if (kind == Kind::kTimespan) {
    const auto bound = [](int64_t v, int64_t unbounded) {
      return v == unbounded ? std::string("NULL") : std::to_string(v);
    };
    return "(" + bound(span.begin, codec::kUnboundedBegin) + ", " +
           bound(span.end, codec::kUnboundedEnd) + ")";
  }
  if (const auto* s = std::get_if<std::string>(&value)) return word ? *s : Quote(*s);
  return std::to_string(std::get<int64_t>(value));
}

std::string WhereNode::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "<", "<=", ">", ">="};
  const auto child = [](const WhereNode& n) {
    const bool group = n.kind == Kind::kAnd || n.kind == Kind::kOr;
    return group ? "(" + n.ToString() + ")" : n.ToString();
  };
  switch (kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out;
      for (const WhereNode& c : children) {
        if (!out.empty()) out += kind == Kind::kAnd ? " AND " : " OR ";
        out += child(c);
      }
      return out;
    }
    case Kind::kNot:
      return "NOT " + child(children.front());
    case Kind::kCompare:
      return lhs.ToString() + " " + kOps[static_cast<int>(op)] + " " + rhs.ToString();
    case Kind::kOverlaps:
      return lhs.ToString() + " OVERLAPS " + rhs.ToString();
    case Kind::kIn: {
      std::string out;
      for (const WhereOperand& item : items) out += (out.empty() ? "" : ", ") + item.ToString();
      for (const WhereRange& r : ranges) {
        out += (out.empty() ? "" : ", ") + std::to_string(r.first) + ".." + std::to_string(r.last);
        if (r.stride != 1) out += ":" + std::to_string(r.stride);
      }
      return lhs.ToString() + " IN (" + out + ")";
    }
  }
  return std::string();
}

Result<WhereClause> WhereClause::Parse(std::string_view text, const WhereBinds& binds) {
  return Parser(text, binds).Run();
}

WhereClause WhereClause::Equalities(const codec::FieldMap& values) {
  WhereClause clause;
  if (values.empty()) return clause;
  WhereNode all;
  all.kind = WhereNode::Kind::kAnd;
  for (const auto& [key, value] : values) {
    WhereNode eq;
    eq.lhs.kind = WhereOperand::Kind::kName;
    eq.lhs.name = {key};
    eq.rhs.value = value;
    all.children.push_back(std::move(eq));
  }
  clause.root = all.children.size() == 1 ? std::move(all.children.front()) : std::move(all);
  return clause;
}

codec::FieldValue ParseBindValue(std::string_view text) {
  // A '+' is allowed, and then (as always here) even "+-5" reads as -5.
  const std::string_view digits = !text.empty() && text[0] == '+' ? text.substr(1) : text;
  if (const std::optional<int64_t> v = codec::ParseInt(digits)) return codec::FieldValue(*v);
  return codec::FieldValue(std::string(text));
}

codec::FieldValue TimespanBindValue(const codec::Timespan& span) {
  WhereOperand literal;
  literal.kind = WhereOperand::Kind::kTimespan;
  literal.span = span;
  return codec::FieldValue(literal.ToString());
}

}  // namespace starlog::engine
