#include "starlog/engine/dataset_ids.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace starlog::engine {
namespace {

// The 74 random bits of a UUID v7 (the timestamp and version bits left out).
std::string RandomPart(const codec::Uuid& id) {
  std::string bits(id.AsBytes().substr(6));
  bits[0] = static_cast<char>(bits[0] & 0x0f);
  bits[2] = static_cast<char>(bits[2] & 0x3f);
  return bits;
}

TEST_CASE("Random dataset ids drawn by processes started at once never repeat", "[ids]") {
  // The parent draws first, so a generator it had seeded would be copied into
  // every child by fork(): each would then draw the same ids.
  const codec::Uuid first = RandomDatasetId();
  CHECK((first.bytes[6] >> 4) == 7);
  constexpr int kChildren = 24;
  constexpr int kIdsEach = 200;
  int go[2], results[2];
  REQUIRE(::pipe(go) == 0);
  REQUIRE(::pipe(results) == 0);
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(go[1]);
      char start;
      if (::read(go[0], &start, 1) != 0) _exit(2);  // Everyone starts when the pipe closes.
      std::string out;
      for (int i = 0; i < kIdsEach; ++i) out += RandomDatasetId().AsBytes();
      const bool ok = ::write(results[1], out.data(), out.size()) == ssize_t(out.size());
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ::close(go[1]);
  ::close(results[1]);
  std::string all;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(results[0], buffer, sizeof buffer)) > 0) all.append(buffer, n);
  ::close(results[0]);
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  REQUIRE(all.size() == size_t{16} * kChildren * kIdsEach);
  std::set<std::string> seen{RandomPart(first)};
  for (size_t i = 0; i < all.size(); i += 16) {
    seen.insert(RandomPart(codec::Uuid::FromBytes(all.data() + i)));
  }
  CHECK(seen.size() == size_t{1} + kChildren * kIdsEach);
}

}  // namespace
}  // namespace starlog::engine
