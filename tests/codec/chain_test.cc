#include "starlog/codec/chain.h"

#include <catch2/catch.hpp>

#include "starlog/codec/event_codec.h"
#include "tests/testutil/sample_events.h"

using namespace starlog::codec;

namespace {

std::vector<std::string> SampleFrames() {
  std::vector<std::string> frames;
  for (const Event& e : starlog::testutil::SampleEvents()) {
    std::string f;
    REQUIRE(AppendEventFrame(e, &f).ok());
    frames.push_back(std::move(f));
  }
  return frames;
}

}  // namespace

TEST_CASE("The chain hash depends on every frame and on their order", "[codec][chain]") {
  const auto frames = SampleFrames();
  Hash128 h = kGenesisChainHash;
  for (const auto& f : frames) h = NextChainHash(h, f);
  Hash128 swapped = kGenesisChainHash;
  swapped = NextChainHash(swapped, frames[1]);
  swapped = NextChainHash(swapped, frames[0]);
  for (size_t i = 2; i < frames.size(); ++i) swapped = NextChainHash(swapped, frames[i]);
  CHECK(h != swapped);
  CHECK(NextChainHash(kGenesisChainHash, frames[0]) != NextChainHash(h, frames[0]));
}

TEST_CASE("The chain hash is XXH3-128 of the previous hash and the frame", "[codec][chain]") {
  const std::string frame = SampleFrames()[0];
  const Hash128 previous{0x0102030405060708, 0x1112131415161718};
  std::string joined;
  previous.AppendTo(&joined);
  joined += frame;
  CHECK(NextChainHash(previous, frame) == Xxh3_128(joined));
}

TEST_CASE("Every single-byte change in a sample of frames is detected", "[codec][chain]") {
  // Each byte of each frame, changed in three ways, must fail the frame checks
  // or the decoder, and in any case change the chain hash.
  const Hash128 previous{7, 9};
  size_t checked = 0;
  for (const std::string& original : SampleFrames()) {
    const Hash128 expected = NextChainHash(previous, original);
    for (size_t i = 0; i < original.size(); ++i) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        std::string damaged = original;
        damaged[i] = static_cast<char>(damaged[i] ^ mask);
        const bool rejected = !DecodeEventFrame(damaged).ok();
        const bool chain_differs = NextChainHash(previous, damaged) != expected;
        INFO("byte " << i << " mask " << int(mask));
        REQUIRE(rejected);
        REQUIRE(chain_differs);
        ++checked;
      }
    }
  }
  CHECK(checked > 3000);
}
