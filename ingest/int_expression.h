#pragma once

// Integer arithmetic over header keywords, for ids that instruments build
// from parts (translator rule "compute"):
//
//   expr    := term (("+" | "-") term)*
//   term    := factor (("*" | "/" | "%") factor)*
//   factor  := INTEGER | KEY | "ord(" KEY ")" | "(" expr ")" | "-" factor
//
// Operators and operands are separate words ("VISIT + 1000000 * ord(L)"), so
// keywords may hold '-' (EXP-ID). A keyword's value must be an integer (or
// text that is one); ord(KEY) is the place of KEY's one letter in the
// alphabet, A = 0. Overflow and division by zero are errors, never wrapped.

#include <memory>
#include <string>
#include <vector>

#include "starlog/ingest/fits_header.h"
#include "starlog/result.h"

namespace starlog::ingest {

struct IntExpression {
  enum class Kind { kNumber, kKeyword, kOrd, kAdd, kSub, kMul, kDiv, kMod, kNeg };
  Kind kind = Kind::kNumber;
  int64_t number = 0;
  std::string keyword;
  std::shared_ptr<const IntExpression> left, right;

  Result<int64_t> Evaluate(const FitsHeader& header) const;
};

// Parses words[begin, end); InvalidArgument says what was expected where.
Result<IntExpression> ParseIntExpression(const std::vector<std::string>& words, size_t begin,
                                         size_t end);

}  // namespace starlog::ingest
