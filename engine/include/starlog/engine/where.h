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
//              | operand OVERLAPS operand         a timespan on one side at least
//   item      := operand | int .. int [ : stride ]   inclusive; stride >= 1
//   operand   := integer | 'text' | "text" | T'time' | name | :bind | word
//              | ( bound , bound )                a timespan literal [begin, end)
//   bound     := T'time' | integer | :bind | name | NULL    NULL: unbounded
//   name      := ident [ . ident [ . ident ] ]   detector, exposure.observation_type,
//                                                exposure.timespan.begin (= timespan_begin),
//                                                visit.timespan (for OVERLAPS)
//              | ingest_date                    a dataset's registration time
//                                                (dataset queries only)
//   bind      := ident                           a name given in "binds"
//   word      := a bare string such as HSC-R or u/alice:x: a letter or _, then
//                letters, digits, _ - / or :, with at least one of - / :
//
// Keywords (AND, OR, NOT, IN, OVERLAPS; NULL as a bound) are case-insensitive;
// names are not. Floating-point numbers and arithmetic are not taken: no
// field holds one. A time literal is T'2024-03-01T12:00:00' (ISO: UTC unless
// it ends in "/tai"), T'60370.5' or T'mjd/60370.5' (MJD: TAI unless "/utc"),
// optionally with a format prefix "iso/", "isot/" or "mjd/" and a scale
// suffix "/tai", "/utc" or "/tt", as the butler takes them; its value is TAI
// nanoseconds since 1970-01-01, the unit of the records' timespan_begin and
// timespan_end (an integer is taken as such a time wherever one is expected).
//
// OVERLAPS (the butler's, for times): two timespans overlap when they share
// an instant; a timespan [begin, end) overlaps a time t when begin <= t < end;
// an empty timespan (begin >= end) overlaps nothing. A side is a timespan
// literal, "element.timespan" (its records' timespan_begin and timespan_end),
// "timespan" bare when exactly one element of the query's data IDs has one, a
// time (literal, integer or a field such as exposure.timespan.begin), or a
// bind. A literal (t, t) is the instant t, and bounds outside 1970-2100 TAI
// are unbounded, as the butler's Timespan makes them (codec::ButlerTimespan).
//
// ingest_date (the butler's dataset field) is, in a dataset query, the commit
// time of the event that registered the dataset, as TAI nanoseconds: a time
// like any other ("ingest_date > T'2024-03-01'").
//
// A single name given in "binds", or one written ":name" (the butler's new
// query system), is replaced by the bound value before anything else is
// looked at, as the butler does: a bind shadows a dimension of the same name;
// ":name" not in "binds" is an error. A bound text where a time is expected
// (a side of OVERLAPS, a timespan bound, the other side of a comparison with
// a timespan_begin, timespan_end or ingest_date) is read as a time literal
// with or without its T'...' ("2013-06-17T13:30:00", "T'56460.5/tai'") or,
// for OVERLAPS, as a timespan literal "(begin, end)" (TimespanBindValue), so
// that a command line's --bind t=2013-06-17T13:30:00 is a time there. A
// single name that is no dimension or field of the query stands for itself as
// a string where the other side of its comparison (or the left of its IN) is
// a field: "band = r" compares band with 'r'.
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
#include "starlog/codec/timespan.h"
#include "starlog/result.h"

namespace starlog::engine {

// Values for names in a where clause (the butler's "bind").
using WhereBinds = std::map<std::string, codec::FieldValue, std::less<>>;

struct WhereOperand {
  enum class Kind : uint8_t {
    kValue,     // A literal, a bound value or a word: "value".
    kName,      // A name resolved against the query's dimensions: "name".
    kTimespan,  // A literal (begin, end): "span".
  };
  Kind kind = Kind::kValue;
  codec::FieldValue value;
  std::vector<std::string> name;  // One to three parts.
  codec::Timespan span;           // kTimespan, unbounded ends as codec's.
  bool word = false;              // kValue written without quotes (a bare word).
  bool bind = false;              // kValue given in the binds.
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
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare, kIn, kOverlaps };
  enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

  Kind kind = Kind::kCompare;
  std::vector<WhereNode> children;  // kAnd, kOr: two or more; kNot: one.
  Op op = Op::kEq;                  // kCompare.
  WhereOperand lhs;                 // kCompare, kIn, kOverlaps.
  WhereOperand rhs;                 // kCompare, kOverlaps.
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

// A timespan as a bind value: the text of its literal, "(begin, end)" in TAI
// nanoseconds with NULL for an unbounded end, which OVERLAPS reads back
// exactly. Binds travel as integers and texts (also to a service), so this
// is how a timespan (Python's starlog.Timespan) is bound.
codec::FieldValue TimespanBindValue(const codec::Timespan& span);

}  // namespace starlog::engine
