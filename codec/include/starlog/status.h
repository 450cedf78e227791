#pragma once

// Status: the outcome of an operation, as in leveldb. An OK status holds no
// allocation; any other carries a code and a message for people.
//
// Codes are few on purpose: add one only when a caller branches on it.

#include <memory>
#include <string>
#include <string_view>

namespace starlog {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kInvalidArgument,
    kConflict,          // An illegal transition: duplicate definition, cycle, overlap.
    kPermissionDenied,  // The access policy or a read-only repository refused it.
    kCorruption,        // Bytes from disk or wire failed a check.
    kIOError,
    kUnavailable,  // A peer or a resource is not reachable now; retrying may help.
    kNotSupported,
    kTimedOut,  // A wait ran out of time (callers report it differently from errors).
  };

  Status() = default;
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status Conflict(std::string_view msg) { return Status(Code::kConflict, msg); }
  static Status PermissionDenied(std::string_view msg) {
    return Status(Code::kPermissionDenied, msg);
  }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status TimedOut(std::string_view msg) { return Status(Code::kTimedOut, msg); }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsPermissionDenied() const { return code() == Code::kPermissionDenied; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsUnavailable() const { return code() == Code::kUnavailable; }
  bool IsNotSupported() const { return code() == Code::kNotSupported; }
  bool IsTimedOut() const { return code() == Code::kTimedOut; }

  // The message alone ("" for OK).
  std::string_view message() const;
  // "Corruption: <message>", or "OK".
  std::string ToString() const;

  // Returns a status of the same code whose message is "<context>: <message>".
  // OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg);

  std::unique_ptr<State> state_;  // Null means OK.
};

std::string_view CodeName(Status::Code code);

}  // namespace starlog

// Returns from the enclosing function if "expr" yields a non-OK Status.
#define STARLOG_RETURN_IF_ERROR(expr)           \
  do {                                          \
    ::starlog::Status _starlog_status = (expr); \
    if (!_starlog_status.ok()) {                \
      return _starlog_status;                   \
    }                                           \
  } while (0)
