#include "engine/store/key_coder.h"

#include <catch2/catch.hpp>

#include "engine/model/registry_keys.h"

using starlog::engine::KeyReader;
using starlog::engine::KeyWriter;

TEST_CASE("Encoded keys sort like their components", "[engine][keys]") {
  auto key = [](std::string_view s, int64_t i) { return KeyWriter().String(s).Int(i).Take(); };
  CHECK(key("a", 5) < key("a", 6));
  CHECK(key("a", -1) < key("a", 0));
  CHECK(key("a", 1000) < key("ab", -1000));  // The first component decides.
  CHECK(key("", 0) < key("a", 0));
  CHECK(key(std::string("a\0", 2), 0) > key("a", 99));
  CHECK(key(std::string("a\0", 2), 0) < key("a\x01", 0));
}

TEST_CASE("No encoded string is a prefix of another", "[engine][keys]") {
  const std::string a = KeyWriter().String("HSC").Take();
  const std::string b = KeyWriter().String("HSC/raw").Take();
  CHECK(b.compare(0, a.size(), a) != 0);
}

TEST_CASE("KeyReader reads back what KeyWriter wrote", "[engine][keys]") {
  const std::string nul("x\0y", 3);
  const std::string k =
      KeyWriter().String("HSC/raw/all").String(nul).Int(-42).Uint(7).Raw("RAW").Take();
  KeyReader r(k);
  CHECK(*r.String() == "HSC/raw/all");
  CHECK(*r.String() == nul);
  CHECK(*r.Int() == -42);
  CHECK(*r.Uint() == 7);
  CHECK(*r.Raw(3) == "RAW");
  CHECK(r.done());
}

TEST_CASE("KeyReader reports malformed keys as corruption", "[engine][keys]") {
  CHECK(KeyReader("abc").String().status().IsCorruption());
  CHECK(KeyReader(std::string("a\0\x02", 3)).String().status().IsCorruption());
  CHECK(KeyReader("1234567").Uint().status().IsCorruption());
  CHECK(KeyReader("ab").Raw(3).status().IsCorruption());
}

TEST_CASE("The policy family's one key is the bytes existing repositories hold", "[engine][keys]") {
  // On disk since the first policy: renaming it would hide every stored policy.
  CHECK(starlog::engine::keys::kPolicy == "policy");
}
