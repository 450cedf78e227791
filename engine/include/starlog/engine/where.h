#pragma once

// Constraints on data ID values and dimension-record fields, in the spirit of
// the butler's "where" strings, restricted to a conjunction:
//
//   where := term ( AND term )*
//   term  := field op value | field IN ( value , ... ) | field IN ( int .. int )
//   field := name | element.name        (detector, exposure.observation_type)
//   op    := = | != | < | <= | > | >=
//   value := integer | 'text' | "text" | bare-word
//
// "AND" and "IN" are case-insensitive. A bare name is a data ID key or a
// dimension implied by one (physical_filter for an exposure); element.name is
// a field of that element's record.

#include <string>
#include <string_view>
#include <vector>

#include "starlog/codec/data_id.h"
#include "starlog/result.h"

namespace starlog::engine {

struct WhereTerm {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn };
  std::string element;  // Empty for a bare name.
  std::string field;
  Op op = Op::kEq;
  std::vector<codec::FieldValue> values;  // One, or the members of an IN list.

  // Whether "v" satisfies the term. Values of another type never do.
  bool Matches(const codec::FieldValue& v) const;
  std::string ToString() const;
};

struct WhereClause {
  std::vector<WhereTerm> terms;

  bool empty() const { return terms.empty(); }
  // Returns InvalidArgument naming the position and what was expected.
  static Result<WhereClause> Parse(std::string_view text);
};

}  // namespace starlog::engine
