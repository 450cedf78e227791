#pragma once

// Who an edit is made by: the user whose rights it uses (recorded as the
// event's actor) and, when someone else submits it for them, who did
// (recorded as the event's via). Only a member of the policy's act-for role
// may submit for another user (policy.h); the service sets "via" to the user
// it authenticated, never to anything a client claims.

#include <string>
#include <string_view>
#include <utility>

namespace starlog::engine {

struct Actor {
  // Implicit: a user's name is an actor acting for itself.
  Actor(const char* user) : user(user) {}         // NOLINT(google-explicit-constructor)
  Actor(std::string_view user) : user(user) {}    // NOLINT(google-explicit-constructor)
  Actor(const std::string& user) : user(user) {}  // NOLINT(google-explicit-constructor)
  Actor(std::string user, std::string via) : user(std::move(user)), via(std::move(via)) {}

  std::string user;  // Whose rights the edit uses.
  std::string via;   // Who submitted it for "user"; empty when "user" did.
};

}  // namespace starlog::engine
