#pragma once

// Event <-> payload bytes, and event <-> frame. Decoding treats its input as
// untrusted: the FlatBuffers verifier runs before any field is read, enums and
// required fields are checked, and the payload's union tag must equal the
// frame's type byte.

#include <string>
#include <string_view>

#include "starlog/codec/event.h"
#include "starlog/codec/frame.h"
#include "starlog/result.h"

namespace starlog::codec {

// Serialises "event" as a FlatBuffers payload.
std::string EncodeEventPayload(const Event& event);

// Serialises "event" and appends its frame to "*dst". Returns InvalidArgument
// if the payload exceeds kMaxPayloadSize.
Status AppendEventFrame(const Event& event, std::string* dst);

// Decodes a payload whose frame said "type". Returns Corruption naming what
// failed: the verifier, a tag that differs from "type", an out-of-range enum,
// a malformed field.
Result<Event> DecodeEventPayload(EventType type, std::string_view payload);

// Checks one whole frame (ParseSingleFrame) and decodes its event.
Result<Event> DecodeEventFrame(std::string_view frame);

}  // namespace starlog::codec
