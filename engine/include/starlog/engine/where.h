#pragma once

// Constraints on data ID values and dimension-record fields: the butler's
// "where" expression language (daf_butler's "Dimension expressions"), parsed
// into a tree that a query binds once to its dimensions and evaluates per
// candidate data ID.
//
//   expr      := or
//   or        := and ( OR and )*                  lowest precedence
//   and       := not ( AND not )*
//   not       := NOT not | predicate
//   predicate := ( expr )
//              | operand cmp operand              cmp: = != <> < <= > >=
//              | operand [NOT] IN ( item , ... )
//   item      := operand | int .. int [ : stride ]   inclusive; stride >= 1
//   operand   := integer | 'text' | "text" | T'time' | name | word
//   name      := ident [ . ident [ . ident ] ]   detector, exposure.observation_type,
//                                                exposure.timespan.begin (= timespan_begin)
//   word      := a bare string such as HSC-R or u/alice: a letter or _, then
//                letters, digits, _ - / or :, with at least one of - / :
//
// Keywords (AND, OR, NOT, IN; OVERLAPS is reserved) are case-insensitive;
// names are not. Floating-point numbers and arithmetic are not taken: no
// field holds one. A time
// literal is T'2024-03-01T12:00:00' (ISO: UTC unless it ends in "/tai"),
// T'60370.5' or T'mjd/60370.5' (MJD: TAI unless "/utc"), optionally with a
// format prefix "iso/", "isot/" or "mjd/" and a scale suffix "/tai", "/utc" or
// "/tt", as the butler takes them; its value is TAI nanoseconds since
// 1970-01-01, the unit of the records' timespan_begin and timespan_end.
//
// A single name given in "binds" is replaced by the bound value before
// anything else is looked at, as the butler does: a bind shadows a dimension
// of the same name. A single name that is no dimension or field of the query
// stands for itself as a string where the other side of its comparison (or
// the left of its IN) is a field: "band = r" compares band with 'r'.
//
// Evaluation is SQL's: a comparison with a missing record is unknown, NOT of
// unknown is unknown, and only a true expression matches.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/result.h"

namespace starlog::engine {

// Values for names in a where clause (the butler's "bind").
using WhereBinds = std::map<std::string, codec::FieldValue, std::less<>>;

struct WhereOperand {
  enum class Kind : uint8_t {
    kValue,  // A literal, a bound value or a word: "value".
    kName,   // A name resolved against the query's dimensions: "name".
  };
  Kind kind = Kind::kValue;
  codec::FieldValue value;
  std::vector<std::string> name;  // One to three parts.
  bool word = false;              // kValue written without quotes (a bare word).
  size_t column = 0;              // 1-based column in the text, in characters.

  std::string ToString() const;
};

// An inclusive integer range of an IN list: first, first + stride, ... <= last.
struct WhereRange {
  int64_t first = 0;
  int64_t last = 0;
  int64_t stride = 1;  // >= 1.

  bool Contains(int64_t v) const;
};

struct WhereNode {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare, kIn };
  enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

  Kind kind = Kind::kCompare;
  std::vector<WhereNode> children;  // kAnd, kOr: two or more; kNot: one.
  Op op = Op::kEq;                  // kCompare.
  WhereOperand lhs;                 // kCompare, kIn.
  WhereOperand rhs;                 // kCompare.
  std::vector<WhereOperand> items;  // kIn: listed operands...
  std::vector<WhereRange> ranges;   // ...and ranges.
  size_t column = 0;                // Where the predicate starts.

  // The node as text that parses back to it, each AND or OR group below the
  // top in parentheses ("a = 1 AND (b = 2 OR c = 3)"); times print as their
  // nanoseconds.
  std::string ToString() const;
};

// Whether "lhs op rhs" holds. Values of different types are only ever unequal.
bool CompareValues(const codec::FieldValue& lhs, WhereNode::Op op, const codec::FieldValue& rhs);

struct WhereClause {
  std::optional<WhereNode> root;  // Empty: no constraint.

  bool empty() const { return !root.has_value(); }
  std::string ToString() const { return root ? root->ToString() : std::string(); }

  // Parses "text" (blank: an empty clause), substituting "binds". Returns
  // InvalidArgument naming the column and what was expected there.
  static Result<WhereClause> Parse(std::string_view text, const WhereBinds& binds = {});

  // "k1 = v1 AND k2 = v2 ...": every field of "values" equal to its value.
  static WhereClause Equalities(const codec::FieldMap& values);
};

// A --bind value as the butler's command line types it: an integer if it is
// one (optionally signed), else the text itself.
codec::FieldValue ParseBindValue(std::string_view text);

}  // namespace starlog::engine
