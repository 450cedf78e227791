#pragma once

// Events for people and for scripts: a one-line summary, and a JSON object
// with every field.

#include <string>
#include <vector>

#include "starlog/codec/event.h"
#include "starlog/codec/json_writer.h"

namespace starlog::codec {

// "CHAINED HSC/defaults (doc: ...)", "3 datasets of bias into run HSC/calib/...".
std::string DescribeEventBody(const EventBody& body);

// The collections an event names (created, removed, redefined, written to,
// and a chain's children); datasets it names by id alone are not resolved.
std::vector<std::string> CollectionsNamed(const EventBody& body);

// Writes {"sequence":..,"commit_time":..,"actor":..,"type":..,"body":{...}}.
void WriteEventJson(const Event& event, JsonWriter* json);

// [begin, end) with "-inf"/"+inf" for unbounded ends; TAI ISO times.
std::string TimespanToString(const Timespan& span);

}  // namespace starlog::codec
