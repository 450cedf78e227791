#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "starlog/engine/event_store.h"
#include "starlog/engine/policy.h"
#include "starlog/status.h"

// Whether a status's message contains "text" (for error-message checks).
inline bool Says(const starlog::Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

// A new repository at "root" under DMTN-167's policy, "boss" its admin and
// its creator.
inline std::unique_ptr<starlog::engine::EventStore> CreatePoliced(const std::string& root) {
  starlog::engine::CreateOptions options;
  options.store.sync = false;
  options.actor = "boss";
  options.policy = starlog::engine::DefaultPolicy("boss");
  auto store = starlog::engine::EventStore::Create(root, options);
  REQUIRE(store.ok());
  return std::move(store).value();
}
