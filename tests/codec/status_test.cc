#include <catch2/catch.hpp>

#include "starlog/result.h"

using starlog::Result;
using starlog::Status;

namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument(std::to_string(v) + " is odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  STARLOG_ASSIGN_OR_RETURN(int half, Half(v));
  return Half(half);
}

}  // namespace

TEST_CASE("Status carries its code and message", "[codec][status]") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.ToString() == "OK");
  Status s = Status::Corruption("frame checksum mismatch");
  CHECK(s.IsCorruption());
  CHECK(s.ToString() == "Corruption: frame checksum mismatch");
  Status copy = s;
  CHECK(copy.message() == s.message());
  CHECK(s.WithContext("event 7").message() == "event 7: frame checksum mismatch");
  CHECK(s.WithContext("event 7").IsCorruption());
}

TEST_CASE("STARLOG_ASSIGN_OR_RETURN passes errors up", "[codec][status]") {
  CHECK(*Quarter(8) == 2);
  CHECK(Quarter(6).status().message() == "3 is odd");
  CHECK(Quarter(5).status().IsInvalidArgument());
}
