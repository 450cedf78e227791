#pragma once

// Result<T>: a value or the Status that explains its absence (abseil's
// StatusOr). Accessing value() of a failed Result is a programmer error.

#include <cassert>
#include <optional>
#include <utility>

#include "starlog/status.h"

namespace starlog {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit on purpose, so functions can "return value;" or "return status;".
  Result(T value) : value_(std::move(value)) {}         // NOLINT
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());                              // A Result without a value must say why.
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace starlog

#define STARLOG_CONCAT_INNER_(a, b) a##b
#define STARLOG_CONCAT_(a, b) STARLOG_CONCAT_INNER_(a, b)

// Evaluates "rexpr" (a Result<T>); on failure returns its Status from the
// enclosing function, otherwise moves the value into "lhs" (a declaration or
// an lvalue). It expands to several statements: an "if" around it needs braces.
#define STARLOG_ASSIGN_OR_RETURN(lhs, rexpr) \
  STARLOG_ASSIGN_OR_RETURN_IMPL_(STARLOG_CONCAT_(_starlog_result_, __LINE__), lhs, rexpr)
#define STARLOG_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                   \
  if (!result.ok()) {                                      \
    return result.status();                                \
  }                                                        \
  lhs = std::move(result).value()
