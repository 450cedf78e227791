// Fuzz target: frames and the events inside them, as read from disk or the
// wire. Decoding must never crash, and whatever decodes must re-encode to an
// event that decodes to the same value.
//
// The input is read twice: as a sequence of frames, and as one type byte
// followed by a payload handed straight to the event decoder, so mutations
// reach the FlatBuffers verifier without first having to forge a checksum.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "starlog/codec/event_codec.h"
#include "starlog/codec/frame.h"

namespace {

void CheckRoundTrip(const starlog::codec::Event& event) {
  std::string again;
  if (!starlog::codec::AppendEventFrame(event, &again).ok()) std::abort();
  auto round_trip = starlog::codec::DecodeEventFrame(again);
  if (!round_trip.ok() || !(*round_trip == event)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;  // Larger inputs only exercise the same length checks.
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::string_view input = bytes;
  while (!input.empty()) {
    auto frame = starlog::codec::ReadFrame(&input);
    if (!frame.ok()) break;
    auto event = starlog::codec::DecodeEventPayload(frame->type, frame->payload);
    if (event.ok()) CheckRoundTrip(*event);
  }

  if (size >= 1 && starlog::codec::IsKnownEventType(data[0])) {
    auto event = starlog::codec::DecodeEventPayload(static_cast<starlog::codec::EventType>(data[0]),
                                                    bytes.substr(1));
    if (event.ok()) CheckRoundTrip(*event);
  }
  return 0;
}
