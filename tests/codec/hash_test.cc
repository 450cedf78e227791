#include "starlog/codec/hash.h"

#include <catch2/catch.hpp>

#include "starlog/codec/uuid.h"

using namespace starlog::codec;

TEST_CASE("XXH3 matches the reference values", "[codec][hash]") {
  // Published XXH3 test vectors for the empty input.
  CHECK(Xxh3_64("") == 0x2D06800538D394C2ULL);
  const Hash128 empty = Xxh3_128("");
  CHECK(empty.high == 0x99AA06D3014798D8ULL);
  CHECK(empty.low == 0x6001C324468D497FULL);
}

TEST_CASE("Streaming XXH3 equals one-shot XXH3", "[codec][hash]") {
  const std::string data(10'000, 'q');
  Xxh3 a;
  Xxh3Wide b;
  for (size_t i = 0; i < data.size(); i += 333) {
    a.Update(std::string_view(data).substr(i, 333));
    b.Update(std::string_view(data).substr(i, 333));
  }
  CHECK(a.Digest() == Xxh3_64(data));
  CHECK(b.Digest() == Xxh3_128(data));
}

TEST_CASE("Hash128 arithmetic is modulo 2^128 and order-independent", "[codec][hash]") {
  const Hash128 a{~uint64_t{0}, 1};
  const Hash128 b{1, 2};
  const Hash128 sum = a + b;
  CHECK(sum.low == 0);
  CHECK(sum.high == 4);  // The carry from the low half.
  CHECK(sum - b == a);
  CHECK(sum - a == b);
  CHECK(a + b == b + a);
  const Hash128 max{~uint64_t{0}, ~uint64_t{0}};
  CHECK(max + Hash128{1, 0} == Hash128{});
}

TEST_CASE("Hash128 hex and byte forms round-trip", "[codec][hash]") {
  const Hash128 h{0x0123456789abcdef, 0xfedcba9876543210};
  CHECK(h.ToHex() == "fedcba98765432100123456789abcdef");
  auto back = Hash128::FromHex(h.ToHex());
  REQUIRE(back.ok());
  CHECK(*back == h);
  std::string bytes;
  h.AppendTo(&bytes);
  CHECK(Hash128::Decode(bytes.data()) == h);
  CHECK(Hash128::FromHex("xyz").status().IsInvalidArgument());
  CHECK(Hash128::FromHex(std::string(32, 'g')).status().IsInvalidArgument());
}

TEST_CASE("UUIDs print and parse in the canonical form", "[codec][uuid]") {
  auto u = Uuid::Parse("840b31d9-05cd-5161-b2c8-00d32b280d0f");
  REQUIRE(u.ok());
  CHECK(u->ToString() == "840b31d9-05cd-5161-b2c8-00d32b280d0f");
  CHECK(Uuid::Parse("840B31D9-05CD-5161-B2C8-00D32B280D0F")->ToString() ==
        "840b31d9-05cd-5161-b2c8-00d32b280d0f");
  CHECK(Uuid::Parse("840b31d9-05cd-5161-b2c8-00d32b280d0").status().IsInvalidArgument());
  CHECK(Uuid::Parse("840b31d9x05cd-5161-b2c8-00d32b280d0f").status().IsInvalidArgument());
  CHECK(Uuid::Parse("840b31d9-05cd-5161-b2c8-00d32b280dzz").status().IsInvalidArgument());
  CHECK(Uuid().IsNil());
  CHECK_FALSE(u->IsNil());
}
