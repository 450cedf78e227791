#pragma once

// Conditions on header keywords, as translator rules write them after
// "match" and "when":
//
//   condition := and-group ("or" and-group)*
//   and-group := term ("and" term)*
//   term      := KEY OP VALUE | KEY present | KEY absent
//   OP        := = | != | < | <= | > | >= | contains | prefix
//
// Values compare as numbers when both sides read as numbers, else as text
// without regard to case ("<" on text is byte order: ISO dates compare as
// times). A keyword absent makes every term on it false but "absent".

#include <string>
#include <vector>

#include "starlog/ingest/fits_header.h"
#include "starlog/result.h"

namespace starlog::ingest {

struct HeaderTerm {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kContains, kPrefix, kPresent, kAbsent, kBlank };
  std::string keyword;
  Op op = Op::kEq;
  std::string value;
};

struct HeaderCondition {
  std::vector<std::vector<HeaderTerm>> any_of;  // OR of ANDs; empty: always true.

  bool Holds(const FitsHeader& header) const;
};

// Parses words[begin, end). InvalidArgument says what was expected.
Result<HeaderCondition> ParseHeaderCondition(const std::vector<std::string>& words, size_t begin,
                                             size_t end);

// A keyword as rules name it: upper case, without a leading "HIERARCH ".
std::string KeywordName(std::string word);

// A card's value as text (integers in decimal).
std::string CardText(const FitsCard& card);

}  // namespace starlog::ingest
